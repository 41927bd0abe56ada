package dev.ingest.api.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.util.Locale;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The JDK HTTP client of the commands that talk to a service ({@code ingest load}, {@code ingest
 * imports}). For a plain {@code http://} URL it is built without TLS: the JDK's client sets up
 * the default TLS context when it is built, reading the trust store and the cipher suites, which
 * cost a short-lived command about 0.3 s of CPU it never uses (measured in perf/README.md). Its
 * stand-in context refuses to be used, so a request to an {@code https://} URL through such a
 * client fails instead of going out without TLS; the commands send every request to the one URL
 * they were given, and follow no redirects.
 */
final class ServiceHttpClient {
    private ServiceHttpClient() {
    }

    /** A builder for a client of the service at {@code url}: without TLS when it is an http URL. */
    static HttpClient.Builder builder(String url) {
        HttpClient.Builder b = HttpClient.newBuilder();
        return plainHttp(url) ? b.sslContext(new NoTls()).sslParameters(new SSLParameters()) : b;
    }

    /** Whether {@code url} is a well-formed http (not https) URL. */
    static boolean plainHttp(String url) {
        try {
            String scheme = URI.create(url.strip()).getScheme();
            return scheme != null && scheme.toLowerCase(Locale.ROOT).equals("http");
        } catch (IllegalArgumentException malformed) {
            return false; // the command reports it; the client is built as usual
        }
    }

    /** A TLS context that is never set up and refuses every use. */
    static final class NoTls extends SSLContext {
        NoTls() {
            super(new Refusing(), null, "none");
        }
    }

    private static final class Refusing extends SSLContextSpi {
        private static UnsupportedOperationException refused() {
            return new UnsupportedOperationException("TLS is not set up in a client of a plain http:// URL");
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
            throw refused();
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            throw refused();
        }
    }
}

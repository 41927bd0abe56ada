package dev.ingest.api.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class ServiceHttpClientTest {
    @Test
    void onlyPlainHttpUrlsLeaveTlsOut() {
        assertThat(ServiceHttpClient.plainHttp("http://127.0.0.1:8080")).isTrue();
        assertThat(ServiceHttpClient.plainHttp(" HTTP://ingest.example:8080/ ")).isTrue();
        assertThat(ServiceHttpClient.plainHttp("https://ingest.example")).isFalse();
        assertThat(ServiceHttpClient.plainHttp("ingest.example:8080")).isFalse();
        assertThat(ServiceHttpClient.plainHttp("http://bad host")).isFalse();
    }

    @Test
    void anHttpsUrlGetsTheDefaultTlsContext() throws Exception {
        HttpClient https = ServiceHttpClient.builder("https://ingest.example").build();
        assertThat(https.sslContext()).isSameAs(SSLContext.getDefault());
    }

    @Test
    void anHttpClientSpeaksPlainHttpAndRefusesTls() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/health/live", exchange -> {
            byte[] body = "{\"status\":\"live\"}".getBytes(UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            HttpClient http = ServiceHttpClient.builder(url).version(HttpClient.Version.HTTP_1_1).build();
            assertThat(http.sslContext()).isInstanceOf(ServiceHttpClient.NoTls.class);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"status\":\"live\"}");

            // Never TLS through it: an https request fails instead of going out some other way.
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.getAddress().getPort()
                    + "/health/live")).build(), HttpResponse.BodyHandlers.ofString()))
                    .hasStackTraceContaining("TLS is not set up in a client of a plain http:// URL");
        } finally {
            server.stop(0);
        }
    }
}

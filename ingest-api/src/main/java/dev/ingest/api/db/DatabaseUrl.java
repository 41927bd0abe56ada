package dev.ingest.api.db;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PostgreSQL location, parsed from either {@code postgresql://user:pass@host:port/db?k=v} (libpq
 * style, also {@code postgres://}) or {@code jdbc:postgresql://host:port/db?user=..&password=..}.
 * Credentials are kept apart from the URL so that neither logs nor {@link #toString()} show a
 * password.
 */
public record DatabaseUrl(String host, int port, String database, String user, String password, Map<String, String> parameters) {
    public DatabaseUrl {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        parameters = Map.copyOf(parameters);
    }

    /** The accepted forms, for messages about a URL that is none of them. */
    public static final String FORMS = "use postgresql://user:password@host:port/database (or postgres://...) "
            + "or jdbc:postgresql://host:port/database?user=...&password=...";

    public static DatabaseUrl parse(String url) {
        Objects.requireNonNull(url, "url");
        String s = url.trim();
        String rest;
        if (s.startsWith("jdbc:postgresql://")) {
            rest = s.substring("jdbc:postgresql://".length());
        } else if (s.startsWith("postgresql://")) {
            rest = s.substring("postgresql://".length());
        } else if (s.startsWith("postgres://")) {
            rest = s.substring("postgres://".length());
        } else {
            throw new IllegalArgumentException("cannot read the database URL \"" + redacted(s) + "\": " + FORMS);
        }
        URI uri;
        try {
            uri = new URI("postgresql://" + rest);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed database URL (" + e.getReason() + "): " + FORMS);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the database URL names no host: " + FORMS);
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                String[] kv = pair.split("=", 2);
                String key = decode(kv[0]);
                String value = kv.length > 1 ? decode(kv[1]) : "";
                switch (key.toLowerCase(Locale.ROOT)) {
                    case "user" -> user = value;
                    case "password" -> password = value;
                    default -> params.put(key, value);
                }
            }
        }
        String path = uri.getRawPath();
        String database = path == null || path.length() <= 1 ? "postgres" : decode(path.substring(1));
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        return new DatabaseUrl(uri.getHost(), port, database, user, password, params);
    }

    /** The JDBC URL, without credentials. */
    public String jdbcUrl() {
        String query = parameters.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"));
        return "jdbc:postgresql://" + host + ":" + port + "/" + database + (query.isEmpty() ? "" : "?" + query);
    }

    /** A plain (unpooled) pgjdbc data source for this URL and its credentials: for short tasks such as key admin and probes. */
    public PGSimpleDataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl());
        if (user != null) {
            ds.setUser(user);
        }
        if (password != null) {
            ds.setPassword(password);
        }
        return ds;
    }

    /** Connection options for the reactive client. */
    public PgConnectOptions connectOptions() {
        PgConnectOptions o = new PgConnectOptions().setHost(host).setPort(port).setDatabase(database);
        if (user != null) {
            o.setUser(user);
        }
        if (password != null) {
            o.setPassword(password);
        }
        return o;
    }

    /** The libpq-style URL with the password masked, for logs and the startup banner. */
    public String display() {
        return "postgresql://" + (user == null ? "" : user + (password == null ? "" : ":***") + "@") + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return display();
    }

    /** The text with whatever stands between "//" and "@" masked: it may hold a password. */
    private static String redacted(String s) {
        return s.replaceFirst("//[^/@]*@", "//***@");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}

package dev.ingest.api.db;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PostgreSQL location, parsed from either {@code postgresql://user:pass@host:port/db?k=v} (libpq
 * style, also {@code postgres://}) or {@code jdbc:postgresql://host:port/db?user=..&password=..}.
 * Both forms may name several servers ({@code h1:5432,h2:5432}), as for a primary and its
 * standbys: the service then always writes to the one that accepts writes, whether the URL says so
 * ({@code target_session_attrs=read-write}, {@code targetServerType=primary}) or not, and refuses a
 * URL that asks for a standby. Credentials are kept apart from the URL so that neither logs nor
 * {@link #toString()} show a password.
 *
 * @param primaryOnly connect only to a server that accepts writes (several servers, or asked for)
 */
public record DatabaseUrl(List<Server> servers, String database, String user, String password, Map<String, String> parameters,
        boolean primaryOnly) {
    public DatabaseUrl {
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no server");
        }
        Objects.requireNonNull(database, "database");
        parameters = Map.copyOf(parameters);
    }

    /** One server, as the embedded database and single-server URLs are. */
    public DatabaseUrl(String host, int port, String database, String user, String password, Map<String, String> parameters) {
        this(List.of(new Server(host, port)), database, user, password, parameters, false);
    }

    /** One server of the URL. */
    public record Server(String host, int port) {
        public Server {
            Objects.requireNonNull(host, "host");
        }

        /** {@code host:port}, an IPv6 address in brackets. */
        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** The accepted forms, for messages about a URL that is none of them. */
    public static final String FORMS = "use postgresql://user:password@host:port/database (or postgres://...) "
            + "or jdbc:postgresql://host:port/database?user=...&password=...";

    /** pgjdbc's name for the server a connection must reach, and libpq's. */
    private static final String JDBC_TARGET = "targetServerType";
    private static final String LIBPQ_TARGET = "target_session_attrs";

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
        int query = rest.indexOf('?');
        String rawQuery = query < 0 ? null : rest.substring(query + 1);
        String beforeQuery = query < 0 ? rest : rest.substring(0, query);
        int slash = beforeQuery.indexOf('/');
        String authority = slash < 0 ? beforeQuery : beforeQuery.substring(0, slash);
        String path = slash < 0 ? "" : beforeQuery.substring(slash + 1);
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String[] parts = authority.substring(0, at).split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
            authority = authority.substring(at + 1);
        }
        if (authority.isEmpty()) {
            throw new IllegalArgumentException("the database URL names no host: " + FORMS);
        }
        List<Server> servers = new ArrayList<>();
        for (String hostPort : authority.split(",", -1)) {
            servers.add(server(hostPort));
        }
        Map<String, String> params = new LinkedHashMap<>();
        String target = null;
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                String[] kv = pair.split("=", 2);
                String key = decode(kv[0]);
                String value = kv.length > 1 ? decode(kv[1]) : "";
                switch (key.toLowerCase(Locale.ROOT)) {
                    case "user" -> user = value;
                    case "password" -> password = value;
                    case "targetservertype", LIBPQ_TARGET -> target = key + "=" + value;
                    default -> params.put(key, value);
                }
            }
        }
        boolean primaryOnly = asksForThePrimary(target) || servers.size() > 1;
        String database = path.isEmpty() ? "postgres" : decode(path);
        return new DatabaseUrl(servers, database, user, password, params, primaryOnly);
    }

    /**
     * Whether the URL's target ({@code target_session_attrs=...} or {@code targetServerType=...},
     * null when it names none) asks for the writable server; refuses a target that would send
     * the service's writes to a standby.
     */
    private static boolean asksForThePrimary(String target) {
        if (target == null) {
            return false;
        }
        String value = target.substring(target.indexOf('=') + 1).toLowerCase(Locale.ROOT);
        return switch (value) {
            case "any" -> false;
            case "read-write", "primary", "master" -> true;
            case "read-only", "standby", "prefer-standby", "secondary", "prefersecondary", "preferprimary" ->
                    throw new IllegalArgumentException("the database URL asks for " + target + ", but the service writes: "
                            + "name the primary, or use " + LIBPQ_TARGET + "=read-write (" + JDBC_TARGET
                            + "=primary) to reach whichever server is the primary");
            default -> throw new IllegalArgumentException("the database URL's " + target + " is not a target PostgreSQL knows: use "
                    + LIBPQ_TARGET + "=read-write (or " + JDBC_TARGET + "=primary)");
        };
    }

    private static Server server(String hostPort) {
        String host;
        String port = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("malformed database URL (an IPv6 address without its closing ']'): " + FORMS);
            }
            host = hostPort.substring(1, close);
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("malformed database URL (\"" + hostPort + "\"): " + FORMS);
                }
                port = after.substring(1);
            }
        } else {
            int colon = hostPort.lastIndexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            port = colon < 0 ? null : hostPort.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("the database URL has an empty host in its list of servers: " + FORMS);
        }
        if (port == null || port.isEmpty()) {
            return new Server(decode(host), 5432);
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 1 || number > 65535) {
            throw new IllegalArgumentException("the database URL's port \"" + port + "\" is not a port number (1-65535)");
        }
        return new Server(decode(host), number);
    }

    /** The first server's host: the only one of a one-server URL (tools such as psql take one). */
    public String host() {
        return servers.get(0).host();
    }

    /** The first server's port: see {@link #host()}. */
    public int port() {
        return servers.get(0).port();
    }

    /** The servers as the URL lists them: {@code h1:5432,h2:5432}. */
    public String where() {
        return servers.stream().map(Server::toString).collect(Collectors.joining(","));
    }

    /** The JDBC URL, without credentials; {@code targetServerType=primary} when only the primary will do. */
    public String jdbcUrl() {
        Map<String, String> all = new LinkedHashMap<>(parameters);
        if (primaryOnly) {
            all.put(JDBC_TARGET, "primary");
        }
        String query = all.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"));
        return "jdbc:postgresql://" + where() + "/" + database + (query.isEmpty() ? "" : "?" + query);
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

    /**
     * Whether the URL says statements must not outlive a transaction, as behind PgBouncer in
     * transaction pooling mode: {@code prepareThreshold=0}, pgjdbc's setting for it. The reactive
     * client then sends each query as a whole (Vert.x's layer-7 proxy mode) instead of keeping
     * named statements on a server session that the pooler hands to another client.
     */
    private boolean statementsPerTransaction() {
        return parameters.entrySet().stream().anyMatch(e -> e.getKey().equalsIgnoreCase("prepareThreshold") && e.getValue().trim().equals("0"));
    }

    /** Connection options for the reactive client, to one of the servers (see {@link WritableServer}). */
    public PgConnectOptions connectOptions(Server server) {
        PgConnectOptions o = new PgConnectOptions().setHost(server.host()).setPort(server.port()).setDatabase(database)
                .setUseLayer7Proxy(statementsPerTransaction());
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
        return "postgresql://" + (user == null ? "" : user + (password == null ? "" : ":***") + "@") + where() + "/" + database;
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

package dev.ingest.engine.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.opentest4j.TestAbortedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A real PostgreSQL server for tests, resolved once per JVM in this order:
 * <ol>
 *   <li>{@code INGEST_TEST_DATABASE_URL} ({@code postgresql://user:pass@host:port/db} or
 *       {@code jdbc:postgresql://...}); the role needs CREATEDB;</li>
 *   <li>a Testcontainers PostgreSQL when a Docker engine is reachable;</li>
 *   <li>an embedded PostgreSQL (io.zonky.test) otherwise.</li>
 * </ol>
 * Each {@link #create()} makes a fresh, empty database on that server, so test classes never see
 * each other's rows.
 *
 * <p>With the system property {@code ingest.test.pgbouncer=true} (the {@code pgbouncer} run of the
 * integration tests), a database's {@link Database#url() url}, the one services are given, leads
 * through a real PgBouncer in transaction pooling mode with {@code prepareThreshold=0}; the test's
 * own connections ({@link Database#connect()}) still go straight to the server. Without a pgbouncer
 * executable, such a test is skipped, saying so.
 */
public final class TestDatabase {
    private static final Logger log = LoggerFactory.getLogger(TestDatabase.class);
    /** The system property that sends services through PgBouncer. */
    public static final String THROUGH_PGBOUNCER = "ingest.test.pgbouncer";
    private static Server server;
    private static PgBouncer bouncer;

    /** Where a server is: admin connection details. */
    private record Server(String host, int port, String adminDatabase, String user, String password) {
        String jdbcUrl(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }
    }

    /**
     * A database created for one test class.
     *
     * @param jdbcUrl  {@code jdbc:postgresql://host:port/name}
     * @param url      the same as {@code postgresql://user:pass@host:port/name}
     */
    public record Database(String name, String jdbcUrl, String url, String user, String password) {
        public Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl, user, password);
        }

        /** Runs SQL statements (DDL, fixtures) in autocommit mode. */
        public void execute(String... sql) {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                for (String statement : sql) {
                    s.execute(statement);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The single long value a query returns. */
        public long queryLong(String sql) {
            try (Connection c = connect(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
                if (!rs.next()) {
                    throw new IllegalStateException("no row: " + sql);
                }
                return rs.getLong(1);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private TestDatabase() {
    }

    /** Creates a new empty database on the shared test server. */
    public static Database create() {
        Server s = server();
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(s.adminDatabase()), s.user(), s.password());
             Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database on " + s.host() + ":" + s.port(), e);
        }
        String url = "postgresql://" + s.user() + (s.password() == null ? "" : ":" + s.password())
                + "@" + s.host() + ":" + s.port() + "/" + name;
        if (Boolean.getBoolean(THROUGH_PGBOUNCER)) {
            url = "postgresql://" + s.user() + "@127.0.0.1:" + bouncer(s).port() + "/" + name + "?prepareThreshold=0";
        }
        return new Database(name, s.jdbcUrl(name), url, s.user(), s.password());
    }

    /** The PgBouncer in front of the server, started on first use; skips the calling test when there is none. */
    private static synchronized PgBouncer bouncer(Server s) {
        if (PgBouncer.executable() == null) {
            throw new TestAbortedException("pgbouncer is not installed (apt-get install pgbouncer): the run through PgBouncer is skipped");
        }
        if (bouncer == null) {
            try {
                bouncer = PgBouncer.start(s.host(), s.port(), s.user(), s.password());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            log.info("test databases: services connect through PgBouncer (transaction pooling) on port {}", bouncer.port());
        }
        return bouncer;
    }

    private static synchronized Server server() {
        if (server == null) {
            server = resolve();
        }
        return server;
    }

    private static Server resolve() {
        String url = System.getenv("INGEST_TEST_DATABASE_URL");
        if (url != null && !url.isBlank()) {
            log.info("test database: INGEST_TEST_DATABASE_URL");
            return fromUrl(url);
        }
        if (dockerAvailable()) {
            log.info("test database: Testcontainers");
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
            container.start();
            return new Server(container.getHost(), container.getFirstMappedPort(), container.getDatabaseName(),
                    container.getUsername(), container.getPassword());
        }
        log.info("test database: embedded PostgreSQL (no INGEST_TEST_DATABASE_URL, no Docker engine)");
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "200")
                    .start();
            return new Server("localhost", pg.getPort(), "postgres", "postgres", null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }

    private static boolean dockerAvailable() {
        // Ask Testcontainers only when something Docker-like is configured: its probe otherwise
        // logs errors for every strategy it tries.
        boolean configured = System.getenv("DOCKER_HOST") != null
                || Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(Path.of(System.getProperty("user.home"), ".testcontainers.properties"))
                || Files.exists(Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"));
        if (!configured) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static Server fromUrl(String url) {
        URI uri = URI.create(url.startsWith("jdbc:") ? url.substring(5) : url);
        String user = "postgres";
        String password = null;
        if (uri.getUserInfo() != null) {
            String[] parts = uri.getUserInfo().split(":", 2);
            user = parts[0];
            password = parts.length > 1 ? parts[1] : null;
        }
        if (uri.getQuery() != null) {
            for (String kv : uri.getQuery().split("&")) {
                String[] p = kv.split("=", 2);
                if (p.length == 2 && p[0].toLowerCase(Locale.ROOT).equals("user")) {
                    user = p[1];
                } else if (p.length == 2 && p[0].toLowerCase(Locale.ROOT).equals("password")) {
                    password = p[1];
                }
            }
        }
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        return new Server(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), db, user, password);
    }
}

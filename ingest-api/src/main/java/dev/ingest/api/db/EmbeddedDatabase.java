package dev.ingest.api.db;

import dev.ingest.api.common.UserError;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL that {@code ingest serve} starts when no database URL is given: zonky's embedded
 * binaries, with the data kept under a directory (so rows survive restarts) and the port kept
 * with it (so the printed URL stays valid). Durable settings: {@code synchronous_commit=on}.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
    private static final String EXAMPLE_TABLE = "/examples/events.sql";

    private final EmbeddedPostgres postgres;
    private final DatabaseUrl url;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
        this.url = new DatabaseUrl("localhost", postgres.getPort(), "postgres", "postgres", null, Map.of());
    }

    /**
     * Starts (initialising on first use) the database kept in {@code directory}.
     *
     * @param startupWait how long PostgreSQL may take to start
     */
    public static EmbeddedDatabase start(Path directory, Duration startupWait) throws IOException {
        Path data = directory.resolve("postgres");
        Files.createDirectories(directory);
        int port = port(directory.resolve("postgres.port"));
        log.info("starting embedded PostgreSQL: data={} port={}", data.toAbsolutePath(), port);
        EmbeddedPostgres pg;
        try {
            pg = EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("listen_addresses", "localhost")
                    .setPGStartupWait(startupWait)
                    // The service closes the database itself, after its writers have drained.
                    .setRegisterShutdownHook(false)
                    .start();
        } catch (IllegalStateException e) {
            // zonky holds a lock on <data>/epg-lock while its PostgreSQL runs: "could not lock" when
            // another process holds it, OverlappingFileLockException when this one does.
            if (String.valueOf(e.getMessage()).startsWith("could not lock") || e instanceof OverlappingFileLockException) {
                throw new UserError("another ingest serve (or ingest keys) already uses the data directory "
                        + directory.toAbsolutePath().normalize() + " (its PostgreSQL listens on port " + port
                        + "); stop it, or give this one its own directory with --data-dir (INGEST_DATA_DIR)", e);
            }
            throw e;
        }
        EmbeddedDatabase db = new EmbeddedDatabase(pg);
        db.createExampleTable();
        return db;
    }

    public DatabaseUrl url() {
        return url;
    }

    /** The {@code events} table of the benchmarks, so a newcomer has somewhere to post records. */
    private void createExampleTable() throws IOException {
        String ddl;
        try (InputStream in = EmbeddedDatabase.class.getResourceAsStream(EXAMPLE_TABLE)) {
            if (in == null) {
                throw new IOException("missing resource " + EXAMPLE_TABLE);
            }
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(ddl);
        } catch (SQLException e) {
            throw new IOException("cannot create the example table: " + e.getMessage(), e);
        }
    }

    /** The port remembered in {@code file}, or a free one, remembered there from now on. */
    private static int port(Path file) throws IOException {
        if (Files.exists(file)) {
            String text = Files.readString(file).trim();
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                log.warn("ignoring unreadable port file {}: {}", file, text);
            }
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.writeString(file, Integer.toString(port));
        return port;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}

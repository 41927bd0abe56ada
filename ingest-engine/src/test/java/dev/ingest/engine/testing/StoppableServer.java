package dev.ingest.engine.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * An embedded PostgreSQL server of a test's own, on a fixed port and data directory, that the test
 * may stop and start again (an outage) without touching the shared test server. Database
 * {@code postgres}, user {@code postgres}, no password.
 */
public final class StoppableServer implements AutoCloseable {
    private final Path data;
    private final int port;
    private EmbeddedPostgres pg;

    private StoppableServer(Path data, int port) {
        this.data = data;
        this.port = port;
    }

    /** Starts a new server on a free port. */
    public static StoppableServer start() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StoppableServer server = new StoppableServer(Files.createTempDirectory("ingest-stoppable"), port);
        server.resume();
        return server;
    }

    /** Stops the server (fast shutdown: connections are cut). */
    public void stop() throws IOException {
        if (pg != null) {
            pg.close();
            pg = null;
        }
    }

    /**
     * Freezes the server (SIGSTOP to the postmaster and its backends): connections stay open and
     * nothing answers, as when the database host hangs or its network drops packets.
     */
    public void freeze() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** Lets a frozen server go on (SIGCONT). */
    public void thaw() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        long postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        List<String> command = new ArrayList<>(List.of("kill", signal, Long.toString(postmaster)));
        ProcessHandle.of(postmaster).ifPresent(p -> p.descendants().forEach(d -> command.add(Long.toString(d.pid()))));
        int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + exit);
        }
    }

    /** Starts the stopped server again, with its data, on the same port. */
    public void resume() throws IOException {
        if (pg == null) {
            pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
                    .setServerConfig("synchronous_commit", "on").start();
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    /** The URL in the form {@code ingest serve --database-url} takes. */
    public String url() {
        return "postgresql://postgres@localhost:" + port + "/postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "postgres", null);
    }

    public void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}

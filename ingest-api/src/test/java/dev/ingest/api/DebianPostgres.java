package dev.ingest.api;

import dev.ingest.engine.testing.ServerUser;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of Debian's packages (not the embedded one), made by the test in a
 * temporary directory on a free loopback port, for what needs the system's extensions (such as
 * {@code postgresql-15-partman}), run as the {@link ServerUser}. Trust authentication for user
 * {@code postgres}, loopback only.
 */
final class DebianPostgres implements AutoCloseable {
    private final Path dir;
    private final Path bin;
    private final int port;

    private DebianPostgres(Path dir, Path bin, int port) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
    }

    /** The server binaries of the newest Debian PostgreSQL that has {@code extension}.control, if any. */
    static Optional<Path> binariesWith(String extension) {
        Path versions = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(versions)) {
            return Optional.empty();
        }
        try (Stream<Path> all = Files.list(versions)) {
            return all.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .filter(v -> Files.exists(Path.of("/usr/share/postgresql", v.getFileName().toString(), "extension", extension + ".control")))
                    .max(Comparator.comparingInt(v -> major(v.getFileName().toString()))).map(v -> v.resolve("bin"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int major(String version) {
        try {
            return Integer.parseInt(version);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static DebianPostgres start(Path bin) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ingest-debian-pg");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        DebianPostgres pg = new DebianPostgres(dir, bin, port);
        try {
            ServerUser.own(dir);
            pg.run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres", "--auth=trust",
                    "--no-sync"));
            pg.run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(),
                    "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c synchronous_commit=on", "-w", "start"));
            return pg;
        } catch (Exception | AssertionError e) {
            pg.close();
            throw e;
        }
    }

    /** {@code postgresql://postgres@127.0.0.1:PORT/db}. */
    String url(String database) {
        return "postgresql://postgres@127.0.0.1:" + port + "/" + database;
    }

    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", null);
    }

    @Override
    public void close() throws IOException {
        if (Files.exists(dir.resolve("data/postmaster.pid"))) {
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"));
            } catch (Exception e) {
                throw new IOException("cannot stop the test's PostgreSQL in " + dir, e);
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Runs {@code command} as the {@link ServerUser} to its end; fails with its output when it fails. */
    private void run(List<String> command) throws Exception {
        List<String> full = new ArrayList<>(ServerUser.prefix());
        full.addAll(command);
        Path log = dir.resolve("commands.log");
        Process p = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", full) + " did not finish in 120 s");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", full) + " exited with " + p.exitValue() + ": " + Files.readString(log));
        }
    }
}

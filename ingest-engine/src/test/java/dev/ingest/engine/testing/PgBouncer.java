package dev.ingest.engine.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A real PgBouncer (Debian's {@code pgbouncer}) in transaction pooling mode, in front of a
 * PostgreSQL server, for every database on it, on a free loopback port; started by the test and
 * stopped with the JVM. PgBouncer refuses to run as root: as root it runs as {@code postgres}.
 */
public final class PgBouncer {
    private final Process process;
    private final Path dir;
    private final int port;

    private PgBouncer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** The pgbouncer executable, or null when it is not installed. */
    public static Path executable() {
        return Executables.find("pgbouncer");
    }

    /**
     * Starts PgBouncer in front of {@code host:port}, logging in there as {@code user} (with
     * {@code password}, or none); clients log in as that user without a password.
     */
    public static PgBouncer start(String host, int serverPort, String user, String password) throws IOException {
        Path executable = executable();
        if (executable == null) {
            throw new IllegalStateException("pgbouncer is not installed");
        }
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ingest-pgbouncer");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("users.txt"), "\"" + user + "\" \"" + (password == null ? "" : password) + "\"\n");
        Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
                "[databases]",
                "* = host=" + host + " port=" + serverPort,
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + port,
                "unix_socket_dir =",
                "auth_type = trust",
                "auth_file = " + dir.resolve("users.txt"),
                "pool_mode = transaction",
                // pgjdbc sends it at login; PgBouncer refuses unknown startup parameters otherwise
                "ignore_startup_parameters = extra_float_digits",
                "max_client_conn = 1000",
                "default_pool_size = 40",
                ""));
        ServerUser.own(dir);
        List<String> command = new ArrayList<>(ServerUser.prefix());
        command.addAll(List.of(executable.toString(), dir.resolve("pgbouncer.ini").toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("pgbouncer.log").toFile())).start();
        PgBouncer bouncer = new PgBouncer(p, dir, port);
        Runtime.getRuntime().addShutdownHook(new Thread(bouncer::stop, "pgbouncer-stop"));
        bouncer.awaitListening();
        return bouncer;
    }

    public int port() {
        return port;
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                if (s.isConnected()) {
                    return;
                }
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("pgbouncer did not start; its log: " + Files.readString(dir.resolve("pgbouncer.log")), e);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    /** Stops PgBouncer and removes its directory. */
    public void stop() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException | InterruptedException e) {
            // leaving a temporary directory behind is all that can go wrong here
        }
    }
}

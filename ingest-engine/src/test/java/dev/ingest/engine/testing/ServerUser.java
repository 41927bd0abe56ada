package dev.ingest.engine.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Who runs the servers of Debian's packages that tests start (PostgreSQL, pg_autoctl, PgBouncer):
 * they refuse to run as root, so a test run as root runs them as {@code postgres}, and any other
 * user runs them as itself.
 */
public final class ServerUser {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private ServerUser() {
    }

    /** The user the servers run as, and their database superuser. */
    public static String name() {
        return ROOT ? "postgres" : System.getProperty("user.name");
    }

    /** What goes before a server's command line: {@code runuser -u postgres --} as root, nothing otherwise. */
    public static List<String> prefix() {
        return ROOT ? List.of("runuser", "-u", "postgres", "--") : List.of();
    }

    /** Gives {@code dir} and what is in it to that user (as root; otherwise it is already theirs). */
    public static void own(Path dir) throws IOException {
        if (!ROOT) {
            return;
        }
        Process p = new ProcessBuilder("chown", "-R", "postgres", dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.onExit().join().exitValue() != 0) {
            throw new IOException("chown -R postgres " + dir + " failed: " + out.strip());
        }
    }

    /** Null when the servers can run here, else why not. */
    public static String unavailable() {
        if (!ROOT) {
            return null;
        }
        try {
            return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith("postgres:")) ? null
                    : "running as root and there is no postgres user to run the server as";
        } catch (IOException e) {
            return "running as root and /etc/passwd is unreadable: " + e.getMessage();
        }
    }
}

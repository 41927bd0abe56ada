package dev.ingest.api.db;

import dev.ingest.api.common.UserError;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Consumer;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Makes sure a database URL leads somewhere before anything else connects to it (the engine's
 * pool, Flyway, the reactive pool, the session-settings probe): each of those would otherwise
 * report a wrong URL in its own way, after its own timeout, with its own stack trace. A refused
 * login, an unknown database and an unknown host fail at once ({@link UserError}, one line
 * naming {@code user@host:port/db} and never the password); a server that does not answer (yet)
 * is tried again, with a line for each attempt, until the start timeout has passed.
 *
 * <p>Blocks the calling thread.
 */
public final class DatabaseProbe {
    /** Where the start timeout can be set, for the messages. */
    public static final String TIMEOUT_SETTING = "database_start_timeout_seconds, INGEST_DATABASE_START_TIMEOUT";

    /** What one connection attempt found. */
    public enum Outcome {
        /** Logged in. */
        REACHED,
        /** Nothing answered, or the server is starting: worth another attempt. */
        UNREACHABLE,
        /** The server answered no (login, database, host): another attempt will not help. */
        REFUSED
    }

    private final DatabaseUrl url;
    private final Consumer<String> notices;
    private final long firstPauseMillis;
    private final long maxPauseMillis;

    /**
     * @param notices    where the "waiting for PostgreSQL" lines go (standard error or the log)
     * @param firstPause the pause after the first failed attempt; it doubles after each one
     * @param maxPause   the longest pause between attempts
     */
    public DatabaseProbe(DatabaseUrl url, Consumer<String> notices, Duration firstPause, Duration maxPause) {
        this.url = url;
        this.notices = notices;
        this.firstPauseMillis = firstPause.toMillis();
        this.maxPauseMillis = maxPause.toMillis();
    }

    /**
     * Returns once a login succeeded; throws {@link UserError} when the server refuses, or when it
     * has not answered within {@code timeout} (zero: one attempt).
     */
    public void awaitReachable(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = firstPauseMillis;
        for (int attempt = 1; ; attempt++) {
            SQLException failure = attempt(Math.max(1, remainingSeconds(deadline)));
            if (failure == null) {
                return;
            }
            if (outcome(failure) == Outcome.REFUSED) {
                throw new UserError(explain(failure), failure);
            }
            if (System.nanoTime() + pause * 1_000_000 > deadline) {
                throw new UserError("PostgreSQL at " + waitedFor() + " did not answer within "
                        + timeout.toSeconds() + " s (" + reason(failure) + "); check that it runs and listens there, "
                        + "or wait longer with " + TIMEOUT_SETTING, failure);
            }
            notices.accept("waiting for PostgreSQL at " + waitedFor() + " (attempt " + attempt
                    + ", Ctrl-C to stop): " + reason(failure));
            try {
                Thread.sleep(pause); // a pause between attempts, not a synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UserError("interrupted while waiting for PostgreSQL at " + url.where(), e);
            }
            pause = Math.min(maxPauseMillis, pause * 2);
        }
    }

    /**
     * One attempt, no waiting: true when it logged in, false when nothing answered; throws
     * {@link UserError} when the server refused.
     */
    public boolean answersNow() {
        SQLException failure = attempt(5);
        if (failure == null) {
            return true;
        }
        if (outcome(failure) == Outcome.REFUSED) {
            throw new UserError(explain(failure), failure);
        }
        return false;
    }

    /** One attempt: null when it logged in, else why not. */
    private SQLException attempt(long connectTimeoutSeconds) {
        PGSimpleDataSource ds = url.dataSource();
        int seconds = (int) Math.min(10, connectTimeoutSeconds);
        ds.setConnectTimeout(seconds);
        ds.setLoginTimeout(seconds + 5);
        ds.setApplicationName("ingest-probe");
        try {
            ds.getConnection().close(); // a login is all this asks
            return null;
        } catch (SQLException e) {
            return e;
        }
    }

    /** What a failed login means: see {@link Outcome}. */
    public static Outcome outcome(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("28") || state.equals("3D000") || has(e, UnknownHostException.class)) {
            return Outcome.REFUSED;
        }
        if (state.equals("57P03") || state.equals("53300") || has(e, ConnectException.class)
                || has(e, SocketTimeoutException.class) || has(e, NoRouteToHostException.class) || state.startsWith("08")) {
            return Outcome.UNREACHABLE;
        }
        return Outcome.REFUSED;
    }

    /** The one line for a refusal: what happened at user@host:port/db, and what to check. */
    String explain(SQLException e) {
        String where = where();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("28")) {
            return "PostgreSQL refused the login as " + where + ": " + serverMessage(e)
                    + "; check the user and password of the database URL (--database-url, INGEST_DATABASE_URL, database_url)";
        }
        if (state.equals("3D000")) {
            return "database \"" + url.database() + "\" does not exist at " + where + "; create it (" + (url.servers().size() > 1 ? "on the primary: " : "") + "createdb -h " + url.host()
                    + " -p " + url.port() + " -U " + user() + " " + url.database() + ") or name an existing one in the database URL";
        }
        if (has(e, UnknownHostException.class)) {
            return "unknown host in the database URL " + where
                    + "; check the host name (and that this machine can resolve it)";
        }
        return "cannot connect to PostgreSQL as " + where + ": " + serverMessage(e) + " (SQLSTATE " + state + ")";
    }

    /** The servers of the URL, for the waiting messages: {@code h1:5432,h2:5432 (a writable server)}. */
    private String waitedFor() {
        return url.where() + (url.primaryOnly() ? " (a writable server)" : "");
    }

    private String where() {
        return user() + "@" + url.where() + "/" + url.database();
    }

    private String user() {
        // pgjdbc logs in as the operating system's user when the URL names none.
        return url.user() != null ? url.user() : System.getProperty("user.name");
    }

    private static String reason(SQLException e) {
        if (has(e, ConnectException.class)) {
            return "connection refused";
        }
        if (has(e, SocketTimeoutException.class)) {
            return "connection timed out";
        }
        if (has(e, NoRouteToHostException.class)) {
            return "no route to host";
        }
        return serverMessage(e);
    }

    private static String serverMessage(SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        // pgjdbc's messages may span lines ("FATAL: ...\n  Location: ..."): keep the first.
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).replaceFirst("^FATAL: ", "").trim();
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static long remainingSeconds(long deadline) {
        return Math.max(0, (deadline - System.nanoTime()) / 1_000_000_000L);
    }
}

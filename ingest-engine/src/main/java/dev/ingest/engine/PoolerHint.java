package dev.ingest.engine;

import java.util.regex.Pattern;

/**
 * Recognizes the errors a connection pooler in transaction mode (PgBouncer) causes when the
 * service keeps prepared statements on server sessions it does not own, and says what to do:
 * PgBouncer 1.18 hands a client's next transaction to any server connection, where pgjdbc's named
 * statements ({@code S_1}) are missing or another client's, and the reactive client's unnamed one
 * is gone between its parse and its execution.
 */
public final class PoolerHint {
    /** The advice, as appended to a log line. */
    private static final String ADVICE = "; a connection pooler in transaction mode (PgBouncer) between the service and PostgreSQL? "
            + "add prepareThreshold=0 to the database URL (README: Behind PgBouncer)";
    private static final Pattern STATEMENT = Pattern.compile("prepared statement \"S_\\d+\"|unnamed prepared statement does not exist");

    private PoolerHint() {
    }

    /** Whether an error with this SQLSTATE (may be null) and message looks like a pooler's doing. */
    private static boolean applies(String sqlState, String message) {
        if ("42P05".equals(sqlState)) {
            return true;
        }
        return message != null && STATEMENT.matcher(message).find();
    }

    /** {@link #ADVICE} when it {@link #applies}, else the empty string. */
    public static String after(String sqlState, String message) {
        return applies(sqlState, message) ? ADVICE : "";
    }
}

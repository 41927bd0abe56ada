package dev.ingest.engine.internal.sql;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The one place that decides what a database error means for the records involved. Every
 * component that handles an {@link SQLException} asks here, so retry and isolation policies agree.
 */
public final class SqlStates {
    /** The SQLSTATEs the engine reports when it rejects a value before the database sees it. */
    public static final String CHARACTER_NOT_IN_REPERTOIRE = "22021";
    public static final String DATATYPE_MISMATCH = "42804";
    public static final String UNDEFINED_COLUMN = "42703";
    /** Ours: the table's columns changed between conversion and commit (see {@link StaleSchemaException}). */
    public static final String SCHEMA_CHANGED = "IG001";

    private static final int MAX_DETAIL = 300;

    private SqlStates() {
    }

    /** What a failed statement means for the batch that ran it. */
    public enum Kind {
        /** The data of one or more records was refused (classes 22, 23 and kin): isolate them. */
        DATA,
        /** The connection or server is (perhaps briefly) unavailable: keep the records and retry. */
        TRANSIENT,
        /**
         * What the statements were made from is out of date: the table's columns or a type
         * changed since the catalog was read, or a connection's cached plan refers to a type that
         * is gone. Read the catalog again, forget the connection's prepared statements, and write
         * the batch once more; only if that fails too is it an answer.
         */
        STALE,
        /** Anything else (permissions, a dropped table): retrying the same batch will not help. */
        FATAL
    }

    public static Kind classify(SQLException e) {
        String state = e.getSQLState();
        if (isStale(e)) {
            return Kind.STALE;
        }
        if (state == null || state.length() < 2) {
            // pgjdbc reports I/O failures without a server state; treat them as connection loss.
            return Kind.TRANSIENT;
        }
        String cls = state.substring(0, 2);
        switch (cls) {
            case "21", "22", "23", "27", "38", "39", "44", "54", "P0":
                // Data exceptions, constraint and check-option violations, limits such as an index
                // row too large, errors raised by triggers, and an upsert touching one row twice
                // (21000): all can be caused by one record.
                return Kind.DATA;
            case "08", "53", "57", "40", "58":
                // connection exceptions, insufficient resources, operator intervention (shutdown,
                // cancel, crash recovery), serialization/deadlock, system errors.
                return Kind.TRANSIENT;
            default:
                if (state.equals("42501")) {
                    return Kind.DATA; // also row-level security refusing one row
                }
                // 42P05, a prepared statement that "already exists": the server session is another
                // client's, as behind a pooler in transaction mode (see PoolerHint); not the records'.
                return state.equals("55P03") || state.equals("25006") || state.equals("42P05") ? Kind.TRANSIENT : Kind.FATAL;
        }
    }

    private static boolean isStale(SQLException e) {
        String state = e.getSQLState();
        if (state == null) {
            return false;
        }
        String message = primaryMessage(e);
        return switch (state) {
            // undefined column or table, a value of the wrong type for its column, a column
            // become generated, a prepared statement gone: the statement was built from an old
            // catalog (a table recreated under its name is found again by the refresh)
            case "42703", "42P01", "42804", "428C9", "26000", SCHEMA_CHANGED -> true;
            // a type the statement casts to was dropped (inside a type's replacement: the column
            // retyped to text, the type dropped, created again)
            case "42704" -> message != null && message.startsWith("type \"") && message.endsWith("does not exist");
            case "0A000" -> message != null && message.contains("cached plan must not change result type");
            case "XX000" -> message != null && message.startsWith("cache lookup failed for type");
            default -> false;
        };
    }

    /** The server's primary message, with its detail when short enough to be useful to a client. */
    public static String describe(SQLException e) {
        if (e instanceof PSQLException pe && pe.getServerErrorMessage() != null) {
            ServerErrorMessage m = pe.getServerErrorMessage();
            return describe(m.getMessage() == null ? pe.getMessage() : m.getMessage(), m.getDetail());
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** A server message with its detail, as {@link #describe(SQLException)} words them. */
    public static String describe(String message, String detail) {
        if (detail == null || detail.isEmpty()) {
            return message;
        }
        return message + " (" + (detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "..." : detail) + ")";
    }

    /**
     * The server's primary message alone (without detail), or what {@link #describe(SQLException)}
     * says when the server gave none.
     */
    public static String primaryMessage(SQLException e) {
        if (e instanceof PSQLException pe && pe.getServerErrorMessage() != null
                && pe.getServerErrorMessage().getMessage() != null) {
            return pe.getServerErrorMessage().getMessage();
        }
        return describe(e);
    }

    /** The constraint a server error names (for a unique violation: the index), or null. */
    public static String constraintOf(SQLException e) {
        return e instanceof PSQLException pe && pe.getServerErrorMessage() != null
                ? pe.getServerErrorMessage().getConstraint() : null;
    }

    /** The SQLSTATE of {@code e}, or {@code 08000} (connection exception) when the driver gave none. */
    public static String stateOf(SQLException e) {
        return e.getSQLState() == null ? "08000" : e.getSQLState();
    }
}

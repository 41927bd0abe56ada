package dev.ingest.engine.internal.convert;

/**
 * A value the engine refuses before it reaches the database. Carries the SQLSTATE PostgreSQL
 * itself would have reported, so that clients see one vocabulary. Thrown per bad record only, so
 * it skips the stack trace.
 */
public final class ConversionException extends Exception {
    private final String sqlstate;

    public ConversionException(String sqlstate, String message) {
        super(message, null, false, false);
        this.sqlstate = sqlstate;
    }

    public String sqlstate() {
        return sqlstate;
    }
}

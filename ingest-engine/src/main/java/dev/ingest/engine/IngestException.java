package dev.ingest.engine;

/**
 * The engine could not write a request's records at all: the database refused the whole batch
 * for a reason that is not about any one record (a dropped table, a missing privilege), or the
 * engine shut down before the records were committed. No record of the request was committed.
 */
public final class IngestException extends RuntimeException {
    private final String sqlstate;
    private final boolean retryable;

    public IngestException(String sqlstate, String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.sqlstate = sqlstate;
        this.retryable = retryable;
    }

    /** The SQLSTATE behind the failure. */
    public String sqlstate() {
        return sqlstate;
    }

    /** True when sending the same request again later may succeed (shutdown, outage). */
    public boolean retryable() {
        return retryable;
    }
}

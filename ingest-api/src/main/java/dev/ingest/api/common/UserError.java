package dev.ingest.api.common;

/**
 * A failure the user can fix (a setting, the environment, another process in the way), whose
 * message is one line saying what happened and what to do. The command line prints the message
 * alone, without a stack trace (unless {@code INGEST_LOG_LEVEL=DEBUG}); the cause, if any, is
 * kept for that.
 */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}

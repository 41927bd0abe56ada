package dev.ingest.api.server;

import dev.ingest.engine.IngestException;
import io.vertx.core.json.JsonObject;

/**
 * What a client is told when the engine could not write a request's records as a whole: the one
 * mapping from the class of the failure to an HTTP status, used by every body format (JSON,
 * NDJSON, CSV) so that a client's retry policy can rest on the status alone. Only what may succeed
 * when sent again later is 503 with {@code Retry-After}; what will fail the same way on every
 * retry (a dropped table, a missing privilege) is a 4xx that says what to fix.
 *
 * <table>
 *   <caption>Failure classes</caption>
 *   <tr><th>Failure</th><th>Status</th><th>{@code error}</th></tr>
 *   <tr><td>retryable (outage, shutdown, internal error)</td><td>503 + Retry-After</td><td>unavailable</td></tr>
 *   <tr><td>IG001 the table's columns kept changing while writing</td><td>503 + Retry-After</td><td>schema_changed</td></tr>
 *   <tr><td>42P01 the table is gone</td><td>404</td><td>unknown_table</td></tr>
 *   <tr><td>42703 a column is gone</td><td>400</td><td>unknown_column</td></tr>
 *   <tr><td>42501 the service's database role may not write</td><td>403</td><td>insufficient_privilege</td></tr>
 *   <tr><td>anything else (data classes 22, 23 and others)</td><td>422</td><td>refused</td></tr>
 * </table>
 *
 * @param status            the HTTP status
 * @param code              the stable {@code error} code
 * @param message           one line for people: what happened and what to do
 * @param sqlstate          the SQLSTATE behind the failure
 * @param retryAfterSeconds the {@code Retry-After}, or 0 for none
 */
record FailureAnswer(int status, String code, String message, String sqlstate, int retryAfterSeconds) {
    static final String SCHEMA_CHANGED = "IG001";

    /** The answer to {@code e}, a failure of a request for table {@code table} (its name as the client gave it or qualified). */
    static FailureAnswer of(IngestException e, String table) {
        String state = e.sqlstate();
        if (e.retryable()) {
            return new FailureAnswer(503, "unavailable", Responses.retryableMessage(e), state, 1);
        }
        return switch (state) {
            case SCHEMA_CHANGED -> new FailureAnswer(503, "schema_changed", "the columns of table \"" + table
                    + "\" changed repeatedly while the records were written; send them again", state, 1);
            case "42P01" -> new FailureAnswer(404, "unknown_table", "table \"" + table
                    + "\" no longer exists; create it again, or send the records to another table", state, 0);
            case "42703" -> new FailureAnswer(400, "unknown_column", e.getMessage()
                    + "; send only columns the table has (GET /v1/tables lists them)", state, 0);
            case "42501" -> new FailureAnswer(403, "insufficient_privilege", "the database refused the service's own role: "
                    + e.getMessage() + "; an operator must grant it INSERT on table \"" + table + "\"", state, 0);
            default -> new FailureAnswer(422, "refused", e.getMessage(), state, 0);
        };
    }

    /** The error body: {@code error}, {@code message}, {@code sqlstate} (and {@code retry_after_seconds} for a 503). */
    JsonObject body() {
        JsonObject body = Responses.error(code, message).put("sqlstate", sqlstate);
        return retryAfterSeconds > 0 ? body.put("retry_after_seconds", retryAfterSeconds) : body;
    }

    /** Sends this answer (with its {@code Retry-After}, if any). */
    void send(io.vertx.ext.web.RoutingContext ctx) {
        if (retryAfterSeconds > 0 && !ctx.response().ended() && !ctx.response().closed()) {
            ctx.response().putHeader("Retry-After", Integer.toString(retryAfterSeconds));
        }
        Responses.json(ctx, status, body());
    }

    /** The same answer, its message extended by {@code more} (e.g. how many records were committed before). */
    FailureAnswer withMore(String more) {
        return new FailureAnswer(status, code, message + more, sqlstate, retryAfterSeconds);
    }
}

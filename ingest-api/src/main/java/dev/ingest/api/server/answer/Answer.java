package dev.ingest.api.server.answer;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * One answer of the service that is not a plain success: its HTTP status, the stable
 * {@code error} code, a message for people, and the {@code Retry-After} to honour. Made by
 * {@link Answers}, the one map from what happened to what a client is told. Immutable.
 *
 * @param status            the HTTP status
 * @param code              the stable {@code error} code; null for a plain success (an upload's 200)
 * @param message           one line for people: what happened and what to do; null with a null code
 * @param sqlstate          the SQLSTATE behind a failure of the database's, or null
 * @param retryAfterSeconds the {@code Retry-After} (header and {@code retry_after_seconds}), or 0 for none
 */
public record Answer(int status, String code, String message, String sqlstate, int retryAfterSeconds) {
    /** The error body: {@code error}, {@code message}, {@code sqlstate} and {@code retry_after_seconds} where there are. */
    public JsonObject body() {
        return addTo(new JsonObject());
    }

    /** Puts this answer's fields after those of {@code body} (e.g. an upload's counts); returns {@code body}. */
    public JsonObject addTo(JsonObject body) {
        if (code != null) {
            body.put("error", code).put("message", message);
        }
        if (sqlstate != null) {
            body.put("sqlstate", sqlstate);
        }
        return retryAfterSeconds > 0 ? body.put("retry_after_seconds", retryAfterSeconds) : body;
    }

    /** Sends this answer with its error body (and its {@code Retry-After}, if any). */
    public void send(RoutingContext ctx) {
        send(ctx, body());
    }

    /** Sends this answer's status (and {@code Retry-After}) with {@code body}, which should hold {@link #addTo} fields. */
    public void send(RoutingContext ctx, JsonObject body) {
        if (retryAfterSeconds > 0 && !ctx.response().ended() && !ctx.response().closed()) {
            ctx.response().putHeader("Retry-After", Integer.toString(retryAfterSeconds));
        }
        json(ctx, status, body);
    }

    /** The same answer with another message (e.g. one that says how many records were committed before). */
    public Answer withMessage(String text) {
        return new Answer(status, code, text, sqlstate, retryAfterSeconds);
    }

    /** Sends a JSON body; nothing when the client went away or the response is already ended. */
    public static void json(RoutingContext ctx, int status, JsonObject body) {
        HttpServerResponse r = ctx.response();
        if (r.ended() || r.closed()) {
            return; // the client went away; nothing to answer
        }
        r.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}

package dev.ingest.api.server;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON answers. Every error body has the shape {@code {"error": code, "message": text, ...}}. */
final class Responses {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Responses.class);
    private Responses() {
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        HttpServerResponse r = ctx.response();
        if (r.ended() || r.closed()) {
            return; // the client went away; nothing to answer
        }
        r.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    static void error(RoutingContext ctx, int status, String code, String message) {
        json(ctx, status, error(code, message));
    }

    static JsonObject error(String code, String message) {
        return new JsonObject().put("error", code).put("message", message);
    }

    /** 429 or 503 with a Retry-After in whole seconds. */
    static void retryLater(RoutingContext ctx, int status, String code, String message, int retryAfterSeconds) {
        if (!ctx.response().ended() && !ctx.response().closed()) {
            ctx.response().putHeader("Retry-After", Integer.toString(retryAfterSeconds));
        }
        json(ctx, status, error(code, message).put("retry_after_seconds", retryAfterSeconds));
    }

    /**
     * What a client is told of a write that may succeed on a retry: the engine's message, which
     * is written for clients, except for internal errors, whose details (which may name hosts,
     * ports or classes) belong in the log only.
     */
    static String retryableMessage(dev.ingest.engine.IngestException e) {
        if (e.sqlstate().startsWith("XX") || e.sqlstate().startsWith("08")) {
            log.warn("write failed, the client may retry: sqlstate={} message={}", e.sqlstate(), e.getMessage());
            return e.sqlstate().startsWith("08") ? "the database is unavailable; retry later"
                    : "an internal error occurred while writing (it has been logged); retry later";
        }
        return e.getMessage();
    }

    /** 202 for {@code ack=queued}: how many records of the body are queued. */
    static void queued(RoutingContext ctx, long records) {
        json(ctx, 202, new JsonObject().put("queued", records));
    }
}

package dev.ingest.api.internal.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON answers. Every error body has the shape {@code {"error": code, "message": text, ...}}. */
final class Responses {
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

    /** 202 for {@code ack=queued}: how many records of the body are queued. */
    static void queued(RoutingContext ctx, long records) {
        json(ctx, 202, new JsonObject().put("queued", records));
    }
}

package dev.ingest.api.server;

import dev.ingest.api.server.answer.Answer;
import dev.ingest.api.server.answer.Answers;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * JSON answers of the server package that are successes. Every error body has the shape
 * {@code {"error": code, "message": text, ...}}, and which status and code an error gets is
 * {@link Answers}' to say.
 */
final class Responses {
    private Responses() {
    }

    /** A success's body (or an error body the caller completed from an {@link Answer}). */
    static void json(RoutingContext ctx, int status, JsonObject body) {
        Answer.json(ctx, status, body);
    }

    /** 202 for {@code ack=queued}: how many records of the body are queued. */
    static void queued(RoutingContext ctx, long records) {
        json(ctx, 202, new JsonObject().put("queued", records));
    }
}

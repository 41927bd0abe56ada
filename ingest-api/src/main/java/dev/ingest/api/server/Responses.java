package dev.ingest.api.server;

import dev.ingest.api.server.answer.Answer;
import dev.ingest.api.server.answer.Answers;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * JSON answers of the server package. Every error body has the shape
 * {@code {"error": code, "message": text, ...}}; which status and code an error gets is
 * {@link Answers}' to say (the methods here that take a status are for the two uploads that
 * still choose it themselves).
 */
final class Responses {
    private Responses() {
    }

    /** A success's body (or an error body the caller completed from an {@link Answer}). */
    static void json(RoutingContext ctx, int status, JsonObject body) {
        Answer.json(ctx, status, body);
    }

    /** @deprecated take the answer from {@link Answers}; for BufferedUpload and StreamingUpload until they do. */
    @Deprecated(forRemoval = true)
    static void error(RoutingContext ctx, int status, String code, String message) {
        json(ctx, status, error(code, message));
    }

    /** @deprecated take the answer from {@link Answers} ({@link Answer#body()}); for the two uploads until they do. */
    @Deprecated(forRemoval = true)
    static JsonObject error(String code, String message) {
        return new JsonObject().put("error", code).put("message", message);
    }

    /** @deprecated take the answer from {@link Answers}; for BufferedUpload until it does. */
    @Deprecated(forRemoval = true)
    static void retryLater(RoutingContext ctx, int status, String code, String message, int retryAfterSeconds) {
        new Answer(status, code, message, null, retryAfterSeconds).send(ctx);
    }

    /** 202 for {@code ack=queued}: how many records of the body are queued. */
    static void queued(RoutingContext ctx, long records) {
        json(ctx, 202, new JsonObject().put("queued", records));
    }
}

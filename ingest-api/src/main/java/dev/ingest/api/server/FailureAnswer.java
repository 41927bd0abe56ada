package dev.ingest.api.server;

import dev.ingest.api.server.answer.Answer;
import dev.ingest.api.server.answer.Answers;
import dev.ingest.engine.IngestException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The answer to a whole-request failure, as BufferedUpload and StreamingUpload still take it: a
 * view of {@link Answers#failed}, which is where the mapping is.
 *
 * @deprecated use {@link Answers#failed} and {@link Answer}; remove once the two uploads do.
 */
@Deprecated(forRemoval = true)
record FailureAnswer(int status, String code, String message, String sqlstate, int retryAfterSeconds) {
    static FailureAnswer of(IngestException e, String table) {
        Answer a = Answers.failed(e, table);
        return new FailureAnswer(a.status(), a.code(), a.message(), a.sqlstate(), a.retryAfterSeconds());
    }

    JsonObject body() {
        return answer().body();
    }

    void send(RoutingContext ctx) {
        answer().send(ctx);
    }

    FailureAnswer withMore(String more) {
        return new FailureAnswer(status, code, message + more, sqlstate, retryAfterSeconds);
    }

    private Answer answer() {
        return new Answer(status, code, message, sqlstate, retryAfterSeconds);
    }
}

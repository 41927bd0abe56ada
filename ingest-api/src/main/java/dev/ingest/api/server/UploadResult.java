package dev.ingest.api.server;

import dev.ingest.engine.IngestResult;
import dev.ingest.engine.Rejection;
import dev.ingest.engine.RequestAnswer;
import dev.ingest.engine.RequestAnswerJson;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of one request whose records were committed in one or more segments, or stored in
 * parts under its idempotency key: the sum of their {@link RequestAnswer}s. Keeps at most
 * {@value #MAX_LISTED} rejections in detail, so that a body of a million bad lines cannot use a
 * million rejections' worth of memory; the count stays exact. Event-loop confined.
 */
final class UploadResult {
    static final int MAX_LISTED = 10_000;

    private long accepted;
    private long rejectedCount;
    private IngestResult.Conflicts conflicts; // null unless a part was an upsert
    private final List<Rejection> rejected = new ArrayList<>();

    void add(IngestResult segment) {
        add(segment.answer());
    }

    /** Adds a part's answer: a committed segment's, or one stored under the request's key. */
    void add(RequestAnswer part) {
        accepted += part.accepted();
        if (part.conflicts() != null) {
            IngestResult.Conflicts c = conflicts == null ? new IngestResult.Conflicts(0, 0, 0) : conflicts;
            conflicts = new IngestResult.Conflicts(c.inserted() + part.conflicts().inserted(), c.updated() + part.conflicts().updated(),
                    c.ignored() + part.conflicts().ignored());
        }
        rejectedCount += part.rejectedCount();
        for (Rejection r : part.rejected()) {
            if (rejected.size() == MAX_LISTED) {
                break;
            }
            rejected.add(r);
        }
    }

    long accepted() {
        return accepted;
    }

    /** Records answered for: accepted and refused. */
    long records() {
        return accepted + rejectedCount;
    }

    boolean allRejected() {
        return answer().outcome() == RequestAnswer.Outcome.ALL_REJECTED;
    }

    /** The sum as one answer. */
    RequestAnswer answer() {
        return new RequestAnswer(accepted, rejected, rejectedCount, conflicts);
    }

    /** The answer's JSON ({@link RequestAnswerJson#fields}), for the caller to add an error to. */
    JsonObject toJson() {
        return new JsonObject(RequestAnswerJson.fields(answer()));
    }
}

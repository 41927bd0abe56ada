package dev.ingest.api.server;

import dev.ingest.engine.IngestResult;
import dev.ingest.engine.Rejection;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The outcome of one request whose records were committed in one or more segments. Keeps at most
 * {@value #MAX_LISTED} rejections in detail, so that a body of a million bad lines cannot use a
 * million rejections' worth of memory; the count stays exact.
 */
final class UploadResult {
    static final int MAX_LISTED = 10_000;

    private long accepted;
    private long rejectedCount;
    private boolean upsert;
    private long inserted;
    private long updated;
    private long ignored;
    private final JsonArray rejected = new JsonArray();

    void add(IngestResult segment) {
        accepted += segment.accepted();
        if (segment.conflicts() != null) {
            upsert = true;
            inserted += segment.conflicts().inserted();
            updated += segment.conflicts().updated();
            ignored += segment.conflicts().ignored();
        }
        for (Rejection r : segment.rejected()) {
            rejectedCount++;
            if (rejected.size() < MAX_LISTED) {
                rejected.add(new JsonObject().put("index", r.index()).put("sqlstate", r.sqlstate()).put("message", r.message()));
            }
        }
    }

    /** Adds an answer stored under an idempotency key: {"accepted": N, "rejected": [...]}. */
    void add(JsonObject stored) {
        accepted += stored.getLong("accepted", 0L);
        if (stored.containsKey("inserted")) {
            upsert = true;
            inserted += stored.getLong("inserted", 0L);
            updated += stored.getLong("updated", 0L);
            ignored += stored.getLong("ignored", 0L);
        }
        JsonArray list = stored.getJsonArray("rejected", new JsonArray());
        for (int i = 0; i < list.size(); i++) {
            rejectedCount++;
            if (rejected.size() < MAX_LISTED) {
                rejected.add(list.getJsonObject(i));
            }
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
        return accepted == 0 && rejectedCount > 0;
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject().put("accepted", accepted);
        if (upsert) {
            o.put("inserted", inserted).put("updated", updated).put("ignored", ignored);
        }
        o.put("rejected", rejected);
        if (rejectedCount > rejected.size()) {
            o.put("rejected_count", rejectedCount).put("rejected_truncated", true);
        }
        return o;
    }
}

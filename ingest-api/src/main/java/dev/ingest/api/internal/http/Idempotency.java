package dev.ingest.api.internal.http;

import dev.ingest.engine.IngestRequest;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * One request's idempotency: its key (or none), the answers stored under it before this request,
 * and what to do once the request is finished. Event-loop confined.
 */
final class Idempotency {
    private final IdempotencyKeys keys;
    private final String key;
    private final List<IdempotencyKeys.Stored> stored;
    private Runnable done;

    Idempotency(IdempotencyKeys keys, String key, List<IdempotencyKeys.Stored> stored, Runnable done) {
        this.keys = keys;
        this.key = key;
        this.stored = List.copyOf(stored);
        this.done = done;
    }

    boolean keyed() {
        return key != null;
    }

    String key() {
        return key;
    }

    IdempotencyKeys keys() {
        return keys;
    }

    /** Answers stored under the key before this request arrived. */
    List<IdempotencyKeys.Stored> stored() {
        return stored;
    }

    /** Sets the key on a builder and skips the records already committed under it. */
    IngestRequest.Builder apply(IngestRequest.Builder builder) {
        if (key == null) {
            return builder;
        }
        IntPredicate committed = i -> {
            for (IdempotencyKeys.Stored s : stored) {
                if (i >= s.firstIndex() && i < s.endIndex()) {
                    return true;
                }
            }
            return false;
        };
        return builder.idempotencyKey(key).skip(stored.isEmpty() ? i -> false : committed);
    }

    /** The request is finished: its key is no longer in flight. Runs once. */
    void finished() {
        Runnable d = done;
        done = null;
        if (d != null) {
            d.run();
        }
    }
}

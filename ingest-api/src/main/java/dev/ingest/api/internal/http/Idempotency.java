package dev.ingest.api.internal.http;

import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.OnConflict;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * What one request asks of every segment it is written in: its idempotency key (or none), the
 * answers stored under that key before it, its conflict handling, and what to do once it is
 * finished. Event-loop confined.
 */
final class Idempotency {
    private final IdempotencyKeys keys;
    private final String key;
    private final List<IdempotencyKeys.Stored> stored;
    private final OnConflict onConflict;
    private Runnable done;

    Idempotency(IdempotencyKeys keys, String key, List<IdempotencyKeys.Stored> stored, Runnable done, OnConflict onConflict) {
        this.keys = keys;
        this.key = key;
        this.stored = List.copyOf(stored);
        this.done = done;
        this.onConflict = onConflict;
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

    /** Sets the request's options on a segment's builder; skips records committed under its key. */
    IngestRequest.Builder apply(IngestRequest.Builder builder) {
        builder.onConflict(onConflict);
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

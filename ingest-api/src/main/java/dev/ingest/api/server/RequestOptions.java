package dev.ingest.api.server;

import dev.ingest.api.server.auth.Auth;
import dev.ingest.engine.IngestResult;
import dev.ingest.engine.RequestAnswer;
import dev.ingest.engine.OnConflict;
import dev.ingest.engine.RequestBuilder;
import dev.ingest.engine.SegmentOptions;
import dev.ingest.engine.UploadSession.SegmentOutcome;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * What one request asks of every segment it is written in: its idempotency key (or none) with
 * the caller's scope and the fingerprint that binds it, the answers stored under that key before it, its conflict handling, whether it is answered when
 * queued ({@code ack=queued}) or when committed, whether its refused records are kept in
 * {@code ingest.rejects} too, and what to do once it is finished.
 * Event-loop confined.
 */
final class RequestOptions implements SegmentOptions {
    private final IdempotencyKeys keys;
    private final String scope;
    private final String key;
    private final BodyFingerprint fingerprint;
    private final List<IdempotencyKeys.Stored> stored;
    private final OnConflict onConflict;
    private final boolean ackQueued;
    private final boolean keepRejects;
    private final String source;
    private Runnable done;
    private final Runnable abandoned;

    /**
     * @param keepRejects whether refused records also go to {@code ingest.rejects} when the
     *                    client waits for the answer ({@code rejects=keep} or the table's setting)
     * @param source      who sent the records, for {@code ingest.rejects}
     * @param abandoned   counts an answer the client did not read (see {@link AnswerWriter})
     */
    RequestOptions(IdempotencyKeys keys, String scope, String key, List<IdempotencyKeys.Stored> stored, BodyFingerprint fingerprint,
            Runnable done, OnConflict onConflict, boolean ackQueued, boolean keepRejects, String source, Runnable abandoned) {
        this.abandoned = abandoned;
        this.ackQueued = ackQueued;
        this.keepRejects = keepRejects;
        this.source = source;
        this.keys = keys;
        this.scope = scope;
        this.key = key;
        this.fingerprint = fingerprint;
        this.stored = List.copyOf(stored);
        this.done = done;
        this.onConflict = onConflict;
    }

    /**
     * {@code ack=queued}: the answer is 202 once every record is queued, and refused records go
     * to the dead-letter table instead of into the answer.
     */
    boolean ackQueued() {
        return ackQueued;
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

    /** Whose key it is (see {@link Auth#scope}). */
    String scope() {
        return scope;
    }

    /** What the key is bound to; null when the request has no key. */
    BodyFingerprint fingerprint() {
        return fingerprint;
    }

    /** Answers stored under the key before this request arrived. */
    List<IdempotencyKeys.Stored> stored() {
        return stored;
    }

    /** A part of a keyed body's answer: stored before this attempt, or committed by it. */
    private record Part(int firstIndex, RequestAnswer stored, IngestResult committed) {
    }

    /**
     * The answer for the whole body: what was stored under the key before this attempt (read when
     * it began) and what the attempt's segments committed, in body order, as any retry will answer.
     */
    UploadResult withStored(List<SegmentOutcome> committed) {
        List<Part> parts = new ArrayList<>();
        stored.forEach(s -> parts.add(new Part(s.firstIndex(), s.result(), null)));
        committed.forEach(o -> parts.add(new Part(o.firstIndex(), null, o.result())));
        parts.sort(Comparator.comparingInt(Part::firstIndex));
        UploadResult all = new UploadResult();
        for (Part p : parts) {
            if (p.stored() != null) {
                all.add(p.stored());
            } else {
                all.add(p.committed());
            }
        }
        return all;
    }

    /** Sets the request's options on a segment's builder; skips records committed under its key. */
    @Override
    public RequestBuilder apply(RequestBuilder builder) {
        builder.onConflict(onConflict).deadLetter(ackQueued).keepRejects(ackQueued || keepRejects).source(source);
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
        return builder.idempotencyKey(scope, key).skip(stored.isEmpty() ? i -> false : committed);
    }

    /** Binds a keyed segment to the body so far, as it is submitted. */
    @Override
    public void seal(RequestBuilder segment) {
        if (key != null) {
            segment.fingerprint(fingerprint.current());
        }
    }

    /** Counts this request's answer as given up: the client read none of it for the write timeout. */
    void answerAbandoned() {
        abandoned.run();
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

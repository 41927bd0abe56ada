package dev.ingest.api.server;

import dev.ingest.api.config.HttpConfig;
import dev.ingest.api.config.PeerTimeouts;
import dev.ingest.api.config.StreamingConfig;
import dev.ingest.api.formats.BodyException;
import dev.ingest.api.formats.StreamDecoder;
import dev.ingest.api.server.answer.Answer;
import dev.ingest.api.server.answer.Answers;
import dev.ingest.api.server.answer.Answers.Backlog;
import dev.ingest.engine.Admission;
import dev.ingest.engine.IngestEngine;
import dev.ingest.engine.IngestException;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.UploadSession;
import dev.ingest.engine.UploadSession.SegmentOutcome;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NDJSON or CSV upload, decoded as it arrives and committed in segments of about
 * {@link StreamingConfig#segmentRows} records (or {@link StreamingConfig#segmentBytes}), through the engine's {@link UploadSession}, which reserves the
 * memory of decoded records before a chunk is decoded (an estimate, trued up after), so every
 * decoded record is within the budget. When the budget or the writer queue is full the upload is
 * paused (TCP backpressure reaches the client) instead of buffered, and resumed when writers free
 * room. The answer comes after the last segment is committed, or with {@code ack=queued} once it
 * is queued.
 *
 * <p>A body from which no byte arrives for {@link PeerTimeouts#bodyIdle()} while the upload reads
 * is answered 408 once its submitted segments have committed, with their count; time the upload
 * is paused by its own backpressure does not count, since then the client is not the one idle.
 *
 * <p>Where it is, is one {@link State}; {@link #moveTo} is the one place that changes it:
 * <pre>
 *   READING ----> PAUSED_FOR_MEMORY | PAUSED_FOR_QUEUE | REFRESHING_CATALOG ----> READING
 *   READING ----> ENDING (the end of the body is decoded) ----> ANSWERING ----> DONE
 *   ENDING -----> REFRESHING_CATALOG (then READING decodes the end again)
 *   any --------> DONE (answered early: a bad body, a cut, an idle client, a client gone)
 * </pre>
 *
 * <p>Event-loop confined: every method runs on the request's context.
 */
final class StreamingUpload {
    private static final Logger log = LoggerFactory.getLogger(StreamingUpload.class);
    /** Marks the end of the body in {@link #waiting}; compared by identity. */
    private static final byte[] END = new byte[0];

    /** Where the upload is. */
    enum State {
        /** Decoding what arrived; reading from the client when nothing waits. */
        READING,
        /** The budget has no room for the next chunk: input paused until writers free some. */
        PAUSED_FOR_MEMORY,
        /** A segment waits for room in a writer queue: input paused until it is taken. */
        PAUSED_FOR_QUEUE,
        /** The first records named a column the catalog did not know: input paused while it is read again. */
        REFRESHING_CATALOG,
        /** The end of the body is decoded; submitting the last segment. */
        ENDING,
        /** Every segment is submitted; waiting for them to commit, then answering. */
        ANSWERING,
        /** Answered (or answering for good): nothing more is read or submitted. */
        DONE
    }

    private static final Map<State, EnumSet<State>> NEXT = Map.of(
            State.READING, EnumSet.of(State.PAUSED_FOR_MEMORY, State.PAUSED_FOR_QUEUE, State.REFRESHING_CATALOG, State.ENDING,
                    State.DONE),
            State.PAUSED_FOR_MEMORY, EnumSet.of(State.READING, State.DONE),
            State.PAUSED_FOR_QUEUE, EnumSet.of(State.READING, State.DONE),
            State.REFRESHING_CATALOG, EnumSet.of(State.READING, State.DONE),
            State.ENDING, EnumSet.of(State.REFRESHING_CATALOG, State.ANSWERING, State.DONE),
            State.ANSWERING, EnumSet.of(State.DONE),
            State.DONE, EnumSet.noneOf(State.class));

    private final RoutingContext ctx;
    private final HttpServerRequest request;
    private final Context context;
    private final IngestEngine engine;
    private final Function<TableSchema, StreamDecoder> decoders;
    private final HttpConfig http;
    private final PeerTimeouts peers;
    private final StreamingConfig streaming;
    private final RequestOptions options;
    private final UploadSession session;
    private final ArrayDeque<byte[]> waiting = new ArrayDeque<>(); // arrived, not yet decoded; END once the body ended

    private State state = State.READING;
    private StreamDecoder decoder;
    private List<byte[]> replay = new ArrayList<>(); // the body so far while a catalog refresh may still come, else null
    private long replayBytes;
    private long bytes;
    private long lastRead; // System.nanoTime() of the last byte, or of the last resume after a pause

    /**
     * @param http      the body's limit, the peers' timeouts, the answer's slices and the {@code Retry-After} of an
     *                  unavailable service
     * @param streaming how the body is cut into segments
     */
    StreamingUpload(RoutingContext ctx, IngestEngine engine, TableSchema table, Function<TableSchema, StreamDecoder> decoders,
            HttpConfig http, StreamingConfig streaming, RequestOptions options) {
        this.options = options;
        this.http = http;
        this.peers = http.peerTimeouts();
        this.streaming = streaming;
        this.ctx = ctx;
        this.request = ctx.request();
        this.context = ctx.vertx().getOrCreateContext();
        this.engine = engine;
        this.decoders = decoders;
        this.decoder = decoders.apply(table);
        this.session = engine.open(table, options);
    }

    void start() {
        new RequestBody(ctx).handler(this::chunk).failureHandler(this::cut).endHandler(v -> {
            if (!answered()) {
                waiting.add(END);
                drain();
            }
        });
        request.exceptionHandler(e -> {
            if (!answered()) {
                abandon().whenComplete((o, x) -> context.runOnContext(v -> options.finished())); // the client went away
            }
        });
        lastRead = System.nanoTime();
        watchIdle(peers.bodyIdle().toMillis());
        request.resume();
    }

    /** The one place the state changes: checks the transition, and pauses the input when entering a pause. */
    private void moveTo(State next) {
        if (!NEXT.get(state).contains(next)) {
            throw new IllegalStateException("streaming upload cannot go from " + state + " to " + next);
        }
        state = next;
        switch (next) {
            case PAUSED_FOR_MEMORY, PAUSED_FOR_QUEUE, REFRESHING_CATALOG -> request.pause();
            default -> {
            }
        }
    }

    private boolean answered() {
        return state == State.ANSWERING || state == State.DONE;
    }

    private boolean bodyEnded() {
        return waiting.peekLast() == END;
    }

    private void watchIdle(long delayMillis) {
        ctx.vertx().setTimer(Math.max(1, delayMillis), t -> {
            if (answered() || state == State.ENDING || bodyEnded()) {
                return;
            }
            long limit = peers.bodyIdle().toNanos();
            long idle = System.nanoTime() - lastRead;
            if (state != State.READING) {
                watchIdle(peers.bodyIdle().toMillis()); // paused by us: lastRead restarts on resume
            } else if (idle < limit) {
                watchIdle(TimeUnit.NANOSECONDS.toMillis(limit - idle));
            } else {
                idleTimedOut();
            }
        });
    }

    /** No byte for the idle timeout: stop, let the submitted segments commit, then say how many records they hold. */
    private void idleTimedOut() {
        abandon().thenAccept(outcomes -> context.runOnContext(v -> {
            options.finished();
            long committed = 0;
            for (SegmentOutcome o : outcomes) {
                committed += o.failure() != null ? 0 : o.result().accepted();
            }
            // Closed once answered: the client may still send the rest, which nobody will read.
            ctx.response().putHeader("Connection", "close").endHandler(end -> ctx.request().connection().close());
            Answer answer = Answers.bodyTimeout("no byte of the body arrived for "
                    + peers.bodyIdle().toSeconds() + " s; " + committed + " records of it were committed before, the rest "
                    + (options.keyed() ? "were not: send it again with the same Idempotency-Key to write only the rest"
                    : "were not"));
            answer.send(ctx, answer.body().put("committed", committed));
        }));
    }

    private void chunk(Buffer buffer) {
        if (answered()) {
            return;
        }
        lastRead = System.nanoTime();
        bytes += buffer.length();
        if (bytes > http.maxBodyBytes()) {
            fail(Answers.bodyTooLarge(http.maxBodyBytes()));
            return;
        }
        waiting.add(buffer.getBytes());
        drain();
    }

    /**
     * Moves the upload on as far as it can: decodes waiting chunks while memory can be reserved,
     * submits full segments, and at the end submits the last one and answers. Returns when paused
     * (waiting for memory, for queue room, or for a catalog refresh; each of those calls it again)
     * or when it needs more of the body.
     */
    private void drain() {
        while (state == State.READING || state == State.ENDING) {
            if (state == State.ENDING) {
                submitLast();
                return;
            }
            byte[] next = waiting.peek();
            if (next == null) {
                lastRead = System.nanoTime(); // reading again (perhaps after a pause): the idle clock restarts
                request.resume();
                return;
            }
            if (next == END) {
                decodeEnd();
            } else {
                decodeNext(next);
            }
        }
    }

    private void decodeNext(byte[] data) {
        Admission room;
        try {
            room = session.decode(Math.max(1024, data.length * streaming.expansionEstimate()), sink -> {
                if (options.keyed()) {
                    // Checked before the chunk is decoded: a body that differs from what is stored under
                    // its key is refused before any of its records is written.
                    options.fingerprint().update(data);
                }
                if (!keyReused()) {
                    keepForReplay(data);
                    decoder.feed(data, sink);
                }
            });
        } catch (BodyException e) {
            waiting.poll();
            bodyFailed(e);
            return;
        }
        if (!room.accepted()) {
            if (session.holdsRecords()) {
                // What this upload holds may be what fills the budget: commit it, which frees room.
                submitSegment();
                if (state != State.READING) {
                    return;
                }
            }
            moveTo(State.PAUSED_FOR_MEMORY);
            session.whenWritable().thenRun(() -> context.runOnContext(v -> resumeFrom(State.PAUSED_FOR_MEMORY)));
            return;
        }
        waiting.poll();
        if (keyReused()) {
            fail(Answers.keyReused(RecordsHandler.KEY_REUSED));
            return;
        }
        if (session.segmentRecords() >= streaming.segmentRows() || session.segmentBytes() >= streaming.segmentBytes()) {
            submitSegment();
        }
    }

    private boolean keyReused() {
        return options.keyed() && options.fingerprint().differs();
    }

    private void keepForReplay(byte[] data) {
        if (replay != null) {
            replay.add(data);
            replayBytes += data.length;
            if (replayBytes > streaming.replayLimitBytes()) {
                replay = null;
            }
        }
    }

    /** The body ended: decodes what its last bytes complete, then moves on to submit the last segment. */
    private void decodeEnd() {
        try {
            session.decodeRest(decoder::end);
        } catch (BodyException e) {
            bodyFailed(e);
            return;
        }
        if (!decoder.sawContent() && session.submitted() == 0) {
            fail(Answers.emptyBody());
            return;
        }
        moveTo(State.ENDING);
    }

    /** ENDING: submits the last segment and, once it is taken, waits for every segment to answer. */
    private void submitLast() {
        if (options.keyed() && options.fingerprint().pending()) {
            fail(Answers.keyReused("the body is shorter than the one committed before under this "
                    + "Idempotency-Key; " + RecordsHandler.KEY_REUSED));
            return;
        }
        if (mayRefresh()) {
            refreshAndReplay();
            return;
        }
        replay = null;
        Admission a = session.flush();
        switch (a) {
            case ACCEPTED -> finish();
            case CLOSED -> refused(a);
            // The body has ended, so there is no input to pause: flush again when there is room.
            default -> session.whenWritable().thenRun(() -> context.runOnContext(v -> drain()));
        }
    }

    /**
     * The one place an {@link Admission} becomes an answer. Only {@link Admission#CLOSED} does: a
     * full budget or queue pauses the stream instead.
     */
    private void refused(Admission why) {
        if (why == Admission.CLOSED) {
            fail(Answers.refused(why, Backlog.of(engine, session.table(), session.segmentBytes()),
                    http.unavailableRetryAfterSeconds()));
        }
    }

    /** Whether the first segment is about to go with records that named a column the catalog did not know. */
    private boolean mayRefresh() {
        return session.submitted() == 0 && replay != null && decoder.sawUnknownColumn();
    }

    /** READING: submits what the session holds as a segment. */
    private void submitSegment() {
        if (mayRefresh()) {
            refreshAndReplay();
            return;
        }
        if (options.keyed() && options.fingerprint().pending() && session.holdsRecords()) {
            // New records before a part stored under the key that is not checked yet (a gap left
            // by an interrupted attempt): they wait until the body is known to be the same one.
            return;
        }
        replay = null;
        Admission a = session.flush();
        switch (a) {
            case ACCEPTED -> {
            }
            case CLOSED -> refused(a);
            default -> {
                // The memory is reserved already, so only a writer queue is full: wait for room.
                moveTo(State.PAUSED_FOR_QUEUE);
                waitForQueue();
            }
        }
    }

    private void waitForQueue() {
        session.whenWritable().thenRun(() -> context.runOnContext(v -> {
            if (state != State.PAUSED_FOR_QUEUE) {
                return;
            }
            Admission a = session.flush();
            switch (a) {
                case ACCEPTED -> resumeFrom(State.PAUSED_FOR_QUEUE);
                case CLOSED -> refused(a);
                default -> waitForQueue();
            }
        }));
    }

    /** Back to reading after a pause, unless the upload was answered meanwhile. */
    private void resumeFrom(State pause) {
        if (state == pause) {
            moveTo(State.READING);
            drain();
        }
    }

    /** The first records named a column the catalog did not know: look again, then decode anew. */
    private void refreshAndReplay() {
        List<byte[]> body = replay;
        replay = null; // once only
        moveTo(State.REFRESHING_CATALOG);
        Future.fromCompletionStage(engine.catalog().resolve(session.table().qualifiedName(), true), context).onComplete(ar -> {
            if (state != State.REFRESHING_CATALOG) {
                return;
            }
            TableSchema table = ar.succeeded() && ar.result().isPresent() ? ar.result().get() : session.table();
            decoder = decoders.apply(table);
            session.restart(table);
            try {
                session.decodeRest(sink -> {
                    for (byte[] data : body) {
                        decoder.feed(data, sink);
                    }
                });
            } catch (BodyException e) {
                bodyFailed(e);
                return;
            }
            moveTo(State.READING); // an ended body's end is decoded again from there
            drain();
        });
    }

    private void finish() {
        if (options.ackQueued()) {
            // Every record is queued; refused ones go to ingest.rejects with their segment.
            moveTo(State.DONE);
            session.finish(); // nobody waits for the outcome
            options.finished();
            Responses.queued(ctx, session.nextIndex());
            return;
        }
        moveTo(State.ANSWERING);
        session.finish().thenAccept(outcomes -> context.runOnContext(v -> answer(outcomes)));
    }

    private void answer(List<SegmentOutcome> outcomes) {
        moveTo(State.DONE);
        UploadResult result = new UploadResult();
        IngestException failure = null;
        for (SegmentOutcome o : outcomes) {
            if (o.failure() != null) {
                failure = o.failure();
            } else {
                result.add(o.result());
            }
        }
        if (failure == null && options.keyed()) {
            if (outcomes.stream().anyMatch(o -> o.result().duplicate())) {
                // Another request (a retry on another replica) committed part of the body under
                // the key first: only the database knows what was stored for that part.
                storedAnswer();
                return;
            }
            // Summed from what is known already, not read back from the database.
            if (!options.stored().isEmpty()) {
                ctx.response().putHeader("Idempotent-Replayed", "true");
            }
            respond(options.withStored(outcomes), null);
            return;
        }
        respond(result, failure);
    }

    /** Answers with the sum of the answers stored under the key, every part's, as any retry will get. */
    private void storedAnswer() {
        options.keys().lookup(options.scope(), session.table(), options.key()).onComplete(ar -> {
            if (ar.failed()) {
                log.warn("idempotency key lookup failed: table={} message={}", session.table().qualifiedName(),
                        ar.cause().getMessage());
                respond(new UploadResult(), new IngestException("08006", "the database is unavailable", true, ar.cause()));
                return;
            }
            UploadResult all = new UploadResult();
            ar.result().forEach(s -> all.add(s.result()));
            ctx.response().putHeader("Idempotent-Replayed", "true");
            respond(all, null);
        });
    }

    private void respond(UploadResult result, IngestException failure) {
        options.finished();
        if (failure != null) {
            // Some segments may be committed, some are not: say how many are.
            if (!failure.retryable()) {
                log.warn("segment failed as a whole: table={} sqlstate={} message={}", session.table().name(), failure.sqlstate(),
                        failure.getMessage());
            }
            Answer answer = failed(failure);
            answer.withMessage(answer.message() + "; " + result.accepted() + " records of this body were committed before it")
                    .send(ctx);
        } else {
            AnswerWriter.send(ctx, Answers.result(result.answer()), result.toJson(), engine, http, options::answerAbandoned);
        }
    }

    private void bodyFailed(BodyException e) {
        if (e.columnName() != null && session.submitted() == 0 && replay != null) {
            // A CSV header naming a column added since the catalog was read.
            refreshAndReplay();
            return;
        }
        failWith(Answers.body(e), e.columnName());
    }

    private void fail(Answer answer) {
        failWith(answer, null);
    }

    /** Answers now (with the column the body named, if any); segments already submitted still commit, and the answer says so. */
    private void failWith(Answer answer, String columnName) {
        boolean submitted = session.submitted() > 0;
        // The key stays in flight until the segments already submitted have committed or failed;
        // with none being written it is free before the answer leaves, so that a client's next
        // request, on any connection and event loop, finds it free.
        CompletableFuture<List<SegmentOutcome>> abandoned = abandon();
        if (abandoned.isDone()) {
            options.finished();
        } else {
            abandoned.whenComplete((o, e) -> context.runOnContext(v -> options.finished()));
        }
        if (submitted) {
            answer = answer.withMessage(answer.message() + "; records before this point were "
                    + (options.ackQueued() ? "queued" : "committed") + " in earlier segments");
        }
        JsonObject body = answer.body();
        if (columnName != null) {
            body.put("column_name", columnName);
        }
        ctx.response().putHeader("Connection", "close");
        answer.send(ctx, body);
    }

    private Answer failed(IngestException failure) {
        return Answers.failed(failure, session.table().name(), http.unavailableRetryAfterSeconds());
    }

    /**
     * The body broke off (truncated, a corrupt encoding, broken framing): nothing more of it is
     * committed, and the answer, once the segments submitted before have committed, says how many
     * of the first records were, so that the client can send the rest.
     */
    private void cut(BodyException e) {
        if (answered()) {
            return;
        }
        abandon().thenAccept(outcomes -> context.runOnContext(v -> answerCut(e, outcomes)));
    }

    private void answerCut(BodyException e, List<SegmentOutcome> outcomes) {
        options.finished();
        UploadResult result = new UploadResult();
        for (SegmentOutcome o : outcomes) {
            if (o.failure() != null) {
                Answer answer = failed(o.failure());
                answer.withMessage(e.getMessage() + ", and a segment before the cut failed: " + answer.message() + "; "
                        + result.accepted() + " records of this body were committed").send(ctx);
                return;
            }
            result.add(o.result());
        }
        long records = result.records();
        Answer answer = Answers.body(e).withMessage(e.getMessage() + "; the first " + records + " records of the body were "
                + (options.ackQueued() ? "queued" : "committed") + " (" + result.accepted()
                + " accepted, the others refused as listed), none after them: send the rest again");
        // The counts first, then the error, as this answer has always been laid out.
        JsonObject body = result.toJson().put("error", answer.code()).put("records_committed", records)
                .put("message", answer.message());
        ctx.response().putHeader("Connection", "close");
        answer.send(ctx, body);
    }

    /**
     * Stops for good: the session gives back every reservation still held; segments already
     * submitted still commit. Completes with their outcomes.
     */
    private CompletableFuture<List<SegmentOutcome>> abandon() {
        moveTo(State.DONE);
        waiting.clear();
        return session.abandon();
    }
}

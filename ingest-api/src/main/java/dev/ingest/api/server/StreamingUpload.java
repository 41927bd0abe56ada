package dev.ingest.api.server;

import dev.ingest.api.config.PeerTimeouts;
import dev.ingest.api.formats.BodyException;
import dev.ingest.api.formats.StreamDecoder;
import dev.ingest.engine.IngestEngine;
import dev.ingest.engine.IngestException;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.IngestResult;
import dev.ingest.engine.MemoryBudget;
import dev.ingest.engine.TableSchema;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One NDJSON or CSV upload, decoded as it arrives and committed in segments of about
 * {@value #SEGMENT_ROWS} records. The memory of decoded records is reserved from the engine's
 * {@link MemoryBudget} before a chunk is decoded (an estimate, trued up after) and handed to the
 * engine with the segment, so every decoded record is within the budget. When the budget is
 * used up the upload is paused (TCP backpressure reaches the client) instead of buffered, and
 * resumed when writers free room. The answer comes after the last segment is committed, or with
 * {@code ack=queued} once it is queued.
 *
 * <p>A body from which no byte arrives for {@link PeerTimeouts#bodyIdle()} while the upload reads
 * is answered 408 once its submitted segments have committed, with their count; time the upload
 * is paused by its own backpressure does not count, since then the client is not the one idle.
 *
 * <p>Event-loop confined: every method runs on the request's context.
 */
final class StreamingUpload {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StreamingUpload.class);
    static final int SEGMENT_ROWS = 2000;
    static final long SEGMENT_BYTES = 4L * 1024 * 1024;
    /** Decoded records take about this many times the bytes of their text (an upper estimate). */
    private static final long EXPANSION = 3;
    private static final long QUEUE_RETRY_MILLIS = 5;
    /** Bytes kept to decode the start of the body again after a catalog refresh. */
    private static final long REPLAY_LIMIT = 64 * 1024;

    private final RoutingContext ctx;
    private final HttpServerRequest request;
    private final Context context;
    private final IngestEngine engine;
    private final MemoryBudget budget;
    private final Function<TableSchema, StreamDecoder> decoders;
    private final long maxBodyBytes;
    private final RequestOptions options;
    private final PeerTimeouts peers;
    private final List<CompletableFuture<IngestResult>> segments = new ArrayList<>();
    private final ArrayDeque<byte[]> waiting = new ArrayDeque<>(); // arrived, not yet decoded

    private TableSchema table;
    private StreamDecoder decoder;
    private IngestRequest.Builder current;
    private long reserved; // budget bytes held for the records in current
    private IngestRequest pending; // a segment waiting for room in a writer's queue (holds its bytes)
    private List<byte[]> replay = new ArrayList<>(); // the body so far, until the first segment is submitted
    private long replayBytes;
    private boolean refreshed;
    private boolean refreshing;
    private boolean waitingForBudget;
    private long bytes;
    private boolean ended;
    private boolean endDecoded;
    private boolean done;
    private long lastRead; // System.nanoTime() of the last byte, or of the last resume after a pause

    StreamingUpload(RoutingContext ctx, IngestEngine engine, TableSchema table, Function<TableSchema, StreamDecoder> decoders,
            long maxBodyBytes, PeerTimeouts peers, RequestOptions options) {
        this.options = options;
        this.peers = peers;
        this.ctx = ctx;
        this.request = ctx.request();
        this.context = ctx.vertx().getOrCreateContext();
        this.engine = engine;
        this.budget = engine.budget();
        this.decoders = decoders;
        this.maxBodyBytes = maxBodyBytes;
        this.table = table;
        this.decoder = decoders.apply(table);
        this.current = options.apply(IngestRequest.builder(table, 0));
    }

    void start() {
        new RequestBody(ctx).handler(this::chunk).failureHandler(this::cut).endHandler(v -> {
            if (!done) {
                ended = true;
                drain();
            }
        });
        request.exceptionHandler(e -> {
            if (!done) {
                abandon(); // the client went away; submitted segments still commit
                finishedWhenSubmittedComplete();
            }
        });
        lastRead = System.nanoTime();
        watchIdle(peers.bodyIdle().toMillis());
        request.resume();
    }

    private void watchIdle(long delayMillis) {
        ctx.vertx().setTimer(Math.max(1, delayMillis), t -> {
            if (done || ended) {
                return;
            }
            long limit = peers.bodyIdle().toNanos();
            boolean reading = pending == null && !refreshing && !waitingForBudget;
            long idle = System.nanoTime() - lastRead;
            if (!reading) {
                watchIdle(peers.bodyIdle().toMillis()); // paused by us: lastRead restarts on resume
            } else if (idle < limit) {
                watchIdle(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(limit - idle));
            } else {
                idleTimedOut();
            }
        });
    }

    /** No byte for the idle timeout: stop, let the submitted segments commit, then say how many records they hold. */
    private void idleTimedOut() {
        abandon();
        List<CompletableFuture<IngestResult>> submitted = List.copyOf(segments);
        CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new)).handle((ok, e) -> null)
                .thenRun(() -> context.runOnContext(v -> {
                    options.finished();
                    long committed = 0;
                    for (CompletableFuture<IngestResult> s : submitted) {
                        committed += s.isCompletedExceptionally() ? 0 : s.join().accepted();
                    }
                    // Closed once answered: the client may still send the rest, which nobody will read.
                    ctx.response().putHeader("Connection", "close").endHandler(end -> ctx.request().connection().close());
                    Responses.json(ctx, 408, Responses.error("body_timeout", "no byte of the body arrived for "
                            + peers.bodyIdle().toSeconds() + " s; " + committed + " records of it were committed before, the rest "
                            + (options.keyed() ? "were not: send it again with the same Idempotency-Key to write only the rest"
                            : "were not"))
                            .put("committed", committed));
                }));
    }

    private void chunk(Buffer buffer) {
        if (done) {
            return;
        }
        lastRead = System.nanoTime();
        bytes += buffer.length();
        if (bytes > maxBodyBytes) {
            fail(413, "payload_too_large", "the body exceeds the limit of " + maxBodyBytes + " bytes");
            return;
        }
        waiting.add(buffer.getBytes());
        drain();
    }

    /**
     * Moves the upload on as far as it can: decodes waiting chunks while memory can be reserved,
     * submits full segments, and at the end submits the last one and answers. Stops (paused) while
     * waiting for memory, for queue room, or for a catalog refresh; each of those calls it again.
     */
    private void drain() {
        while (!done && pending == null && !refreshing && !waitingForBudget) {
            if (!waiting.isEmpty()) {
                decodeNext();
            } else if (!ended) {
                lastRead = System.nanoTime(); // reading again (perhaps after a pause): the idle clock restarts
                request.resume();
                return;
            } else if (!endDecoded) {
                endDecoded = true;
                try {
                    decoder.end(current);
                } catch (BodyException e) {
                    bodyFailed(e);
                    return;
                }
                trueUp();
                if (!decoder.sawContent() && segments.isEmpty()) {
                    fail(400, "malformed_body", "empty body: expected records");
                    return;
                }
            } else {
                if (options.keyed() && options.fingerprint().pending()) {
                    fail(422, "idempotency_key_reused", "the body is shorter than the one committed before under this "
                            + "Idempotency-Key; " + RecordsHandler.KEY_REUSED);
                    return;
                }
                submitCurrent();
                if (!done && pending == null && !refreshing) {
                    finish();
                }
                return;
            }
        }
    }

    private void decodeNext() {
        byte[] data = waiting.peek();
        long estimate = Math.max(1024, data.length * EXPANSION);
        if (!budget.tryAcquire(estimate)) {
            if (current.count() > 0) {
                // What this upload holds may be what fills the budget: commit it, which frees room.
                submitCurrent();
                if (done || pending != null || refreshing) {
                    return;
                }
            }
            waitingForBudget = true;
            request.pause();
            budget.whenAvailable().thenRun(() -> context.runOnContext(v -> {
                waitingForBudget = false;
                drain();
            }));
            return;
        }
        waiting.poll();
        reserved += estimate;
        if (options.keyed()) {
            // Checked before the chunk is decoded: a body that differs from what is stored under
            // its key is refused before any of its records is written.
            options.fingerprint().update(data);
            if (options.fingerprint().differs()) {
                fail(422, "idempotency_key_reused", RecordsHandler.KEY_REUSED);
                return;
            }
        }
        if (replay != null) {
            replay.add(data);
            replayBytes += data.length;
            if (replayBytes > REPLAY_LIMIT) {
                replay = null;
            }
        }
        try {
            decoder.feed(data, current);
        } catch (BodyException e) {
            bodyFailed(e);
            return;
        }
        trueUp();
        if (current.count() >= SEGMENT_ROWS || current.bytes() >= SEGMENT_BYTES) {
            submitCurrent();
        }
    }

    /** Makes the reservation exactly the decoded records' bytes. */
    private void trueUp() {
        long actual = current.bytes();
        if (actual > reserved) {
            budget.forceAcquire(actual - reserved);
        } else if (actual < reserved) {
            budget.release(reserved - actual);
        }
        reserved = actual;
    }

    private void submitCurrent() {
        if (segments.isEmpty() && !refreshed && replay != null && decoder.sawUnknownColumn()) {
            refreshAndReplay();
            return;
        }
        if (options.keyed() && options.fingerprint().pending() && current.holdsRecords()) {
            // New records before a part stored under the key that is not checked yet (a gap left
            // by an interrupted attempt): they wait until the body is known to be the same one.
            return;
        }
        replay = null;
        if (options.keyed()) {
            current.fingerprint(options.fingerprint().current());
        }
        IngestRequest segment = current.build();
        reserved = 0; // the segment carries it now
        current = options.apply(IngestRequest.builder(table, current.nextIndex()));
        offer(segment);
    }

    private void offer(IngestRequest segment) {
        switch (engine.submitReserved(segment)) {
            case ACCEPTED -> segments.add(segment.result());
            case CLOSED -> {
                budget.release(segment.bytes());
                fail(503, "shutting_down", "the service is shutting down");
            }
            case QUEUE_FULL -> {
                // The memory is reserved already, so only a writer queue is full: look again soon.
                pending = segment;
                request.pause();
                ctx.vertx().setTimer(QUEUE_RETRY_MILLIS, t -> retryPending());
            }
        }
    }

    private void retryPending() {
        if (done || pending == null) {
            return;
        }
        IngestRequest segment = pending;
        pending = null;
        offer(segment);
        drain();
    }

    /** The first records named a column the catalog did not know: look again, then decode anew. */
    private void refreshAndReplay() {
        refreshed = true;
        refreshing = true;
        request.pause();
        Future.fromCompletionStage(engine.catalog().resolve(table.qualifiedName(), true), context).onComplete(ar -> {
            refreshing = false;
            if (done) {
                return;
            }
            table = ar.succeeded() && ar.result().isPresent() ? ar.result().get() : table;
            decoder = decoders.apply(table);
            current = options.apply(IngestRequest.builder(table, 0));
            try {
                for (byte[] data : replay) {
                    decoder.feed(data, current);
                }
                if (endDecoded) {
                    decoder.end(current);
                }
            } catch (BodyException e) {
                bodyFailed(e);
                return;
            } finally {
                trueUp();
            }
            replay = null;
            drain();
        });
    }

    private void finish() {
        done = true;
        if (options.ackQueued()) {
            // Every record is queued; refused ones go to ingest.rejects with their segment.
            options.finished();
            Responses.queued(ctx, current.nextIndex());
            return;
        }
        CompletableFuture.allOf(segments.toArray(CompletableFuture[]::new)).handle((ok, error) -> null)
                .thenRun(() -> context.runOnContext(v -> answer()));
    }

    private void answer() {
        UploadResult result = new UploadResult();
        IngestException failure = null;
        for (CompletableFuture<IngestResult> s : segments) {
            try {
                result.add(s.join());
            } catch (RuntimeException e) {
                failure = e.getCause() instanceof IngestException ie ? ie : new IngestException("XX000", e.toString(), true, e);
            }
        }
        if (failure == null && options.keyed()) {
            // Every committed segment stored its answer under the key, earlier attempts' too:
            // their sum is the answer for the whole body, now and on any retry.
            options.keys().lookup(options.scope(), table, options.key()).onComplete(ar -> {
                if (ar.succeeded()) {
                    UploadResult all = new UploadResult();
                    ar.result().forEach(s -> all.add(s.result()));
                    if (!options.stored().isEmpty()) {
                        ctx.response().putHeader("Idempotent-Replayed", "true");
                    }
                    respond(all, null);
                } else {
                    log.warn("idempotency key lookup failed: table={} message={}", table.qualifiedName(), ar.cause().getMessage());
                    respond(result, new IngestException("08006", "the database is unavailable", true, ar.cause()));
                }
            });
            return;
        }
        respond(result, failure);
    }

    private void respond(UploadResult result, IngestException failure) {
        options.finished();
        if (failure != null) {
            // Some segments may be committed, some are not: say how many are.
            if (!failure.retryable()) {
                log.warn("segment failed as a whole: table={} sqlstate={} message={}", table.name(), failure.sqlstate(),
                        failure.getMessage());
            }
            FailureAnswer.of(failure, table.name()).withMore("; " + result.accepted()
                    + " records of this body were committed before it").send(ctx);
        } else if (result.allRejected()) {
            AnswerWriter.send(ctx, 422, result.toJson().put("error", "all_rejected").put("message", "every record was refused; see rejected"),
                    budget, peers.write());
        } else {
            AnswerWriter.send(ctx, 200, result.toJson(), budget, peers.write());
        }
    }

    private void bodyFailed(BodyException e) {
        if (e.columnName() != null && !refreshed && segments.isEmpty() && replay != null) {
            // A CSV header naming a column added since the catalog was read.
            refreshAndReplay();
            return;
        }
        JsonObject body = Responses.error(e.code(), e.getMessage());
        if (e.columnName() != null) {
            body.put("column_name", e.columnName());
        }
        failWith(e.status(), body);
    }

    private void fail(int status, String code, String message) {
        failWith(status, Responses.error(code, message));
    }

    /** Answers now; segments already submitted still commit, and the answer says so. */
    private void failWith(int status, JsonObject body) {
        abandon();
        finishedWhenSubmittedComplete();
        if (!segments.isEmpty()) {
            body.put("message", body.getString("message") + "; records before this point were "
                    + (options.ackQueued() ? "queued" : "committed") + " in earlier segments");
        }
        ctx.response().putHeader("Connection", "close");
        Responses.json(ctx, status, body);
    }

    /**
     * The body broke off (truncated, a corrupt encoding, broken framing): nothing more of it is
     * committed, and the answer, once the segments submitted before have committed, says how many
     * of the first records were, so that the client can send the rest.
     */
    private void cut(BodyException e) {
        if (done) {
            return;
        }
        abandon();
        CompletableFuture.allOf(segments.toArray(CompletableFuture[]::new)).handle((ok, error) -> null)
                .thenRun(() -> context.runOnContext(v -> answerCut(e)));
    }

    private void answerCut(BodyException e) {
        options.finished();
        UploadResult result = new UploadResult();
        for (CompletableFuture<IngestResult> s : segments) {
            try {
                result.add(s.join());
            } catch (RuntimeException failure) {
                IngestException cause = failure.getCause() instanceof IngestException ie ? ie
                        : new IngestException("XX000", failure.toString(), true, failure);
                FailureAnswer answer = FailureAnswer.of(cause, table.name());
                new FailureAnswer(answer.status(), answer.code(), e.getMessage() + ", and a segment before the cut failed: "
                        + answer.message() + "; " + result.accepted() + " records of this body were committed",
                        answer.sqlstate(), answer.retryAfterSeconds()).send(ctx);
                return;
            }
        }
        long records = result.records();
        JsonObject body = result.toJson().put("error", e.code()).put("records_committed", records)
                .put("message", e.getMessage() + "; the first " + records + " records of the body were "
                        + (options.ackQueued() ? "queued" : "committed") + " (" + result.accepted()
                        + " accepted, the others refused as listed), none after them: send the rest again");
        ctx.response().putHeader("Connection", "close");
        Responses.json(ctx, e.status(), body);
    }

    /** The key stays in flight until the segments already submitted have committed or failed. */
    private void finishedWhenSubmittedComplete() {
        CompletableFuture.allOf(segments.toArray(CompletableFuture[]::new))
                .whenComplete((ok, e) -> context.runOnContext(v -> options.finished()));
    }

    /** Stops for good and gives back every reservation still held here. */
    private void abandon() {
        done = true;
        waiting.clear();
        if (reserved > 0) {
            budget.release(reserved);
            reserved = 0;
        }
        if (pending != null) {
            budget.release(pending.bytes());
            pending = null;
        }
    }
}

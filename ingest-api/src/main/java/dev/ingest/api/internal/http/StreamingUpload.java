package dev.ingest.api.internal.http;

import dev.ingest.api.internal.decode.BodyException;
import dev.ingest.api.internal.decode.StreamDecoder;
import dev.ingest.engine.Admission;
import dev.ingest.engine.IngestEngine;
import dev.ingest.engine.IngestException;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.IngestResult;
import dev.ingest.engine.TableSchema;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One NDJSON or CSV upload, decoded as it arrives and committed in segments of about
 * {@value #SEGMENT_ROWS} records. When the engine's memory budget is used up, the upload is
 * paused (TCP backpressure reaches the client) until writers free room, instead of being
 * buffered. The answer comes after the last segment is committed and sums all segments.
 *
 * <p>Event-loop confined: every method runs on the request's context.
 */
final class StreamingUpload {
    static final int SEGMENT_ROWS = 2000;
    static final long SEGMENT_BYTES = 4L * 1024 * 1024;
    private static final long QUEUE_RETRY_MILLIS = 5;
    /** Bytes kept to re-read the start of the body after a catalog refresh. */
    private static final long REPLAY_LIMIT = 1024 * 1024;

    private final RoutingContext ctx;
    private final HttpServerRequest request;
    private final Context context;
    private final IngestEngine engine;
    private final Function<TableSchema, StreamDecoder> decoders;
    private final long maxBodyBytes;
    private final List<CompletableFuture<IngestResult>> segments = new ArrayList<>();

    private TableSchema table;
    private StreamDecoder decoder;
    private IngestRequest.Builder current;
    private IngestRequest pending; // a segment waiting for room in the budget
    private List<byte[]> replay = new ArrayList<>(); // the body so far, until the first segment is submitted
    private long replayBytes;
    private boolean refreshed;
    private boolean refreshing;
    private long bytes;
    private boolean ended;
    private boolean done;

    StreamingUpload(RoutingContext ctx, IngestEngine engine, TableSchema table, Function<TableSchema, StreamDecoder> decoders,
            long maxBodyBytes) {
        this.ctx = ctx;
        this.request = ctx.request();
        this.context = ctx.vertx().getOrCreateContext();
        this.engine = engine;
        this.decoders = decoders;
        this.maxBodyBytes = maxBodyBytes;
        this.table = table;
        this.decoder = decoders.apply(table);
        this.current = IngestRequest.builder(table, 0);
    }

    void start() {
        request.handler(this::chunk);
        request.endHandler(v -> end());
        request.exceptionHandler(e -> done = true); // the client went away; submitted segments still commit
        request.resume();
    }

    private void chunk(Buffer buffer) {
        if (done) {
            return;
        }
        bytes += buffer.length();
        if (bytes > maxBodyBytes) {
            fail(413, "payload_too_large", "the body exceeds the limit of " + maxBodyBytes + " bytes");
            return;
        }
        byte[] data = buffer.getBytes();
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
        if (pending == null && !refreshing && segmentFull()) {
            submitCurrent();
        }
    }

    private void end() {
        if (done) {
            return;
        }
        ended = true;
        try {
            decoder.end(current);
        } catch (BodyException e) {
            bodyFailed(e);
            return;
        }
        if (!decoder.sawContent() && segments.isEmpty() && pending == null && !refreshing) {
            fail(400, "malformed_body", "empty body: expected records");
            return;
        }
        flush();
    }

    private boolean segmentFull() {
        return current.count() >= SEGMENT_ROWS || current.bytes() >= SEGMENT_BYTES;
    }

    /**
     * Moves on after anything that may have unblocked the upload (the body ended, a pending
     * segment was admitted, a catalog refresh came back): submits what is ready, then finishes
     * once the body has ended and everything is submitted, or reads on.
     */
    private void flush() {
        if (done || refreshing || pending != null) {
            return;
        }
        if (ended || segmentFull()) {
            submitCurrent();
        }
        if (done || refreshing || pending != null) {
            return;
        }
        if (ended) {
            finish();
        } else {
            request.resume();
        }
    }

    private void submitCurrent() {
        if (segments.isEmpty() && !refreshed && replay != null && decoder.sawUnknownColumn()) {
            refreshAndReplay();
            return;
        }
        replay = null;
        IngestRequest segment = current.build();
        current = IngestRequest.builder(table, current.nextIndex());
        offer(segment);
    }

    private void offer(IngestRequest segment) {
        switch (engine.submit(segment)) {
            case ACCEPTED -> segments.add(segment.result());
            case CLOSED -> fail(503, "shutting_down", "the service is shutting down");
            case QUEUE_FULL -> {
                pending = segment;
                request.pause();
                if (engine.budget().used() < engine.budget().limit()) {
                    // Full by queue length, not memory: nothing will signal room, so look again soon.
                    ctx.vertx().setTimer(QUEUE_RETRY_MILLIS, t -> retryPending());
                } else {
                    engine.budget().whenAvailable().thenRun(() -> context.runOnContext(v -> retryPending()));
                }
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
        flush();
    }

    /** The first records named a column the catalog did not know: look again, then decode anew. */
    private void refreshAndReplay() {
        refreshed = true;
        refreshing = true;
        request.pause();
        String key = table.schema() + "." + table.name();
        Future.fromCompletionStage(engine.catalog().resolve(key, true), context).onComplete(ar -> {
            refreshing = false;
            if (done) {
                return;
            }
            table = ar.succeeded() && ar.result().isPresent() ? ar.result().get() : table;
            decoder = decoders.apply(table);
            current = IngestRequest.builder(table, 0);
            try {
                for (byte[] data : replay) {
                    decoder.feed(data, current);
                }
                if (ended) {
                    decoder.end(current);
                }
            } catch (BodyException e) {
                bodyFailed(e);
                return;
            }
            replay = null;
            flush();
        });
    }

    private void finish() {
        done = true;
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
        if (failure != null) {
            // Some segments are committed, some are not: say how many are.
            Responses.retryLater(ctx, 503, "unavailable", failure.getMessage() + "; " + result.accepted()
                    + " records of this body were committed before it", 1);
        } else if (result.allRejected()) {
            Responses.json(ctx, 422, result.toJson().put("error", "all_rejected").put("message", "every record was refused; see rejected"));
        } else {
            Responses.json(ctx, 200, result.toJson());
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

    /** Answers now; segments already submitted still commit, and the answer says how many records. */
    private void failWith(int status, JsonObject body) {
        done = true;
        if (!segments.isEmpty()) {
            body.put("message", body.getString("message") + "; records before this point were committed in earlier segments");
        }
        ctx.response().putHeader("Connection", "close");
        Responses.json(ctx, status, body);
    }
}

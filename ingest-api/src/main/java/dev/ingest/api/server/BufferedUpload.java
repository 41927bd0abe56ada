package dev.ingest.api.server;

import dev.ingest.api.config.PeerTimeouts;
import dev.ingest.api.formats.BodyException;
import dev.ingest.api.formats.JsonRecordDecoder;
import dev.ingest.engine.Admission;
import dev.ingest.engine.EngineStats;
import dev.ingest.engine.IngestEngine;
import dev.ingest.engine.IngestException;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.IngestResult;
import dev.ingest.engine.MemoryHold;
import dev.ingest.engine.RequestBuilder;
import dev.ingest.engine.Submission;
import dev.ingest.engine.TableSchema;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON request (an object or an array), taken as a whole: nothing of it is written unless
 * all of it is decoded and admitted. Its raw bytes count against the memory budget as they
 * arrive, so that concurrent large bodies cannot exhaust the heap: when the budget is used up the
 * answer is 429 at once, with a {@code Retry-After} from the observed drain rate. The answer
 * comes when the records are committed, or with {@code ack=queued} when they are queued.
 *
 * <p>Event-loop confined.
 */
final class BufferedUpload {
    private static final Logger log = LoggerFactory.getLogger(BufferedUpload.class);

    private final RoutingContext ctx;
    private final IngestEngine engine;
    private final MemoryHold raw; // the body's bytes as they arrive, until its records are submitted
    private final long maxBodyBytes;
    private final int maxRecords;
    private final java.time.Duration requestTimeout;
    private final RequestOptions options;
    private final java.time.Duration writeTimeout;
    private final Buffer body = Buffer.buffer();
    private TableSchema table;
    private boolean done;

    BufferedUpload(RoutingContext ctx, IngestEngine engine, TableSchema table, long maxBodyBytes, int maxRecords,
            java.time.Duration requestTimeout, PeerTimeouts peers, RequestOptions options) {
        this.requestTimeout = requestTimeout;
        this.writeTimeout = peers.write();
        this.maxRecords = maxRecords;
        this.ctx = ctx;
        this.engine = engine;
        this.raw = engine.hold();
        this.table = table;
        this.maxBodyBytes = maxBodyBytes;
        this.options = options;
    }

    void start() {
        // A body that does not arrive within the request timeout is refused, so that a slow
        // client cannot hold memory of the budget (or a connection) for long.
        long timer = ctx.vertx().setTimer(requestTimeout.toMillis(), t -> {
            if (!done) {
                refuse(408, Responses.error("request_timeout", "the body did not arrive within "
                        + requestTimeout.toSeconds() + " s"));
            }
        });
        ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
        new RequestBody(ctx).handler(this::chunk).endHandler(v -> end()).failureHandler(e -> {
            if (!done) {
                refuse(e.status(), describe(e).put("records_committed", 0)
                        .put("message", e.getMessage() + "; nothing of the body was written"));
            }
        });
        ctx.request().exceptionHandler(e -> {
            if (!done) {
                done = true; // the client went away before its body was complete: nothing was queued
                release();
                options.finished();
            }
        });
        ctx.request().resume();
    }

    /** Answered before under this key: the same answer and nothing written, if it is the same request. */
    private void replay(java.util.List<IdempotencyKeys.Stored> stored) {
        if (!options.fingerprint().matchesWhole(stored)) {
            ctx.response().putHeader("Connection", "close");
            Responses.error(ctx, 422, "idempotency_key_reused", RecordsHandler.KEY_REUSED);
            options.finished();
            return;
        }
        UploadResult r = new UploadResult();
        stored.forEach(s -> r.add(s.result()));
        ctx.response().putHeader("Idempotent-Replayed", "true").putHeader("Connection", "close");
        respond(r);
    }

    private void respond(UploadResult r) {
        if (options.ackQueued()) {
            Responses.queued(ctx, r.records());
        } else if (r.allRejected()) {
            AnswerWriter.send(ctx, 422, r.toJson().put("error", "all_rejected").put("message", "every record was refused; see rejected"),
                    engine, writeTimeout);
        } else {
            AnswerWriter.send(ctx, 200, r.toJson(), engine, writeTimeout);
        }
        options.finished();
    }

    private void chunk(Buffer chunk) {
        if (done) {
            return;
        }
        if (body.length() + (long) chunk.length() > maxBodyBytes) {
            refuse(413, Responses.error("payload_too_large", "the body exceeds the limit of " + maxBodyBytes + " bytes"));
            return;
        }
        Admission room = raw.tryTake(chunk.length());
        if (!room.accepted()) {
            refused(room, body.length() + (long) chunk.length(), true);
            return;
        }
        body.appendBuffer(chunk);
    }

    private void end() {
        if (done) {
            return;
        }
        if (options.keyed()) {
            options.fingerprint().update(body.getBytes());
            if (!options.stored().isEmpty()) {
                done = true;
                release();
                replay(options.stored());
                return;
            }
        }
        decodeAndSubmit(true);
    }

    private void decodeAndSubmit(boolean mayRefresh) {
        if (done) {
            return; // answered meanwhile (the request timed out during a catalog refresh)
        }
        RequestBuilder builder = options.apply(IngestRequest.builder(table));
        options.seal(builder);
        try {
            JsonRecordDecoder.decode(body.getBytes(), builder, table, maxRecords);
        } catch (BodyException e) {
            if (mayRefresh && e.columnName() != null) {
                // The table may have gained the column since the catalog was read: look again once.
                Future.fromCompletionStage(engine.catalog().resolve(table.qualifiedName(), true),
                                ctx.vertx().getOrCreateContext())
                        .onSuccess(fresh -> {
                            table = fresh.orElse(table);
                            decodeAndSubmit(false);
                        })
                        .onFailure(ctx::fail);
                return;
            }
            release();
            refuse(e.status(), describe(e));
            return;
        }
        release(); // the raw body gives way to the converted records, which submit() accounts for
        done = true;
        IngestRequest request = builder.build();
        Submission submission = engine.submit(request);
        if (!submission.accepted()) {
            refused(submission.admission(), request.bytes(), false);
            return;
        }
        if (options.ackQueued()) {
            // Refused records go to ingest.rejects with the batch; nobody waits for it.
            options.finished();
            Responses.queued(ctx, builder.count());
            return;
        }
        Future.fromCompletionStage(submission.result(), ctx.vertx().getOrCreateContext())
                .onSuccess(this::answer)
                .onFailure(this::failed);
    }

    /**
     * The one place that answers a refusal for lack of room: while the body arrives (its raw bytes
     * did not fit; the connection is closed after the answer, the rest unread) or when its records
     * were submitted.
     */
    private void refused(Admission why, long bytes, boolean whileReading) {
        if (why == Admission.CLOSED) {
            Responses.retryLater(ctx, 503, "shutting_down", "the service is shutting down", 1);
            options.finished();
            return;
        }
        int retryAfter = engine.retryAfterSeconds(bytes);
        String downMessage = "the database is unavailable and the service holds as many records as it may until it is back";
        if (whileReading) {
            if (why == Admission.DATABASE_DOWN) {
                refuse(503, Responses.error("database_unavailable", downMessage).put("retry_after_seconds", retryAfter), retryAfter);
            } else {
                EngineStats stats = engine.stats();
                refuse(429, Responses.error("busy", "the service holds as many records as its memory budget allows ("
                        + stats.budgetUsedBytes() + " of " + stats.budgetLimitBytes() + " bytes); retry later")
                        .put("retry_after_seconds", retryAfter), retryAfter);
            }
            return;
        }
        if (why == Admission.DATABASE_DOWN) {
            Responses.retryLater(ctx, 503, "database_unavailable", downMessage, retryAfter);
        } else {
            Responses.retryLater(ctx, 429, "queue_full", "the queue of table \"" + table.name() + "\" is full ("
                    + engine.queueDepth(table) + " requests waiting)", retryAfter);
        }
        options.finished();
    }

    private static JsonObject describe(BodyException e) {
        JsonObject body = Responses.error(e.code(), e.getMessage());
        if (e.line() > 0) {
            body.put("line", e.line());
        }
        if (e.column() > 0) {
            body.put("column", e.column());
        }
        if (e.columnName() != null) {
            body.put("column_name", e.columnName());
        }
        return body;
    }

    private void answer(IngestResult result) {
        if (result.duplicate()) {
            // Another request with this key committed first (e.g. on another replica): its answer.
            options.keys().lookup(options.scope(), table, options.key())
                    .onSuccess(this::replay)
                    .onFailure(e -> {
                        log.warn("idempotency key lookup failed: table={} message={}", table.qualifiedName(), e.getMessage());
                        Responses.retryLater(ctx, 503, "unavailable", "the database is unavailable; retry later", 1);
                        options.finished();
                    });
            return;
        }
        UploadResult r = new UploadResult();
        r.add(result);
        respond(r);
    }

    private void failed(Throwable error) {
        options.finished();
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof IngestException e)) {
            ctx.fail(cause);
            return;
        }
        if (!e.retryable()) {
            log.warn("request failed as a whole: table={} sqlstate={} message={}", table.name(), e.sqlstate(), e.getMessage());
        }
        FailureAnswer.of(e, table.name()).send(ctx);
    }

    /** Answers without reading the rest of the body, and closes the connection after the answer. */
    private void refuse(int status, JsonObject body) {
        refuse(status, body, 0);
    }

    private void refuse(int status, JsonObject body, int retryAfterSeconds) {
        done = true;
        release();
        options.finished();
        if (retryAfterSeconds > 0) {
            ctx.response().putHeader("Retry-After", Integer.toString(retryAfterSeconds));
        }
        ctx.response().putHeader("Connection", "close");
        Responses.json(ctx, status, body);
    }

    private void release() {
        raw.close();
    }
}

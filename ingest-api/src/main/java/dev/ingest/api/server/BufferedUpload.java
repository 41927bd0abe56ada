package dev.ingest.api.server;

import dev.ingest.api.config.HttpConfig;
import dev.ingest.api.formats.BodyException;
import dev.ingest.api.formats.JsonRecordDecoder;
import dev.ingest.api.server.answer.Answer;
import dev.ingest.api.server.answer.Answers;
import dev.ingest.api.server.answer.Answers.Backlog;
import dev.ingest.engine.Admission;
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
import java.util.List;
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
    private final HttpConfig http;
    private final RequestOptions options;
    private final Buffer body = Buffer.buffer();
    private TableSchema table;
    private boolean done;

    /** @param http the body's limits and timeouts, and the {@code Retry-After} of an unavailable database */
    BufferedUpload(RoutingContext ctx, IngestEngine engine, TableSchema table, HttpConfig http, RequestOptions options) {
        this.http = http;
        this.ctx = ctx;
        this.engine = engine;
        this.raw = engine.hold();
        this.table = table;
        this.options = options;
    }

    void start() {
        // A body that does not arrive within the request timeout is refused, so that a slow
        // client cannot hold memory of the budget (or a connection) for long.
        long timer = ctx.vertx().setTimer(http.requestTimeout().toMillis(), t -> {
            if (!done) {
                refuse(Answers.requestTimeout(http.requestTimeout().toSeconds()));
            }
        });
        ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
        new RequestBody(ctx).handler(this::chunk).endHandler(v -> end()).failureHandler(e -> {
            if (!done) {
                Answer answer = Answers.body(e).withMessage(e.getMessage() + "; nothing of the body was written");
                refuse(answer, describe(answer, e).put("records_committed", 0));
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
    private void replay(List<IdempotencyKeys.Stored> stored) {
        if (!options.fingerprint().matchesWhole(stored)) {
            options.finished();
            ctx.response().putHeader("Connection", "close");
            Answers.keyReused(RecordsHandler.KEY_REUSED).send(ctx);
            return;
        }
        UploadResult r = new UploadResult();
        stored.forEach(s -> r.add(s.result()));
        ctx.response().putHeader("Idempotent-Replayed", "true").putHeader("Connection", "close");
        respond(r);
    }

    /**
     * Answers a finished request. Its key is freed first: the client may send its next request the
     * moment the answer arrives, on another connection served by another event loop.
     */
    private void respond(UploadResult r) {
        options.finished();
        if (options.ackQueued()) {
            Responses.queued(ctx, r.records());
        } else {
            AnswerWriter.send(ctx, Answers.result(r.answer()), r.toJson(), engine, http, options::answerAbandoned);
        }
    }

    private void chunk(Buffer chunk) {
        if (done) {
            return;
        }
        if (body.length() + (long) chunk.length() > http.maxBodyBytes()) {
            refuse(Answers.bodyTooLarge(http.maxBodyBytes()));
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
            JsonRecordDecoder.decode(body.getBytes(), builder, table, http.maxRecordsPerRequest());
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
            Answer answer = Answers.body(e);
            refuse(answer, describe(answer, e));
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
        Answer answer = Answers.refused(why, Backlog.of(engine, table, bytes), http.unavailableRetryAfterSeconds());
        if (whileReading && why != Admission.CLOSED) {
            refuse(answer);
            return;
        }
        options.finished();
        answer.send(ctx);
    }

    /** The answer's body with where in the body the problem is (line, column, column name), as far as known. */
    private static JsonObject describe(Answer answer, BodyException e) {
        JsonObject body = answer.body();
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
                        options.finished();
                        Answers.unavailable(http.unavailableRetryAfterSeconds()).send(ctx);
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
        Answers.failed(e, table.name(), http.unavailableRetryAfterSeconds()).send(ctx);
    }

    /** Answers without reading the rest of the body, and closes the connection after the answer. */
    private void refuse(Answer answer) {
        refuse(answer, answer.body());
    }

    /** As {@link #refuse(Answer)}, with {@code body}, which holds the answer's fields and more. */
    private void refuse(Answer answer, JsonObject body) {
        done = true;
        release();
        options.finished();
        ctx.response().putHeader("Connection", "close");
        answer.send(ctx, body);
    }

    private void release() {
        raw.close();
    }
}

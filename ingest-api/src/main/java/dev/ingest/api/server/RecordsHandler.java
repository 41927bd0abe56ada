package dev.ingest.api.server;

import dev.ingest.api.config.HttpConfig;
import dev.ingest.api.config.RejectsPolicy;
import dev.ingest.api.config.StreamingConfig;
import dev.ingest.api.server.answer.Answer;
import dev.ingest.api.server.answer.Answers;
import dev.ingest.api.server.auth.Auth;
import dev.ingest.api.server.metrics.ServiceMetrics;
import dev.ingest.api.formats.BodyInflater;
import dev.ingest.api.formats.Format;
import dev.ingest.api.formats.StreamDecoder;
import dev.ingest.engine.IngestEngine;
import dev.ingest.engine.OnConflict;
import dev.ingest.engine.PoolerHint;
import dev.ingest.engine.TableSchema;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/tables/{table}/records}: checks the request line and headers, resolves the
 * table, then hands the body to a {@link BufferedUpload} (JSON: all or nothing) or a
 * {@link StreamingUpload} (NDJSON, CSV: decoded and committed as it arrives, paused under
 * backpressure). The body is not read before the table is known; a client that asked for
 * {@code 100 Continue} gets it once the head is accepted, or the final refusal instead.
 */
final class RecordsHandler implements Handler<RoutingContext> {
    static final String KEY_REUSED = "this Idempotency-Key was used before for a different request (another body, format "
            + "or options); use a new key for new data";
    private static final Logger log = LoggerFactory.getLogger(RecordsHandler.class);
    private final IngestEngine engine;
    private final IdempotencyKeys keys;
    private final FailureLog keyLookups = new FailureLog(log, "idempotency key lookup");
    private final HttpConfig http;
    private final StreamingConfig streaming;
    private final RejectsPolicy rejects;
    private final ServiceMetrics metrics;

    /**
     * @param http      the limits and timeouts of a request and its answer
     * @param streaming how a streamed body is cut into segments
     * @param metrics   where abandoned answers are counted
     */
    RecordsHandler(IngestEngine engine, IdempotencyKeys keys, HttpConfig http, StreamingConfig streaming, RejectsPolicy rejects,
            ServiceMetrics metrics) {
        this.engine = engine;
        this.keys = keys;
        this.http = http;
        this.streaming = streaming;
        this.rejects = rejects;
        this.metrics = metrics;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.request().pause();
        Optional<Format> format = Format.fromContentType(ctx.request().getHeader("Content-Type"));
        if (format.isEmpty()) {
            refuse(ctx, Answers.unsupportedMediaType("Content-Type must be application/json, application/x-ndjson or text/csv "
                    + "(UTF-8), got " + Optional.ofNullable(ctx.request().getHeader("Content-Type")).orElse("none")));
            return;
        }
        try {
            BodyInflater.parse(RequestBody.contentEncoding(ctx.request()));
        } catch (IllegalArgumentException e) {
            refuse(ctx, Answers.unsupportedContentEncoding(e.getMessage()));
            return;
        }
        String invalid = invalidParameter(ctx);
        if (invalid != null) {
            refuse(ctx, Answers.unsupportedParameter(invalid));
            return;
        }
        String length = ctx.request().getHeader("Content-Length");
        if (length != null && length.chars().allMatch(Character::isDigit) && length.length() < 19
                && Long.parseLong(length) > http.maxBodyBytes()) {
            refuse(ctx, Answers.bodyTooLarge(http.maxBodyBytes()));
            return;
        }
        String key = ctx.request().getHeader(IdempotencyKeys.HEADER);
        if (key != null && IdempotencyKeys.invalid(key) != null) {
            refuse(ctx, Answers.invalidIdempotencyKey(IdempotencyKeys.invalid(key)));
            return;
        }
        String name = ctx.pathParam("table");
        Future.fromCompletionStage(engine.catalog().resolve(name, false), ctx.vertx().getOrCreateContext())
                .onSuccess(table -> {
                    if (table.isEmpty()) {
                        refuse(ctx, Answers.unknownTable(name));
                    } else if (!Auth.allowed(ctx, table.get())) {
                        refuse(ctx, Answers.notGranted(table.get()));
                    } else if (key == null) {
                        start(ctx, table.get(), format.get(), null, null, List.of(), () -> { });
                    } else {
                        startKeyed(ctx, table.get(), format.get(), Auth.scope(ctx), key);
                    }
                })
                .onFailure(ctx::fail);
    }

    private void startKeyed(RoutingContext ctx, TableSchema table, Format format, String scope, String key) {
        if (!keys.begin(scope, table, key)) {
            refuse(ctx, Answers.inProgress());
            return;
        }
        keys.lookup(scope, table, key)
                .onSuccess(stored -> {
                    keyLookups.worked();
                    start(ctx, table, format, scope, key, stored, () -> keys.end(scope, table, key));
                })
                .onFailure(e -> {
                    keys.end(scope, table, key);
                    keyLookups.failed("table=" + table.qualifiedName() + " message=" + e.getMessage() + PoolerHint.after(null, e.getMessage()));
                    // This answer's body never had retry_after_seconds: the header alone says it.
                    ctx.response().putHeader("Retry-After", Integer.toString(http.unavailableRetryAfterSeconds()));
                    refuse(ctx, Answers.keysUnavailable());
                });
    }

    private void start(RoutingContext ctx, TableSchema table, Format format, String scope, String key,
            List<IdempotencyKeys.Stored> stored, Runnable done) {
        OnConflict onConflict = OnConflict.parse(Optional.ofNullable(ctx.queryParams().get("on_conflict")).orElse("error"));
        if (onConflict == OnConflict.UPDATE && table.conflictKey().isEmpty()) {
            done.run();
            refuse(ctx, Answers.noConflictKey(table.name()));
            return;
        }
        boolean ackQueued = "queued".equals(ctx.queryParams().get("ack"));
        BodyFingerprint fingerprint = key == null ? null
                : new BodyFingerprint(BodyFingerprint.request(format.name(), onConflict.name(), ackQueued), stored);
        if (fingerprint != null && fingerprint.requestDiffers(stored)) {
            done.run();
            refuse(ctx, Answers.keyReused(KEY_REUSED));
            return;
        }
        // Not part of the fingerprint: a repeat replays the stored answer and stores nothing, whatever it asks.
        boolean keepRejects = "keep".equals(ctx.queryParams().get("rejects")) || rejects.keeps(table);
        RequestOptions options = new RequestOptions(keys, scope, key, stored, fingerprint, done, onConflict, ackQueued, keepRejects,
                "http " + Auth.scope(ctx), metrics::answerAbandoned);
        continueIfExpected(ctx);
        if (format.streamed()) {
            new StreamingUpload(ctx, engine, table, decoders(format), http, streaming, options).start();
        } else {
            new BufferedUpload(ctx, engine, table, http, options).start();
        }
    }

    /**
     * The head is accepted (key, table, grant, content type and coding, parameters): a client that
     * waits for {@code 100 Continue} before its body (curl for bodies over 1 MiB and {@code -T})
     * may send it now. Every refusal before this point is a final answer instead, sent before any
     * byte of the body is read (RFC 9110, section 10.1.1); {@link ConnectionCloser} then closes.
     */
    private static void continueIfExpected(RoutingContext ctx) {
        String expect = ctx.request().getHeader("Expect");
        if (expect != null && expect.trim().equalsIgnoreCase("100-continue")
                && ctx.request().version() == HttpVersion.HTTP_1_1) {
            ctx.response().writeContinue();
        }
    }

    private Function<TableSchema, StreamDecoder> decoders(Format format) {
        return t -> format.decoder(t, StreamDecoder.MAX_RECORD_BYTES, http.maxRecordsPerRequest());
    }

    private static String invalidParameter(RoutingContext ctx) {
        String ack = ctx.queryParams().get("ack");
        if (ack != null && !ack.equals("commit") && !ack.equals("queued")) {
            return "ack must be commit or queued, not " + ack;
        }
        String onConflict = ctx.queryParams().get("on_conflict");
        if (onConflict != null && !List.of("error", "ignore", "update").contains(onConflict)) {
            return "on_conflict must be error, ignore or update, not " + onConflict;
        }
        String rejects = ctx.queryParams().get("rejects");
        if (rejects != null && !rejects.equals("keep")) {
            return "rejects must be keep (to keep refused records in ingest.rejects as well as in the answer), not " + rejects;
        }
        return null;
    }

    /**
     * Answers before the body is read; the connection closes after the answer, once the rest of
     * the body has been discarded (see {@link ConnectionCloser}).
     */
    private static void refuse(RoutingContext ctx, Answer answer) {
        ctx.response().putHeader("Connection", "close");
        answer.send(ctx);
    }
}

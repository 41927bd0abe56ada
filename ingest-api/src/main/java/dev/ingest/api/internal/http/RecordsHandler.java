package dev.ingest.api.internal.http;

import dev.ingest.api.internal.decode.BodyException;
import dev.ingest.api.internal.decode.BodyFormat;
import dev.ingest.api.internal.decode.JsonRecordDecoder;
import dev.ingest.engine.Admission;
import dev.ingest.engine.IngestEngine;
import dev.ingest.engine.IngestException;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.IngestResult;
import dev.ingest.engine.TableSchema;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/tables/{table}/records}: decode the body against the table's columns, queue the
 * records, and answer once they are committed: 200 with per-record rejections, 422 when every
 * record was refused, 429/503 when the engine cannot take them now.
 */
final class RecordsHandler implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(RecordsHandler.class);

    private final IngestEngine engine;

    RecordsHandler(IngestEngine engine) {
        this.engine = engine;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Optional<BodyFormat> format = BodyFormat.fromContentType(ctx.request().getHeader("Content-Type"));
        if (format.isEmpty()) {
            Responses.error(ctx, 415, "unsupported_media_type",
                    "Content-Type must be application/json or application/x-ndjson (UTF-8), got "
                            + Optional.ofNullable(ctx.request().getHeader("Content-Type")).orElse("none"));
            return;
        }
        if (!checkParameters(ctx)) {
            return;
        }
        String name = ctx.pathParam("table");
        Context context = ctx.vertx().getOrCreateContext();
        Future.fromCompletionStage(engine.catalog().resolve(name, false), context)
                .onSuccess(table -> {
                    if (table.isEmpty()) {
                        Responses.error(ctx, 404, "unknown_table", "no ingestible table \"" + name + "\"");
                    } else {
                        decodeAndSubmit(ctx, table.get(), format.get(), true);
                    }
                })
                .onFailure(ctx::fail);
    }

    private static boolean checkParameters(RoutingContext ctx) {
        String ack = ctx.queryParams().get("ack");
        if (ack != null && !ack.equals("commit")) {
            Responses.error(ctx, 400, "unsupported_parameter", "ack=" + ack + " is not supported; use ack=commit");
            return false;
        }
        String onConflict = ctx.queryParams().get("on_conflict");
        if (onConflict != null && !onConflict.equals("error")) {
            Responses.error(ctx, 400, "unsupported_parameter", "on_conflict=" + onConflict + " is not supported; use on_conflict=error");
            return false;
        }
        return true;
    }

    private void decodeAndSubmit(RoutingContext ctx, TableSchema table, BodyFormat format, boolean mayRefresh) {
        IngestRequest.Builder builder = IngestRequest.builder(table);
        try {
            JsonRecordDecoder.decode(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes(), format, builder, table);
        } catch (BodyException e) {
            if (mayRefresh && e.columnName() != null) {
                // The table may have gained the column since the catalog was read: look again once.
                Future.fromCompletionStage(engine.catalog().resolve(key(table), true), ctx.vertx().getOrCreateContext())
                        .onSuccess(fresh -> decodeAndSubmit(ctx, fresh.orElse(table), format, false))
                        .onFailure(ctx::fail);
                return;
            }
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
            Responses.json(ctx, e.status(), body);
            return;
        }
        IngestRequest request = builder.build();
        Admission admission = engine.submit(request);
        switch (admission) {
            case QUEUE_FULL -> Responses.retryLater(ctx, 429, "queue_full",
                    "the queue of table \"" + table.name() + "\" is full (" + engine.queueDepth(table) + " requests waiting)", 1);
            case CLOSED -> Responses.retryLater(ctx, 503, "shutting_down", "the service is shutting down", 1);
            case ACCEPTED -> Future.fromCompletionStage(request.result(), ctx.vertx().getOrCreateContext())
                    .onSuccess(result -> answer(ctx, result))
                    .onFailure(error -> failed(ctx, table, error));
        }
    }

    private static String key(TableSchema table) {
        return table.schema() + "." + table.name();
    }

    private static void answer(RoutingContext ctx, IngestResult result) {
        if (result.allRejected()) {
            Responses.json(ctx, 422, Responses.result(result)
                    .put("error", "all_rejected").put("message", "every record was refused; see rejected"));
        } else {
            Responses.json(ctx, 200, Responses.result(result));
        }
    }

    private static void failed(RoutingContext ctx, TableSchema table, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof IngestException e)) {
            ctx.fail(cause);
            return;
        }
        if (e.retryable()) {
            Responses.retryLater(ctx, 503, "unavailable", e.getMessage(), 1);
            return;
        }
        String state = e.sqlstate();
        log.warn("request failed as a whole: table={} sqlstate={} message={}", table.name(), state, e.getMessage());
        if (state.equals("42P01")) {
            Responses.error(ctx, 404, "unknown_table", "table \"" + table.name() + "\" no longer exists");
        } else if (state.equals("42703")) {
            Responses.error(ctx, 400, "unknown_column", e.getMessage());
        } else {
            Responses.json(ctx, 422, Responses.error("refused", e.getMessage()).put("sqlstate", state));
        }
    }
}

package dev.ingest.api.internal.http;

import dev.ingest.api.internal.decode.BodyFormat;
import dev.ingest.api.internal.decode.CsvStreamDecoder;
import dev.ingest.api.internal.decode.NdjsonStreamDecoder;
import dev.ingest.api.internal.decode.StreamDecoder;
import dev.ingest.engine.IngestEngine;
import dev.ingest.engine.TableSchema;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code POST /v1/tables/{table}/records}: checks the request line and headers, resolves the
 * table, then hands the body to a {@link BufferedUpload} (JSON: all or nothing) or a
 * {@link StreamingUpload} (NDJSON, CSV: decoded and committed as it arrives, paused under
 * backpressure). The body is not read before the table is known.
 */
final class RecordsHandler implements Handler<RoutingContext> {
    /** The longest single record (line) of a streamed body. */
    static final long MAX_RECORD_BYTES = 16L * 1024 * 1024;

    private final IngestEngine engine;
    private final long maxBodyBytes;

    RecordsHandler(IngestEngine engine, long maxBodyBytes) {
        this.engine = engine;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.request().pause();
        Optional<BodyFormat> format = BodyFormat.fromContentType(ctx.request().getHeader("Content-Type"));
        if (format.isEmpty()) {
            refuse(ctx, 415, "unsupported_media_type",
                    "Content-Type must be application/json, application/x-ndjson or text/csv (UTF-8), got "
                            + Optional.ofNullable(ctx.request().getHeader("Content-Type")).orElse("none"));
            return;
        }
        String invalid = invalidParameter(ctx);
        if (invalid != null) {
            refuse(ctx, 400, "unsupported_parameter", invalid);
            return;
        }
        String length = ctx.request().getHeader("Content-Length");
        if (length != null && length.chars().allMatch(Character::isDigit) && length.length() < 19
                && Long.parseLong(length) > maxBodyBytes) {
            refuse(ctx, 413, "payload_too_large", "the body exceeds the limit of " + maxBodyBytes + " bytes");
            return;
        }
        String name = ctx.pathParam("table");
        Future.fromCompletionStage(engine.catalog().resolve(name, false), ctx.vertx().getOrCreateContext())
                .onSuccess(table -> {
                    if (table.isEmpty()) {
                        refuse(ctx, 404, "unknown_table", "no ingestible table \"" + name + "\"");
                    } else if (format.get().streamed()) {
                        new StreamingUpload(ctx, engine, table.get(), decoders(format.get()), maxBodyBytes).start();
                    } else {
                        new BufferedUpload(ctx, engine, table.get(), maxBodyBytes).start();
                    }
                })
                .onFailure(ctx::fail);
    }

    private static Function<TableSchema, StreamDecoder> decoders(BodyFormat format) {
        return format == BodyFormat.CSV
                ? t -> new CsvStreamDecoder(t, MAX_RECORD_BYTES)
                : t -> new NdjsonStreamDecoder(t, MAX_RECORD_BYTES);
    }

    private static String invalidParameter(RoutingContext ctx) {
        String ack = ctx.queryParams().get("ack");
        if (ack != null && !ack.equals("commit")) {
            return "ack=" + ack + " is not supported; use ack=commit";
        }
        String onConflict = ctx.queryParams().get("on_conflict");
        if (onConflict != null && !onConflict.equals("error")) {
            return "on_conflict=" + onConflict + " is not supported; use on_conflict=error";
        }
        return null;
    }

    /** Answers before the body is read; the connection closes after the answer. */
    private static void refuse(RoutingContext ctx, int status, String code, String message) {
        ctx.response().putHeader("Connection", "close");
        Responses.error(ctx, status, code, message);
    }
}

package dev.ingest.api.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ingest.api.server.answer.Answers;
import dev.ingest.api.server.auth.Auth;
import dev.ingest.engine.Catalog;
import dev.ingest.engine.TableSchema;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/rejects?table=T[&limit=N][&after=ID]}: the records kept in {@code ingest.rejects}
 * for one table, oldest first, to a caller granted that table (as for posting records: 404 for no
 * such table, 403 for a table the key is not granted). Pages are keyed by id: a page holds the
 * rejects with an id above {@code after}, at most {@code limit} of them, and {@code next_after}
 * is the id to ask from next, or null after the last page; rejects kept meanwhile are never
 * skipped nor repeated. Runs on the event loop with the reactive client.
 */
final class RejectsHandler implements Handler<RoutingContext> {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private static final Logger log = LoggerFactory.getLogger(RejectsHandler.class);
    private static final JsonFactory JSON = new JsonFactory();
    // One more row than asked for tells whether another page follows.
    private static final String PAGE = "SELECT id, table_name, rejected_at, record_index, sqlstate, message, record::text, source, "
            + "idempotency_key FROM ingest.rejects WHERE table_name = $1 AND id > $2 ORDER BY id LIMIT $3";

    private final Pool pool;
    private final Catalog catalog;

    RejectsHandler(Pool pool, Catalog catalog) {
        this.pool = pool;
        this.catalog = catalog;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String name = ctx.queryParams().get("table");
        if (name == null || name.isBlank()) {
            Answers.missingParameter("name the table: GET /v1/rejects?table=schema.table").send(ctx);
            return;
        }
        Long limit = number(ctx.queryParams().get("limit"), DEFAULT_LIMIT);
        if (limit == null || limit < 1 || limit > MAX_LIMIT) {
            Answers.unsupportedParameter("limit must be a whole number from 1 to " + MAX_LIMIT + ", not "
                    + ctx.queryParams().get("limit")).send(ctx);
            return;
        }
        Long after = number(ctx.queryParams().get("after"), 0);
        if (after == null) {
            Answers.unsupportedParameter("after must be the id of a reject (a whole number, as next_after "
                    + "gives it), not " + ctx.queryParams().get("after")).send(ctx);
            return;
        }
        Future.fromCompletionStage(catalog.resolve(name, false), ctx.vertx().getOrCreateContext())
                .onSuccess(table -> {
                    if (table.isEmpty()) {
                        Answers.unknownTable(name).send(ctx);
                    } else if (!Auth.allowed(ctx, table.get())) {
                        Answers.notGranted(table.get()).send(ctx);
                    } else {
                        page(ctx, table.get(), after, limit.intValue());
                    }
                })
                .onFailure(ctx::fail);
    }

    private void page(RoutingContext ctx, TableSchema table, long after, int limit) {
        pool.preparedQuery(PAGE).execute(Tuple.of(table.qualifiedName(), after, limit + 1))
                .onSuccess(rows -> {
                    if (!ctx.response().ended() && !ctx.response().closed()) {
                        ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(json(rows, limit));
                    }
                })
                .onFailure(e -> {
                    log.warn("rejects: database unavailable: {}", e.getMessage());
                    Answers.unavailable().send(ctx);
                });
    }

    /** The page; each record is written as stored, so that its values reach the client unchanged. */
    private static String json(RowSet<Row> rows, int limit) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("rejects");
            int n = 0;
            Long last = null;
            boolean more = false;
            for (Row r : rows) {
                if (n++ == limit) {
                    more = true;
                    break;
                }
                last = r.getLong("id");
                g.writeStartObject();
                g.writeNumberField("id", last);
                g.writeStringField("table", r.getString("table_name"));
                OffsetDateTime at = r.getOffsetDateTime("rejected_at");
                g.writeStringField("received_at", at.toInstant().toString());
                g.writeNumberField("index", r.getInteger("record_index"));
                g.writeStringField("sqlstate", r.getString("sqlstate"));
                g.writeStringField("message", r.getString("message"));
                g.writeFieldName("record");
                g.writeRawValue(r.getString("record"));
                g.writeStringField("source", r.getString("source"));
                g.writeStringField("idempotency_key", r.getString("idempotency_key"));
                g.writeEndObject();
            }
            g.writeEndArray();
            if (more) {
                g.writeNumberField("next_after", last);
            } else {
                g.writeNullField("next_after");
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** A query parameter's whole number, {@code absent} when not given, null when not a number. */
    private static Long number(String text, long absent) {
        if (text == null) {
            return absent;
        }
        return text.matches("[0-9]{1,18}") ? Long.parseLong(text) : null;
    }
}

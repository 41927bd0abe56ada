package dev.ingest.api.server;

import dev.ingest.api.common.TableDefinition;
import dev.ingest.api.common.TableName;
import dev.ingest.api.server.answer.Answer;
import dev.ingest.api.server.answer.Answers;
import dev.ingest.api.server.auth.Auth;
import dev.ingest.engine.Catalog;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /v1/tables}: creates a table from column names and types, for
 * {@code ingest load --create-table}. Body {@code {"table": "name" or "schema.name", "columns":
 * [{"name": "...", "type": "..."}]}}; types only from {@link TableDefinition#TYPES}; every
 * identifier double-quoted by {@link TableDefinition#ddl()}, so nothing of the body reaches the
 * SQL text but quoted names. Creating a table changes what every key may see, so it needs a key
 * granted every table ({@code *}) when authentication is on.
 *
 * <p>Answers 201 {@code {"table", "ddl", "ingestible"}}; 400 for a definition that is not valid;
 * 403 without the grant (or when the database role may not create there); 409 when the table
 * exists; 413/415 for a body too large or not JSON; 503 with Retry-After when the database is
 * unreachable.
 */
final class CreateTableHandler implements Handler<RoutingContext> {
    private final Pool pool;
    private final Catalog catalog;
    /** The default, 1 MiB, fits a definition of 1,600 columns with long names many times over. */
    private final int maxBodyBytes;

    CreateTableHandler(Pool pool, Catalog catalog, int maxBodyBytes) {
        this.pool = pool;
        this.catalog = catalog;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (!Auth.allowedEverything(ctx)) {
            refuse(ctx, Answers.forbidden("creating a table needs a key granted every table (*): ingest keys create --tables '*'"));
            return;
        }
        String type = ctx.request().getHeader("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            refuse(ctx, Answers.unsupportedMediaType("send the table definition as application/json"));
            return;
        }
        Buffer body = Buffer.buffer();
        new RequestBody(ctx).handler(chunk -> {
            if (body.length() + chunk.length() > maxBodyBytes) {
                refuse(ctx, Answers.payloadTooLarge("a table definition is at most " + maxBodyBytes + " bytes"));
            } else {
                body.appendBuffer(chunk);
            }
        }).endHandler(v -> {
            if (!ctx.response().ended()) {
                create(ctx, body);
            }
        }).failureHandler(e -> refuse(ctx, Answers.body(e)));
        ctx.request().resume();
    }

    private void create(RoutingContext ctx, Buffer body) {
        TableDefinition definition;
        try {
            definition = parse(body);
        } catch (DecodeException | ClassCastException e) {
            refuse(ctx, Answers.malformedJson("the body is not the JSON object expected: {\"table\": ..., \"columns\": "
                    + "[{\"name\": ..., \"type\": ...}]}"));
            return;
        } catch (IllegalArgumentException e) {
            refuse(ctx, Answers.invalidTableDefinition(e.getMessage()));
            return;
        }
        String ddl = definition.ddl();
        pool.query(ddl).execute()
                .compose(rows -> Future.fromCompletionStage(catalog.resolve(definition.qualifiedName(), true),
                        ctx.vertx().getOrCreateContext()))
                .onSuccess(table -> {
                    JsonObject answer = new JsonObject().put("table", definition.qualifiedName()).put("ddl", ddl)
                            .put("ingestible", table.isPresent());
                    if (table.isEmpty()) {
                        answer.put("message", "created, but not ingestible under the service's configuration (tables: / "
                                + "schemas) or the role's privileges");
                    }
                    Responses.json(ctx, 201, answer);
                })
                .onFailure(e -> failed(ctx, definition, e));
    }

    private static TableDefinition parse(Buffer body) {
        JsonObject json = body.toJsonObject();
        String table = json.getString("table");
        JsonArray columns = json.getJsonArray("columns");
        if (table == null || columns == null) {
            throw new IllegalArgumentException("give \"table\" and \"columns\": [{\"name\": ..., \"type\": ...}]");
        }
        TableName name = TableName.parse(table, "public");
        List<TableDefinition.Column> list = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            JsonObject c = columns.getJsonObject(i);
            list.add(new TableDefinition.Column(String.valueOf(c.getString("name")), String.valueOf(c.getString("type"))));
        }
        return new TableDefinition(name.schema(), name.table(), list);
    }

    private static void failed(RoutingContext ctx, TableDefinition definition, Throwable e) {
        refuse(ctx, e instanceof PgException pg
                ? Answers.tableNotCreated(pg.getSqlState() == null ? "" : pg.getSqlState(), pg.getErrorMessage(), definition.qualifiedName())
                : Answers.tableDatabaseUnreachable());
    }

    private static void refuse(RoutingContext ctx, Answer answer) {
        if (!ctx.request().isEnded() && !ctx.response().ended()) {
            ctx.response().putHeader("Connection", "close"); // the rest of the body is not read
        }
        answer.send(ctx);
    }
}

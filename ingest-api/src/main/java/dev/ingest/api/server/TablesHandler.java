package dev.ingest.api.server;

import dev.ingest.api.server.auth.Auth;
import dev.ingest.engine.Catalog;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.TableSchema;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /v1/tables}: the ingestible tables the caller is granted, with their columns and types. */
final class TablesHandler implements Handler<RoutingContext> {
    private final Catalog catalog;

    TablesHandler(Catalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void handle(RoutingContext ctx) {
        // Refresh first (rate-limited) so that a table created a moment ago is listed.
        Future.fromCompletionStage(catalog.refresh().handle((ok, error) -> catalog.tables()), ctx.vertx().getOrCreateContext())
                .onSuccess(tables -> {
                    JsonArray list = new JsonArray();
                    for (TableSchema t : tables) {
                        if (Auth.allowed(ctx, t)) {
                            list.add(describe(t));
                        }
                    }
                    Responses.json(ctx, 200, new JsonObject().put("tables", list));
                })
                .onFailure(ctx::fail);
    }

    private static JsonObject describe(TableSchema t) {
        JsonArray columns = new JsonArray();
        for (ColumnSchema c : t.columns()) {
            columns.add(new JsonObject()
                    .put("name", c.name())
                    .put("type", c.sqlType())
                    .put("nullable", c.nullable())
                    .put("has_default", c.hasDefault())
                    .put("writable", c.writable()));
        }
        return new JsonObject().put("schema", t.schema()).put("name", t.name()).put("columns", columns);
    }
}

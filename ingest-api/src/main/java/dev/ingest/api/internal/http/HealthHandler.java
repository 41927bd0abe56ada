package dev.ingest.api.internal.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

/**
 * {@code /health/live}: the process answers. {@code /health/ready}: the database answers and the
 * service's migrations are applied (checked with the reactive client, so no event loop blocks).
 */
final class HealthHandler {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HealthHandler.class);
    private static final String READY_QUERY =
            "SELECT count(*) FROM ingest.flyway_schema_history WHERE success";

    private final Pool pool;

    HealthHandler(Pool pool) {
        this.pool = pool;
    }

    void live(RoutingContext ctx) {
        Responses.json(ctx, 200, new JsonObject().put("status", "live"));
    }

    void ready(RoutingContext ctx) {
        pool.query(READY_QUERY).execute()
                .onSuccess(rows -> {
                    long applied = rows.iterator().next().getLong(0);
                    if (applied > 0) {
                        Responses.json(ctx, 200, new JsonObject().put("status", "ready").put("migrations", applied));
                    } else {
                        Responses.error(ctx, 503, "not_ready", "migrations are not applied");
                    }
                })
                .onFailure(e -> {
                    // Where the database is stays in the log; the answer says what is wrong.
                    log.warn("readiness: database unavailable: {}", e.getMessage());
                    Responses.json(ctx, 503, Responses.error("not_ready", "the database is unavailable"));
                });
    }
}

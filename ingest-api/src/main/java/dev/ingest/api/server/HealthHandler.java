package dev.ingest.api.server;

import dev.ingest.engine.DatabaseHealth;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /health/live}: the process answers. {@code /health/ready}: writes are succeeding (the
 * engine's writers last committed rather than failed, see {@link DatabaseHealth}), the database
 * answers, and the service's migrations are applied. Answers within a second: a database that
 * does not answer the check in {@value #CHECK_TIMEOUT_MILLIS} ms counts as unavailable, since a
 * load balancer's probe that hangs is worse than one that says no. Checked with the reactive
 * client, so no event loop blocks; concurrent probes share one check. Thread-safe.
 */
final class HealthHandler {
    private static final Logger log = LoggerFactory.getLogger(HealthHandler.class);
    static final long CHECK_TIMEOUT_MILLIS = 800;
    private static final String READY_QUERY =
            "SELECT count(*) FROM ingest.flyway_schema_history WHERE success";

    private final Pool pool;
    private final DatabaseHealth writes;
    /** The check in flight, shared by probes that arrive meanwhile (no pile-up while the database hangs). */
    private final AtomicReference<Future<Long>> check = new AtomicReference<>();

    HealthHandler(Pool pool, DatabaseHealth writes) {
        this.pool = pool;
        this.writes = writes;
    }

    void live(RoutingContext ctx) {
        Responses.json(ctx, 200, new JsonObject().put("status", "live"));
    }

    void ready(RoutingContext ctx) {
        if (!writes.isUp()) {
            Responses.error(ctx, 503, "not_ready", "writes to the database are failing; the service keeps the records "
                    + "it accepted and retries them (see the service log for the cause)");
            return;
        }
        check().onSuccess(applied -> {
            if (!writes.isUp()) {
                Responses.error(ctx, 503, "not_ready", "writes to the database are failing; the service retries them");
            } else if (applied > 0) {
                Responses.json(ctx, 200, new JsonObject().put("status", "ready").put("migrations", applied));
            } else {
                Responses.error(ctx, 503, "not_ready", "migrations are not applied");
            }
        }).onFailure(e -> {
            // Where the database is stays in the log; the answer says what is wrong.
            log.warn("readiness: database unavailable: {}", e.getMessage());
            Responses.error(ctx, 503, "not_ready", e instanceof TimeoutException
                    ? "the database did not answer within " + CHECK_TIMEOUT_MILLIS + " ms" : "the database is unavailable");
        });
    }

    private Future<Long> check() {
        while (true) {
            Future<Long> current = check.get();
            if (current != null && !current.isComplete()) {
                return current;
            }
            Future<Long> next = pool.query(READY_QUERY).execute()
                    .map(rows -> rows.iterator().next().getLong(0))
                    .timeout(CHECK_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            if (check.compareAndSet(current, next)) {
                return next;
            }
        }
    }
}

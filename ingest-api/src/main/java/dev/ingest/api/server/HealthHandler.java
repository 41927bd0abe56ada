package dev.ingest.api.server;

import dev.ingest.api.db.WritableServer;
import dev.ingest.api.server.answer.Answers;
import dev.ingest.engine.DatabaseHealth;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /health/live}: the process answers. {@code /health/ready}: writes are succeeding (the
 * engine's writers last committed rather than failed, see {@link DatabaseHealth}), the database
 * answers, and the service's migrations are applied. Answers within a second: a database that
 * does not answer the check within {@code health_check_timeout} (HttpConfig, 800 ms) counts as unavailable, since a
 * load balancer's probe that hangs is worse than one that says no. Checked with the reactive
 * client, so no event loop blocks; concurrent probes share one check. Thread-safe.
 */
final class HealthHandler {
    private static final Logger log = LoggerFactory.getLogger(HealthHandler.class);
    /** Migrations applied, and whether the server takes writes (not a standby, not read-only). */
    private static final String READY_QUERY = "SELECT count(*), NOT " + WritableServer.READ_ONLY
            + " FROM ingest.flyway_schema_history WHERE success";

    private final Pool pool;
    private final DatabaseHealth writes;
    private final long timeoutMillis;
    /** The check in flight, shared by probes that arrive meanwhile (no pile-up while the database hangs). */
    private final AtomicReference<Future<Check>> check = new AtomicReference<>();

    /** What the readiness query found. */
    private record Check(long migrations, boolean writable) {
    }

    HealthHandler(Pool pool, DatabaseHealth writes, Duration timeout) {
        this.pool = pool;
        this.writes = writes;
        this.timeoutMillis = timeout.toMillis();
    }

    void live(RoutingContext ctx) {
        Responses.json(ctx, 200, new JsonObject().put("status", "live"));
    }

    void ready(RoutingContext ctx) {
        if (!writes.isUp()) {
            Answers.notReady("writes to the database are failing; the service keeps the records "
                    + "it accepted and retries them (see the service log for the cause)").send(ctx);
            return;
        }
        check().onSuccess(found -> {
            if (!writes.isUp()) {
                Answers.notReady("writes to the database are failing; the service retries them").send(ctx);
            } else if (!found.writable()) {
                Answers.notReady("the database does not accept writes (a standby, or a server set read-only); "
                        + "records would wait until it does").send(ctx);
            } else if (found.migrations() > 0) {
                Responses.json(ctx, 200, new JsonObject().put("status", "ready").put("migrations", found.migrations()));
            } else {
                Answers.notReady("migrations are not applied").send(ctx);
            }
        }).onFailure(e -> {
            // Where the database is stays in the log; the answer says what is wrong.
            log.warn("readiness: database unavailable: {}", e.getMessage());
            Answers.notReady(e instanceof TimeoutException
                    ? "the database did not answer within " + timeoutMillis + " ms" : "the database is unavailable").send(ctx);
        });
    }

    private Future<Check> check() {
        while (true) {
            Future<Check> current = check.get();
            if (current != null && !current.isComplete()) {
                return current;
            }
            Future<Check> next = pool.query(READY_QUERY).execute()
                    .map(rows -> {
                        var row = rows.iterator().next();
                        return new Check(row.getLong(0), row.getBoolean(1));
                    })
                    .timeout(timeoutMillis, TimeUnit.MILLISECONDS);
            if (check.compareAndSet(current, next)) {
                return next;
            }
        }
    }
}

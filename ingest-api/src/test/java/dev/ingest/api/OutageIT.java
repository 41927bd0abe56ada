package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.server.IngestService;
import dev.ingest.engine.testing.StoppableServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The database stopped under a running service and started again: readiness follows it, new
 * requests get 503 with Retry-After once the memory budget is full, the records the service holds
 * are written when the database is back, and none is lost or written twice.
 *
 * <p>Runs its own embedded PostgreSQL, since it stops it.
 */
@Timeout(300)
class OutageIT {
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static String records(long first, int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"v\":").append(first + i).append('}');
        }
        return b.append(']').toString();
    }

    @Test
    void theDatabaseGoneAndBackLosesAndDuplicatesNothing() throws Exception {
        StoppableServer pg = StoppableServer.start();
        pg.execute("CREATE TABLE items (v bigint)"); // no key: a second write would show
        // One writer per table, so that a committed request proves the ones queued before it are written too.
        ServiceConfig resolved = ConfigResolver.resolve(new ConfigResolver.Flags("127.0.0.1", 0, pg.url(), null),
                Map.of(), ConfigFile.EMPTY);
        ServiceConfig config = resolved.withEngine(resolved.engine().toBuilder().writersPerTable(1).memoryBudgetBytes(1024 * 1024).build());
        try (ServiceFixture f = ServiceFixture.attach(null, IngestService.start(config))) {
            assertThat(f.postJson("items", records(0, 1)).statusCode()).isEqualTo(200);
            assertThat(f.get("/health/ready").statusCode()).isEqualTo(200);
            long expected = 1;

            pg.stop();
            await("not ready", () -> status(f, "/health/ready") == 503);
            JsonObject notReady = ServiceFixture.json(get(f, "/health/ready"));
            assertThat(notReady.getString("error")).isEqualTo("not_ready");

            // A request waiting for its commit: the service keeps its records and retries.
            CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> post(f, "", records(1_000_000, 100)));
            await("the writers to see the database gone",
                    () -> !ServiceFixture.json(get(f, "/v1/stats")).getBoolean("database_reachable"));
            // Answers say what happened, not where the database is: its address stays in the log.
            String port = ":" + URI.create(pg.url()).getPort();
            HttpResponse<String> keyed = f.post("/v1/tables/items/records", "application/json", records(5_000_000, 1).getBytes(UTF_8),
                    "Idempotency-Key", "during-the-outage");
            assertThat(keyed.statusCode()).as(keyed.body()).isEqualTo(503);
            assertThat(keyed.body()).doesNotContain(port);
            assertThat(get(f, "/health/ready").body()).doesNotContain(port);

            // Queued requests fill the memory budget; then the answer is 503, not 429.
            HttpResponse<String> refused = null;
            for (int i = 0; i < 200 && refused == null; i++) {
                HttpResponse<String> r = post(f, "?ack=queued", records(2_000_000 + i * 2000L, 2000));
                if (r.statusCode() == 202) {
                    expected += 2000;
                } else {
                    refused = r;
                }
            }
            assertThat(refused).as("the budget never filled").isNotNull();
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(ServiceFixture.json(refused).getString("error")).isEqualTo("database_unavailable");
            assertThat(waiting).isNotDone();

            pg.resume();
            HttpResponse<String> committed = waiting.get(120, TimeUnit.SECONDS);
            assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
            assertThat(ServiceFixture.json(committed).getLong("accepted")).isEqualTo(100);
            expected += 100;
            assertThat(post(f, "", records(3_000_000, 1)).statusCode()).isEqualTo(200);
            expected += 1;
            await("ready", () -> status(f, "/health/ready") == 200);

            try (Connection c = pg.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT v) FROM items")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(expected);
                assertThat(rs.getLong(2)).isEqualTo(expected);
            }
        } finally {
            pg.close();
        }
    }

    private static HttpResponse<String> post(ServiceFixture f, String query, String body) {
        try {
            return f.post("/v1/tables/items/records" + query, "application/json", body.getBytes(UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> get(ServiceFixture f, String path) {
        try {
            return f.get(path);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int status(ServiceFixture f, String path) {
        return get(f, path).statusCode();
    }
}

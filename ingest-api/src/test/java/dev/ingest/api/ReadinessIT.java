package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.server.IngestService;
import dev.ingest.engine.testing.StoppableServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /health/ready} follows whether writes succeed, not only whether the database answers a
 * query, and answers promptly while the database cannot be reached.
 */
@Timeout(180)
class ReadinessIT {
    /** A bound on the answer, so that a hang fails the test instead of passing late; not a speed threshold. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(CLIENT_TIMEOUT).build();

    @Test
    void readinessGoesDownWhileWritesFailThoughTheDatabaseAnswersQueries() throws Exception {
        try (ServiceFixture f = ServiceFixture.start("CREATE TABLE t (v int)")) {
            assertThat(f.postJson("t", "{\"v\": 1}").statusCode()).isEqualTo(200);
            assertThat(ready(f).statusCode()).isEqualTo(200);

            // Every new transaction is read-only: SELECTs work, every INSERT fails (25006).
            f.db.execute("ALTER DATABASE " + f.db.name() + " SET default_transaction_read_only = on", terminateOthers());
            CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> post(f, "{\"v\": 2}"));
            await("ready to go down while writes fail", () -> ready(f).statusCode() == 503);
            HttpResponse<String> down = ready(f);
            JsonObject body = ServiceFixture.json(down);
            assertThat(body.getString("error")).isEqualTo("not_ready");
            assertThat(body.getString("message")).contains("writes");
            assertThat(waiting).isNotDone();

            f.db.execute("SET default_transaction_read_only = off", // this session starts read-only too
                    "ALTER DATABASE " + f.db.name() + " RESET default_transaction_read_only", terminateOthers());
            HttpResponse<String> committed = waiting.get(60, TimeUnit.SECONDS);
            assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
            await("ready again once writes succeed", () -> ready(f).statusCode() == 200);
            assertThat(f.rows("SELECT v FROM t ORDER BY v")).containsExactly(List.of("1"), List.of("2"));
        }
    }

    @Test
    void anIdleServiceIsNotReadyOnAServerThatTakesNoWrites() throws Exception {
        try (ServiceFixture f = ServiceFixture.start("CREATE TABLE t (v int)")) {
            assertThat(ready(f).statusCode()).isEqualTo(200);
            // A standby, or a promoted one that pg_auto_failover still holds read-only: no write
            // is waiting, so only the readiness query itself can tell.
            f.db.execute("ALTER DATABASE " + f.db.name() + " SET default_transaction_read_only = on", terminateOthers());
            await("not ready while the server takes no writes", () -> ready(f).statusCode() == 503);
            HttpResponse<String> down = ready(f);
            assertNotReady(down);
            assertThat(ServiceFixture.json(down).getString("message")).contains("does not accept writes");

            f.db.execute("SET default_transaction_read_only = off",
                    "ALTER DATABASE " + f.db.name() + " RESET default_transaction_read_only", terminateOthers());
            await("ready again once it takes writes", () -> ready(f).statusCode() == 200);
            assertThat(f.postJson("t", "{\"v\": 1}").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void readinessAnswersPromptlyWhileTheDatabaseHangsOrIsStopped() throws Exception {
        StoppableServer pg = StoppableServer.start();
        boolean frozen = false;
        try {
            pg.execute("CREATE TABLE t (v int)");
            ServiceConfig config = ConfigResolver.resolve(new ConfigResolver.Flags("127.0.0.1", 0, pg.url(), null),
                    Map.of(), ConfigFile.EMPTY);
            try (ServiceFixture f = ServiceFixture.attach(null, IngestService.start(config))) {
                assertThat(f.postJson("t", "{\"v\": 1}").statusCode()).isEqualTo(200);
                assertThat(ready(f).statusCode()).isEqualTo(200);

                pg.freeze(); // connections open, nothing answers
                frozen = true;
                for (int i = 0; i < 3; i++) {
                    assertNotReady(ready(f));
                }
                pg.thaw();
                frozen = false;
                await("ready once the database answers again", () -> ready(f).statusCode() == 200);

                pg.stop(); // connections refused
                for (int i = 0; i < 3; i++) {
                    assertNotReady(ready(f));
                }
                pg.resume();
                await("ready once the database is back", () -> ready(f).statusCode() == 200);
                assertThat(f.postJson("t", "{\"v\": 2}").statusCode()).isEqualTo(200);
            }
            try (var c = pg.connect(); var s = c.createStatement(); var rs = s.executeQuery("SELECT count(*), sum(v) FROM t")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(2);
                assertThat(rs.getLong(2)).isEqualTo(3);
            }
        } finally {
            if (frozen) {
                pg.thaw();
            }
            pg.close();
        }
    }

    private static void assertNotReady(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(ServiceFixture.json(r).getString("error")).isEqualTo("not_ready");
    }

    /** Ends the service's sessions, so that its next ones see the database's new settings. */
    private static String terminateOthers() {
        return "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
    }

    /** GET /health/ready; a client timeout (the service did not answer) fails the test. */
    private static HttpResponse<String> ready(ServiceFixture f) {
        try {
            return HTTP.send(HttpRequest.newBuilder(f.uri("/health/ready")).timeout(CLIENT_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new AssertionError("/health/ready did not answer within " + CLIENT_TIMEOUT.toSeconds() + " s", e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> post(ServiceFixture f, String json) {
        try {
            return f.post("/v1/tables/t/records", "application/json", json.getBytes(UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}

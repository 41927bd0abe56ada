package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Limits that keep one client from holding the service: request heads, slow bodies, request rates per key. */
@Timeout(120)
class LimitsIT {
    private static String statusLine(Socket s) throws Exception {
        s.setSoTimeout(60_000);
        return new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8)).readLine();
    }

    @Test
    void anOversizedRequestHeadIsRefused() throws Exception {
        try (ServiceFixture f = ServiceFixture.start("CREATE TABLE t (v int)");
             Socket s = new Socket("127.0.0.1", f.service.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/tables/t/records HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000)
                    + "\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{\"v\": 1}").getBytes(UTF_8));
            out.flush();
            assertThat(statusLine(s)).startsWith("HTTP/1.1 431");
            assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
        }
    }

    @Test
    void aBodyThatDoesNotArriveInTimeIsRefusedAndItsMemoryReturned() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(c -> c.withLimits(Duration.ofSeconds(1), 0), "CREATE TABLE t (v int)");
             Socket s = new Socket("127.0.0.1", f.service.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/tables/t/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                    + "[{\"v\": 1}, ").getBytes(UTF_8));
            out.flush(); // ...and nothing more
            assertThat(statusLine(s)).startsWith("HTTP/1.1 408");
            assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
            assertThat(ServiceFixture.json(f.get("/v1/stats")).getLong("budget_used_bytes")).isZero();
        }
    }

    @Test
    void aJsonBodyWhoseRecordsDoNotFitTheBudgetIsAnsweredBusyNotQueueFull() throws Exception {
        // One body arriving holds 2000 bytes of the budget; a second one fits beside it as it
        // arrives, its decoded records (about twice its text) do not, while the table's queue is
        // empty: the answer names the budget, as it does for a body that does not fit as it arrives.
        try (ServiceFixture f = ServiceFixture.start(c -> c.withEngine(c.engine().toBuilder().memoryBudgetBytes(4096).build()),
                "CREATE TABLE t (v text)");
             Socket held = new Socket("127.0.0.1", f.service.port())) {
            OutputStream out = held.getOutputStream();
            out.write(("POST /v1/tables/t/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3000\r\n\r\n"
                    + "[" + " ".repeat(1999)).getBytes(UTF_8));
            out.flush(); // ...and the rest later
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ServiceFixture.json(f.get("/v1/stats")).getLong("budget_used_bytes") < 2000) {
                assertThat(System.nanoTime()).as("waiting until the first body holds its bytes").isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            HttpResponse<String> r = f.postJson("t", "{\"v\": \"" + "x".repeat(1500) + "\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
            assertThat(ServiceFixture.json(r).getString("error")).as(r.body()).isEqualTo("busy");
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
            assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
        }
    }

    @Test
    void aKeyOverItsRateGets429WithRetryAfter() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(c -> c.withLimits(Duration.ofSeconds(60), 1), "CREATE TABLE t (v int)")) {
            String token = AuthIT.ingest("keys", "create", "--name", "busy", "--tables", "t", "--database-url", f.db.url());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (f.postJson("nowhere", "{}").statusCode() != 401) { // the service reads new keys every 2 s
                assertThat(System.nanoTime()).isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            int ok = 0;
            HttpResponse<String> limited = null;
            // A burst of 2 is allowed; the 10 requests below come far faster than 1 per second.
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> r = f.post("/v1/tables/t/records", "application/json", "{\"v\": 1}".getBytes(UTF_8),
                        "Authorization", "Bearer " + token);
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                    limited = r;
                }
            }
            assertThat(limited).as("no request was rate limited").isNotNull();
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();
            assertThat(ServiceFixture.json(limited).getString("error")).isEqualTo("rate_limited");
            assertThat(ok).isBetween(1, 3);
            assertThat(f.db.queryLong("SELECT count(*) FROM t")).isEqualTo(ok);
        }
    }
}

package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.testing.Executables;
import dev.ingest.engine.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two replicas behind a real HAProxy on one database: clients load through the balancer, one
 * replica is killed (SIGKILL) mid-load, clients retry what was not acknowledged under the same
 * Idempotency-Key, and every record is then present exactly once. Needs the haproxy package
 * ({@code .ci/run} installs it where it can); without it this test is skipped, saying so.
 */
@Timeout(300)
class ScaleOutIT {
    private static final int CLIENTS = 4;
    private static final int REQUESTS = 150;
    private static final int RECORDS = 10;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aReplicaKilledMidLoadBehindHaproxyLosesAndDuplicatesNothing() throws Exception {
        Path haproxyCommand = Executables.find("haproxy");
        Assumptions.assumeTrue(haproxyCommand != null, "haproxy is not installed (apt-get install haproxy)");
        TestDatabase.Database db = TestDatabase.create();
        db.execute("CREATE TABLE hits (k text NOT NULL, i int NOT NULL)"); // no key: a second write would show
        Path dir = Files.createDirectories(Path.of("target", "scale-out-it"));
        int front = freePort();
        try (CrashIT.Service a = CrashIT.Service.start(db); CrashIT.Service b = CrashIT.Service.start(db)) {
            Path cfg = dir.resolve("haproxy-" + front + ".cfg");
            Files.writeString(cfg, String.join("\n",
                    "global", "  maxconn 256",
                    "defaults", "  mode http", "  timeout connect 2s", "  timeout client 60s", "  timeout server 60s",
                    "frontend ingest", "  bind 127.0.0.1:" + front, "  default_backend replicas",
                    "backend replicas", "  balance roundrobin", "  option httpchk GET /health/ready",
                    "  server a 127.0.0.1:" + a.port() + " check inter 200ms fall 1 rise 2",
                    "  server b 127.0.0.1:" + b.port() + " check inter 200ms fall 1 rise 2", ""));
            Process haproxy = new ProcessBuilder(haproxyCommand.toString(), "-db", "-f", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy-" + front + ".log").toFile()).start();
            try {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
                URI uri = URI.create("http://127.0.0.1:" + front + "/v1/tables/hits/records");
                awaitThrough(http, URI.create("http://127.0.0.1:" + front + "/health/ready"));

                AtomicInteger acked = new AtomicInteger();
                AtomicInteger retries = new AtomicInteger();
                ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    done.add(clients.submit(() -> {
                        for (int n = 0; n < REQUESTS; n++) {
                            String key = "c" + client + "-" + n;
                            StringBuilder body = new StringBuilder("[");
                            for (int i = 0; i < RECORDS; i++) {
                                body.append(i == 0 ? "" : ",").append("{\"k\":\"").append(key).append("\",\"i\":").append(i).append('}');
                            }
                            send(http, uri, key, body.append(']').toString(), retries);
                            acked.incrementAndGet();
                        }
                        return null;
                    }));
                }
                // Kill one replica once the load is well under way.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (acked.get() < CLIENTS * REQUESTS / 4) {
                    assertThat(System.nanoTime()).isLessThan(deadline);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
                a.kill();
                for (Future<?> f : done) {
                    f.get(240, TimeUnit.SECONDS);
                }
                clients.shutdown();
                assertThat(acked.get()).isEqualTo(CLIENTS * REQUESTS);
                long expected = (long) CLIENTS * REQUESTS * RECORDS;
                assertThat(db.queryLong("SELECT count(*) FROM hits")).isEqualTo(expected);
                assertThat(db.queryLong("SELECT count(*) FROM (SELECT DISTINCT k, i FROM hits) d")).isEqualTo(expected);
            } finally {
                haproxy.destroy();
                haproxy.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Sends until acknowledged (200), retrying under the same key whatever went wrong. */
    private static void send(HttpClient http, URI uri, String key, String body, AtomicInteger retries) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json").header("Idempotency-Key", key)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // the replica died under this request: send it again
            }
            retries.incrementAndGet();
            assertThat(System.nanoTime()).as("request " + key + " never acknowledged").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static void awaitThrough(HttpClient http, URI ready) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // haproxy not listening yet
            }
            assertThat(System.nanoTime()).as("balancer ready").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}

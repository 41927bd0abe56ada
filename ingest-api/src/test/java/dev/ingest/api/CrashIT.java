package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The service as a separate process, killed for real. With {@code kill -9} at a random moment,
 * and again after each restart, every request is either acknowledged or resent with its
 * Idempotency-Key, and in the end every record is in the table exactly once. With SIGTERM the
 * service answers what it has, exits 0, and loses nothing it acknowledged.
 */
@Timeout(300)
class CrashIT {
    private static final int CLIENTS = 4;
    private static final int RECORDS = 50;

    /** One request of the test: its key and body never change, however often it is sent. */
    private record Request(String key, String body) {
    }

    @Test
    void killDashNineAtRandomMomentsLosesAndDuplicatesNothing() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute(ServiceFixture.eventsTable());
        Random random = new Random(20261121);
        List<Request> all = new ArrayList<>();
        ConcurrentLinkedQueue<Request> unacknowledged = new ConcurrentLinkedQueue<>();
        AtomicInteger sequence = new AtomicInteger();
        int kills = 0;
        for (int round = 0; round < 3; round++) {
            try (Service s = Service.start(db)) {
                // First, the requests cut off by the last kill, with their keys: exactly once.
                Request r;
                while ((r = unacknowledged.poll()) != null) {
                    assertThat(s.post(r)).isEqualTo(200);
                }
                Load load = new Load(s, sequence, all, unacknowledged);
                load.awaitAcknowledged(20 + random.nextInt(60));
                s.kill();
                kills++;
                load.stop();
            }
        }
        try (Service s = Service.start(db)) {
            Request r;
            while ((r = unacknowledged.poll()) != null) {
                assertThat(s.post(r)).isEqualTo(200);
            }
        }
        assertThat(kills).isEqualTo(3);
        long expected = (long) all.size() * RECORDS;
        assertThat(db.queryLong("SELECT count(*) FROM events")).isEqualTo(expected);
        assertThat(db.queryLong("SELECT count(DISTINCT event_id) FROM events")).isEqualTo(expected);
    }

    @Test
    void sigtermAnswersWhatItHasAndExitsZero() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute(ServiceFixture.eventsTable());
        List<Request> all = new ArrayList<>();
        ConcurrentLinkedQueue<Request> unacknowledged = new ConcurrentLinkedQueue<>();
        AtomicInteger sequence = new AtomicInteger();
        long acknowledged;
        try (Service s = Service.start(db)) {
            Load load = new Load(s, sequence, all, unacknowledged);
            load.awaitAcknowledged(40);
            assertThat(s.terminate()).as("exit code after SIGTERM").isZero();
            acknowledged = load.stop();
        }
        // Everything acknowledged before the stop is committed; the rest goes again, keyed.
        assertThat(db.queryLong("SELECT count(*) FROM events")).isGreaterThanOrEqualTo(acknowledged * RECORDS);
        try (Service s = Service.start(db)) {
            Request r;
            while ((r = unacknowledged.poll()) != null) {
                assertThat(s.post(r)).isEqualTo(200);
            }
        }
        assertThat(db.queryLong("SELECT count(*) FROM events")).isEqualTo((long) all.size() * RECORDS);
        assertThat(db.queryLong("SELECT count(DISTINCT event_id) FROM events")).isEqualTo((long) all.size() * RECORDS);
    }

    /** Clients posting keyed requests until stopped; what was not acknowledged is kept for a resend. */
    private static final class Load {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger acknowledged = new AtomicInteger();
        private final ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        private final List<Future<?>> clients = new ArrayList<>();

        Load(Service s, AtomicInteger sequence, List<Request> all, ConcurrentLinkedQueue<Request> unacknowledged) {
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(pool.submit(() -> {
                    while (running.get()) {
                        int n = sequence.getAndIncrement();
                        StringBuilder body = new StringBuilder("[");
                        for (int i = 0; i < RECORDS; i++) {
                            body.append(i == 0 ? "" : ",").append(RecordsIT.event(n * RECORDS + i, "crash"));
                        }
                        Request r = new Request("req-" + n, body.append(']').toString());
                        synchronized (all) {
                            all.add(r);
                        }
                        int status;
                        try {
                            status = s.post(r);
                        } catch (IOException e) {
                            status = -1; // the service is gone: the answer, if any, was lost
                        }
                        if (status == 200) {
                            acknowledged.incrementAndGet();
                        } else {
                            unacknowledged.add(r);
                            if (status == -1) {
                                return null;
                            }
                        }
                    }
                    return null;
                }));
            }
        }

        void awaitAcknowledged(int n) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (acknowledged.get() < n) {
                assertThat(System.nanoTime()).as("acknowledged %d of %d", acknowledged.get(), n).isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
        }

        /** Stops the clients; returns how many requests were acknowledged. */
        long stop() throws Exception {
            running.set(false);
            for (Future<?> f : clients) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
            return acknowledged.get();
        }
    }

    /** {@code ingest serve} in its own JVM, on this test's classpath. */
    /** The service as a child process (the test classpath), on a free loopback port. Also used by ScaleOutIT. */
    static final class Service implements AutoCloseable {
        private final Process process;
        private final int port;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();

        private Service(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Service start(TestDatabase.Database db) throws Exception {
            return start(db.url());
        }

        /** The service on the database at {@code databaseUrl}, any form {@code --database-url} takes; {@code more} added to serve's arguments. */
        static Service start(String databaseUrl, String... more) throws Exception {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path log = Files.createDirectories(Path.of("target", "crash-it")).resolve("service-" + port + ".log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), "dev.ingest.api.cli.Main", "serve", "--port", Integer.toString(port),
                    "--database-url", databaseUrl));
            command.addAll(List.of(more));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Service s = new Service(p, port);
            s.awaitReady();
            return s;
        }

        private void awaitReady() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                assertThat(process.isAlive()).as("service process alive").isTrue();
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                            .build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            throw new AssertionError("service not ready in 60 s");
        }

        int post(Request r) throws IOException, InterruptedException {
            return post("events", r.key(), r.body());
        }

        /** A JSON body posted to {@code table} under an Idempotency-Key; the answer's status. */
        int post(String table, String key, String body) throws IOException, InterruptedException {
            return post(table, key, "application/json", body);
        }

        /** A body of the given type posted to {@code table} under an Idempotency-Key; the answer's status. */
        int post(String table, String key, String contentType, String body) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/tables/" + table + "/records"))
                    .header("Content-Type", contentType).header("Idempotency-Key", key)
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        }

        /** The status of a {@code POST} without a body, as {@code /v1/imports/NAME/run} takes. */
        int postEmpty(String path) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }

        /** The status of {@code GET path}, or -1 when the service did not answer. */
        int get(String path) throws InterruptedException {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return -1;
            }
        }

        int port() {
            return port;
        }

        /** SIGKILL: no shutdown hook, no drain. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        /** SIGTERM; returns the exit code. */
        int terminate() throws InterruptedException {
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
            return process.exitValue();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(60, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}

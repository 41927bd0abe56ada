package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.server.IngestService;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Idempotency-Key: a repeat gets the first answer back and writes nothing. */
@Timeout(180)
class IdempotencyIT {
    private static ServiceFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = ServiceFixture.start(ServiceFixture.eventsTable(), "CREATE TABLE other (v int)");
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @BeforeEach
    void clean() {
        f.db.execute("TRUNCATE events, other", "TRUNCATE ingest.idempotency_keys");
    }

    private static HttpResponse<String> post(String table, String type, String body, String key) throws Exception {
        return f.post("/v1/tables/" + table + "/records", type, body.getBytes(UTF_8), "Idempotency-Key", key);
    }

    private static String events(int from, int to, String source) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            b.append(RecordsIT.event(i, source)).append('\n');
        }
        return b.toString();
    }

    @Test
    void aRepeatedJsonRequestGetsTheFirstAnswerAndWritesNothing() throws Exception {
        String body = "[" + RecordsIT.event(1, "k") + "," + RecordsIT.event(2, "k") + ",{\"event_id\":\"bad\"}]";
        HttpResponse<String> first = post("events", "application/json", body, "order-1");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> again = post("events", "application/json", body, "order-1");
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(new JsonObject(again.body())).isEqualTo(new JsonObject(first.body()));
            assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(2);
        // the same key on another table is another request
        assertThat(post("other", "application/json", "{\"v\": 1}", "order-1").statusCode()).isEqualTo(200);
        assertThat(f.db.queryLong("SELECT count(*) FROM other")).isEqualTo(1);
    }

    @Test
    void aRequestWhoseRecordsWereAllRefusedReplaysIts422() throws Exception {
        String body = "[{\"event_id\": \"nope\"}, {\"event_id\": \"nada\"}]";
        HttpResponse<String> first = post("events", "application/json", body, "bad-1");
        assertThat(first.statusCode()).isEqualTo(422);
        HttpResponse<String> again = post("events", "application/json", body, "bad-1");
        assertThat(again.statusCode()).isEqualTo(422);
        assertThat(new JsonObject(again.body()).getJsonArray("rejected"))
                .isEqualTo(new JsonObject(first.body()).getJsonArray("rejected"));
    }

    @Test
    void aReplayIsTheFirstAnswerByteForByte() throws Exception {
        // The stored answer comes back from jsonb, which orders keys its own way: the replay must
        // still be the very bytes of the first answer, rejections and upsert counts included.
        String body = "[" + RecordsIT.event(3, "b") + ",{\"event_id\":\"bad\"}]";
        HttpResponse<String> first = f.post("/v1/tables/events/records?on_conflict=ignore", "application/json",
                body.getBytes(UTF_8), "Idempotency-Key", "bytes-1");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).contains("\"rejected\":[{\"index\":1,\"sqlstate\":");
        HttpResponse<String> again = f.post("/v1/tables/events/records?on_conflict=ignore", "application/json",
                body.getBytes(UTF_8), "Idempotency-Key", "bytes-1");
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(again.body()).isEqualTo(first.body());
    }

    @Test
    void theStatusStoredWithAnAnswerKeepsTheValuesOfEarlierRows() throws Exception {
        assertThat(post("events", "application/json", "[" + RecordsIT.event(4, "s") + ",{\"event_id\":\"bad\"}]", "some")
                .statusCode()).isEqualTo(200);
        assertThat(post("events", "application/json", "[{\"event_id\": \"nope\"}]", "none").statusCode()).isEqualTo(422);
        assertThat(f.db.queryLong("SELECT status FROM ingest.idempotency_keys WHERE key = 'some'")).isEqualTo(200);
        assertThat(f.db.queryLong("SELECT status FROM ingest.idempotency_keys WHERE key = 'none'")).isEqualTo(422);
    }

    /**
     * A key is free the moment its answer arrives, whichever connection (and so event loop) the
     * client's next request comes on: a repeat with another body is told the key was used, never
     * that it is still in progress. Each round answers on one connection and asks on another.
     */
    @Test
    void aKeyIsFreeOnEveryConnectionOnceItsAnswerHasArrived() throws Exception {
        HttpClient first = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpClient second = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<String> answers = new ArrayList<>();
        for (int round = 0; round < 300; round++) {
            String key = "free-" + round;
            String type = round % 2 == 0 ? "application/json" : "application/x-ndjson";
            String body = type.equals("application/json") ? "[" + RecordsIT.event(round, "a") + "]" : events(round, round + 1, "a");
            String other = type.equals("application/json") ? "[" + RecordsIT.event(round, "b") + "]" : events(round, round + 1, "b");
            assertThat(send(first, type, body, key).statusCode()).isEqualTo(200);
            HttpResponse<String> reused = send(second, type, other, key);
            if (reused.statusCode() != 422) {
                answers.add("round " + round + " (" + type + "): " + reused.statusCode() + " " + reused.body());
            }
        }
        assertThat(answers).as("repeats with another body that were not refused as a reused key").isEmpty();
        assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(300);
        assertThat(f.db.queryLong("SELECT count(*) FROM events WHERE source = 'b'")).isZero();
    }

    private static HttpResponse<String> send(HttpClient client, String type, String body, String key) throws Exception {
        return client.send(HttpRequest.newBuilder(f.uri("/v1/tables/events/records")).header("Content-Type", type)
                .header("Idempotency-Key", key).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void concurrentRepeatsOfOneKeyWriteOnce() throws Exception {
        String body = "[" + RecordsIT.event(10, "c") + "," + RecordsIT.event(11, "c") + "]";
        int threads = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return post("events", "application/json", body, "same-key");
                }));
            }
            go.countDown();
            int ok = 0;
            for (Future<HttpResponse<String>> a : answers) {
                HttpResponse<String> r = a.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isIn(200, 409);
                if (r.statusCode() == 200) {
                    ok++;
                    assertThat(new JsonObject(r.body()).getLong("accepted")).isEqualTo(2);
                } else {
                    assertThat(r.headers().firstValue("Connection")).isPresent();
                }
            }
            assertThat(ok).isGreaterThanOrEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(2);
        HttpResponse<String> after = post("events", "application/json", body, "same-key");
        assertThat(after.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    }

    @Test
    void aStreamRepeatedAfterPartOfItCommittedWritesOnlyTheRest() throws Exception {
        // Earlier attempts committed the first 2,500, then the first 5,100 records under the key,
        // then were cut off: segment boundaries differ from attempt to attempt.
        assertThat(post("events", "application/x-ndjson", events(0, 2500, "s"), "load-7").statusCode()).isEqualTo(200);
        HttpResponse<String> partial = post("events", "application/x-ndjson", events(0, 5100, "s"), "load-7");
        assertThat(partial.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(partial.body()).getLong("accepted")).isEqualTo(5100);
        assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(5100);
        HttpResponse<String> whole = post("events", "application/x-ndjson", events(0, 7000, "s"), "load-7");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        assertThat(new JsonObject(whole.body()).getLong("accepted")).as("the answer covers the whole body").isEqualTo(7000);
        assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(7000);
        assertThat(f.db.queryLong("SELECT count(DISTINCT event_id) FROM events")).isEqualTo(7000);
        HttpResponse<String> again = post("events", "application/x-ndjson", events(0, 7000, "s"), "load-7");
        assertThat(new JsonObject(again.body()).getLong("accepted")).isEqualTo(7000);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(7000);
    }

    /** Lines {@code from..to} of a body whose lines at {@code bad} indexes are not JSON. */
    private static String eventsWithBadLines(int from, int to, String source, int... bad) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            final int index = i;
            b.append(Arrays.stream(bad).anyMatch(x -> x == index) ? "{not json" : RecordsIT.event(i, source)).append('\n');
        }
        return b.toString();
    }

    @Test
    void aResumedStreamIsAnsweredForTheWholeBodyInBodyOrder() throws Exception {
        // The first attempt commits the first 2,500 records (one refused); the retry of the whole
        // body writes the rest, whose refusals come before and after the stored ones.
        assertThat(post("events", "application/x-ndjson", eventsWithBadLines(0, 2500, "o", 5), "order-1").statusCode())
                .isEqualTo(200);
        HttpResponse<String> whole = post("events", "application/x-ndjson", eventsWithBadLines(0, 7000, "o", 5, 4000, 6999),
                "order-1");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        assertThat(whole.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        JsonObject answer = new JsonObject(whole.body());
        assertThat(answer.getLong("accepted")).isEqualTo(6997);
        assertThat(answer.getJsonArray("rejected").stream().map(r -> ((JsonObject) r).getInteger("index")).toList())
                .containsExactly(5, 4000, 6999);
        HttpResponse<String> again = post("events", "application/x-ndjson", eventsWithBadLines(0, 7000, "o", 5, 4000, 6999),
                "order-1");
        assertThat(new JsonObject(again.body()).getJsonArray("rejected")).isEqualTo(answer.getJsonArray("rejected"));
        assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(6997);
        assertThat(f.db.queryLong("SELECT count(DISTINCT event_id) FROM events")).isEqualTo(6997);
    }

    @Test
    void aStreamWhoseKeyAnotherReplicaCommittedFirstGetsThatAnswer() throws Exception {
        // Two services on one database take the same keyed stream at once (a client retrying on
        // another replica): one commits it, the other finds the key taken in its batch and must
        // answer with what was committed under it, not with the nothing it wrote itself.
        String body = eventsWithBadLines(0, 300, "replica", 7);
        ServiceConfig config = ConfigResolver.resolve(new ConfigResolver.Flags("127.0.0.1", 0, f.db.url(), null),
                Map.of(), ConfigFile.EMPTY);
        HttpClient http = HttpClient.newHttpClient();
        try (IngestService second = IngestService.start(config); Connection lock = f.db.connect()) {
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
            }
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (URI uri : List.of(f.uri("/v1/tables/events/records"),
                    URI.create("http://127.0.0.1:" + second.port() + "/v1/tables/events/records"))) {
                answers.add(http.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-ndjson")
                        .header("Idempotency-Key", "replica-1").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            awaitWaitingBackends(2);
            lock.commit();
            for (CompletableFuture<HttpResponse<String>> a : answers) {
                HttpResponse<String> r = a.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonObject answer = new JsonObject(r.body());
                assertThat(answer.getLong("accepted")).as(r.body()).isEqualTo(299);
                assertThat(answer.getJsonArray("rejected").stream().map(x -> ((JsonObject) x).getInteger("index")).toList())
                        .containsExactly(7);
            }
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(299);
        assertThat(f.db.queryLong("SELECT count(DISTINCT event_id) FROM events")).isEqualTo(299);
    }

    /** Waits until {@code n} backends of the test database wait for a lock (the writers of both services). */
    private static void awaitWaitingBackends(int n) {
        Awaitility.await("both writers waiting for the lock").atMost(Duration.ofSeconds(60))
                .until(() -> f.db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        + "AND wait_event_type = 'Lock'") >= n);
    }

    @Test
    void theAnswerSurvivesARestartOfTheService() throws Exception {
        String body = "[" + RecordsIT.event(20, "r") + "]";
        assertThat(post("events", "application/json", body, "restart-1").statusCode()).isEqualTo(200);
        ServiceConfig config = ConfigResolver.resolve(new ConfigResolver.Flags("127.0.0.1", 0, f.db.url(), null),
                Map.of(), ConfigFile.EMPTY);
        try (IngestService second = IngestService.start(config)) {
            HttpResponse<String> again = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + second.port() + "/v1/tables/events/records"))
                    .header("Content-Type", "application/json").header("Idempotency-Key", "restart-1")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(1);
    }

    @Test
    void invalidKeysAreRefused() throws Exception {
        for (String key : new String[] {"has space", "x".repeat(256), "tab\there"}) {
            HttpResponse<String> r = post("events", "application/json", "[" + RecordsIT.event(30, "i") + "]", key);
            assertThat(r.statusCode()).as(key).isEqualTo(400);
            assertThat(ServiceFixture.json(r).getString("error")).isEqualTo("invalid_idempotency_key");
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM events")).isZero();
    }

    @Test
    void keysExpireAfterTheirRetentionWithoutTouchingRecentOnes() throws Exception {
        assertThat(post("events", "application/json", "[" + RecordsIT.event(40, "e") + "]", "recent").statusCode()).isEqualTo(200);
        assertThat(post("events", "application/json", "[" + RecordsIT.event(41, "e") + "]", "old").statusCode()).isEqualTo(200);
        f.db.execute("UPDATE ingest.idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old'");
        assertThat(f.service.engine().expireNow().keys()).isEqualTo(1);
        assertThat(f.db.queryLong("SELECT count(*) FROM ingest.idempotency_keys WHERE key = 'recent'")).isEqualTo(1);
        assertThat(f.db.queryLong("SELECT count(*) FROM ingest.idempotency_keys WHERE key = 'old'")).isZero();
    }
}

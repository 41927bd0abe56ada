package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Streamed uploads: CSV semantics, large bodies in many chunks, and backpressure under a small budget. */
@Timeout(180)
class StreamingIT {
    @Test
    void csvFieldsFollowPostgresCsvRules() throws Exception {
        try (ServiceFixture f = ServiceFixture.start("""
                CREATE TABLE c (id int, t text, n numeric, j jsonb, tags text[], b boolean, d text DEFAULT 'dflt')""")) {
            String csv = "id,t,n,j,tags,b\r\n"
                    + "1,plain,1.5,\"{\"\"k\"\": [1, 2]}\",\"{a,b}\",true\r\n"
                    + "2,\"comma, quote \"\" and\nnewline\",,null,{},f\r\n"
                    + "3,\"\",-0.25,,,\r\n" // one line end throughout, as COPY requires
                    + "4,日本語 ✓,1e3,\"\"\"s\"\"\",\"{\"\"x y\"\",NULL}\",yes"; // no final newline
            HttpResponse<String> r = f.post("/v1/tables/c/records", "text/csv", csv.getBytes(UTF_8));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(ServiceFixture.json(r).getLong("accepted")).isEqualTo(4);
            assertThat(f.rows("SELECT id, t, n::text, j::text, tags::text, b::text, d FROM c ORDER BY id")).containsExactly(
                    List.of("1", "plain", "1.5", "{\"k\": [1, 2]}", "{a,b}", "true", "dflt"),
                    Arrays.asList("2", "comma, quote \" and\nnewline", null, "null", "{}", "false", "dflt"),
                    Arrays.asList("3", "", "-0.25", null, null, null, "dflt"),
                    List.of("4", "日本語 ✓", "1000", "\"s\"", "{\"x y\",NULL}", "true", "dflt"));
        }
    }

    @Test
    void multiMegabyteCsvAndNdjsonBodiesArriveCompleteThroughGzip() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(ServiceFixture.eventsTable())) {
            int n = 60_000;
            StringBuilder csv = new StringBuilder("event_id,ts,source,kind,user_id,value,payload\n");
            StringBuilder nd = new StringBuilder();
            for (int i = 0; i < n; i++) {
                csv.append(UUID.nameUUIDFromBytes(("csv" + i).getBytes())).append(",2026-01-01T00:00:00Z,csv,k")
                        .append(i % 5).append(',').append(i).append(',').append(i * 0.25)
                        .append(",\"{\"\"i\"\": ").append(i).append(", \"\"note\"\": \"\"a, b\"\"}\"\n");
                nd.append(RecordsIT.event(i, "nd")).append('\n');
            }
            assertThat(csv.length()).isGreaterThan(5_000_000);
            HttpResponse<String> a = f.post("/v1/tables/events/records", "text/csv", gzip(csv.toString()), "Content-Encoding", "gzip");
            HttpResponse<String> b = f.post("/v1/tables/events/records", "application/x-ndjson", nd.toString().getBytes(UTF_8));
            assertThat(a.statusCode()).as(a.body()).isEqualTo(200);
            assertThat(b.statusCode()).as(b.body()).isEqualTo(200);
            assertThat(ServiceFixture.json(a).getLong("accepted")).isEqualTo(n);
            assertThat(ServiceFixture.json(b).getLong("accepted")).isEqualTo(n);
            assertThat(f.db.queryLong("SELECT count(*) FROM events WHERE source = 'csv'")).isEqualTo(n);
            assertThat(f.db.queryLong("SELECT count(DISTINCT event_id) FROM events")).isEqualTo(2L * n);
            assertThat(f.db.queryLong("SELECT sum(user_id) FROM events WHERE source = 'csv' AND (payload->>'i')::bigint = user_id"))
                    .isEqualTo((long) n * (n - 1) / 2);
        }
    }

    @Test
    void aColumnAddedAfterStartIsAcceptedInStreamedBodiesToo() throws Exception {
        try (ServiceFixture f = ServiceFixture.start("CREATE TABLE g (a int)")) {
            assertThat(f.post("/v1/tables/g/records", "text/csv", "a\n1\n".getBytes(UTF_8)).statusCode()).isEqualTo(200);
            f.db.execute("ALTER TABLE g ADD COLUMN b text");
            HttpResponse<String> csv = f.post("/v1/tables/g/records", "text/csv", "a,b\n2,x\n".getBytes(UTF_8));
            assertThat(csv.statusCode()).as(csv.body()).isEqualTo(200);
            f.db.execute("ALTER TABLE g ADD COLUMN c text");
            HttpResponse<String> nd = f.post("/v1/tables/g/records", "application/x-ndjson", "{\"a\": 3, \"c\": \"y\"}\n".getBytes(UTF_8));
            assertThat(nd.statusCode()).as(nd.body()).isEqualTo(200);
            assertThat(f.rows("SELECT a, b, c FROM g ORDER BY a")).containsExactly(
                    Arrays.asList("1", null, null), Arrays.asList("2", "x", null), Arrays.asList("3", null, "y"));
        }
    }

    /**
     * With writers stuck behind a lock and a 1 MiB budget, a 30 MB NDJSON upload must not be
     * buffered: the budget stays bounded, the client is held back, and a JSON request larger than
     * the room left gets 429 with Retry-After. Once the lock goes, the upload completes with every record exactly once.
     */
    @Test
    void aFullBudgetPausesUploadsAndRefusesJsonWithRetryAfter() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(
                c -> c.withEngine(c.engine().toBuilder().writersPerTable(1).memoryBudgetBytes(1024 * 1024).build()),
                ServiceFixture.eventsTable());
             Connection blocker = f.db.connect()) {
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
            }
            int n = 120_000;
            AtomicLong sent = new AtomicLong();
            HttpRequest upload = HttpRequest.newBuilder(f.uri("/v1/tables/events/records"))
                    .header("Content-Type", "application/x-ndjson")
                    .timeout(Duration.ofSeconds(150))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedNdjson(n, sent)))
                    .build();
            CompletableFuture<HttpResponse<String>> response = HttpClient.newHttpClient()
                    .sendAsync(upload, HttpResponse.BodyHandlers.ofString());

            var engine = f.service.engine();
            // The stuck upload holds most of the budget (it pauses once the next chunk no longer fits).
            eventually(() -> engine.stats().budgetUsedBytes() >= engine.stats().budgetLimitBytes() * 3 / 4,
                    "the upload holds most of the budget");
            StringBuilder big = new StringBuilder("[");
            for (int i = 0; i < 2500; i++) {
                big.append(i == 0 ? "" : ",").append(RecordsIT.event(-1 - i, "json"));
            }
            String bigJson = big.append(']').toString();
            assertThat(bigJson.length()).isGreaterThan(512 * 1024); // more than the room left
            HttpResponse<String> json = f.postJson("events", bigJson);
            assertThat(json.statusCode()).as(json.body()).isEqualTo(429);
            assertThat(json.headers().firstValue("Retry-After")).isPresent();
            assertThat(Integer.parseInt(json.headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 60);

            long total = new GeneratedNdjson(n, new AtomicLong()).readAllBytes().length;
            assertThat(total).isGreaterThan(25_000_000);
            // Held back: while the writers are stuck, far less than the body has been taken,
            // and what the engine holds stays within the budget plus one segment.
            long peak = 0;
            for (int i = 0; i < 200; i++) {
                peak = Math.max(peak, engine.stats().budgetUsedBytes());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertThat(response).isNotDone();
            assertThat(sent.get()).isLessThan(total / 2);
            // Decoded records are reserved before decoding: the budget holds, give or take the
            // truing-up of one chunk's estimate.
            assertThat(peak).isLessThanOrEqualTo(engine.stats().budgetLimitBytes() + 256 * 1024);

            blocker.rollback();
            HttpResponse<String> done = response.get(150, TimeUnit.SECONDS);
            assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
            assertThat(new JsonObject(done.body()).getLong("accepted")).isEqualTo(n);
            assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(n);
            assertThat(f.db.queryLong("SELECT count(DISTINCT event_id) FROM events")).isEqualTo(n);
            assertThat(engine.stats().budgetUsedBytes()).isZero();
        }
    }

    /** Waits for a condition, checking every few milliseconds, failing after 60 seconds. */
    static void eventually(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static byte[] gzip(String s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(UTF_8));
        }
        return out.toByteArray();
    }

    /** NDJSON events made as they are read, counting the bytes handed out. */
    private static final class GeneratedNdjson extends InputStream {
        private final int records;
        private final AtomicLong sent;
        private int next;
        private byte[] line = new byte[0];
        private int pos;

        GeneratedNdjson(int records, AtomicLong sent) {
            this.records = records;
            this.sent = sent;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == line.length) {
                if (next == records) {
                    return -1;
                }
                line = (RecordsIT.event(next++, "stream") + "\n").getBytes(UTF_8);
                pos = 0;
            }
            int n = Math.min(len, line.length - pos);
            System.arraycopy(line, pos, b, off, n);
            pos += n;
            sent.addAndGet(n);
            return n;
        }
    }
}

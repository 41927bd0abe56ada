package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DDL while clients post: a column widened from int to bigint, an enum dropped and created again,
 * a column added and one dropped, each committed while keyed JSON and NDJSON bodies keep coming.
 * The clients keep a ledger of what each answer acknowledged. At the end every acknowledged record
 * is in the table exactly once with the values it was sent with, nothing else is, and no request
 * was answered 5xx. The only refusals allowed are those PostgreSQL gives a record naming the
 * dropped column (42703, or the whole body's 400 once the catalog knows the column is gone).
 */
@Timeout(240)
class SchemaChangeUnderLoadIT {
    private static final int CLIENTS = 4;
    private static final int RECORDS_PER_BODY = 40;
    private static final int BODIES_BETWEEN_CHANGES = 12;

    /** What the clients may send: each step is entered once its DDL has committed. */
    private volatile int phase;
    private final AtomicInteger nextId = new AtomicInteger();
    private final Map<Integer, Map<String, String>> acknowledged = new ConcurrentHashMap<>();
    private final Semaphore bodiesAnswered = new Semaphore(0);

    @Test
    void everyAcknowledgedRecordIsStoredExactlyOnceWithItsValues() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(
                "CREATE TYPE mood AS ENUM ('happy', 'sad')",
                "CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL, m mood, extra text)")) {
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> clients = new ArrayList<>();
            try {
                for (int c = 0; c < CLIENTS; c++) {
                    boolean ndjson = c % 2 == 0;
                    clients.add(pool.submit(() -> client(f, ndjson)));
                }
                change(f, "ALTER TABLE t ALTER COLUMN n TYPE bigint");
                change(f, "ALTER TABLE t ALTER COLUMN m TYPE text", "DROP TYPE mood",
                        "CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh')", "ALTER TABLE t ALTER COLUMN m TYPE mood USING m::mood");
                change(f, "ALTER TABLE t ADD COLUMN added text");
                change(f, "ALTER TABLE t DROP COLUMN extra");
                awaitBodies(BODIES_BETWEEN_CHANGES);
                phase = Integer.MAX_VALUE; // clients stop
                for (Future<?> client : clients) {
                    client.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            Map<Integer, Map<String, String>> stored = new HashMap<>();
            for (List<String> row : f.rows("SELECT id, n::text, m::text, added FROM t")) {
                Map<String, String> values = new HashMap<>();
                values.put("n", row.get(1));
                values.put("m", row.get(2));
                values.put("added", row.get(3));
                assertThat(stored.put(Integer.valueOf(row.get(0)), values)).as("id %s stored twice", row.get(0)).isNull();
            }
            assertThat(acknowledged).isNotEmpty();
            assertThat(stored).isEqualTo(acknowledged);
            assertThat(f.db.queryLong("SELECT count(*) FROM t WHERE n > 2147483647")).as("values only bigint holds").isPositive();
            assertThat(f.db.queryLong("SELECT count(*) FROM t WHERE m = 'meh'")).as("the new enum label").isPositive();
        }
    }

    /** Lets the clients post a while, commits the DDL, and moves them to the next phase. */
    private void change(ServiceFixture f, String... ddl) throws InterruptedException {
        awaitBodies(BODIES_BETWEEN_CHANGES);
        f.db.execute(ddl);
        phase++;
    }

    private void awaitBodies(int n) throws InterruptedException {
        assertThat(bodiesAnswered.tryAcquire(n, 60, TimeUnit.SECONDS)).as("clients answered").isTrue();
    }

    private void client(ServiceFixture f, boolean ndjson) {
        try {
            while (phase != Integer.MAX_VALUE) {
                post(f, ndjson, phase);
                bodiesAnswered.release();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void post(ServiceFixture f, boolean ndjson, int sentIn) throws Exception {
        List<JsonObject> records = new ArrayList<>();
        List<Map<String, String>> expected = new ArrayList<>();
        for (int i = 0; i < RECORDS_PER_BODY; i++) {
            int id = nextId.incrementAndGet();
            JsonObject r = new JsonObject().put("id", id);
            Map<String, String> e = new HashMap<>();
            long n = sentIn >= 1 ? 3_000_000_000L + id : id;
            r.put("n", n);
            e.put("n", Long.toString(n));
            String m = sentIn >= 2 && id % 3 == 0 ? "meh" : id % 2 == 0 ? "happy" : "sad";
            r.put("m", m);
            e.put("m", m);
            if (sentIn >= 3) {
                r.put("added", "a" + id);
            }
            e.put("added", sentIn >= 3 ? "a" + id : null);
            if (sentIn < 4) {
                r.put("extra", "x"); // the column dropped last: not stored, so not in the ledger
            }
            records.add(r);
            expected.add(e);
        }
        StringBuilder body = new StringBuilder();
        if (ndjson) {
            records.forEach(r -> body.append(r.encode()).append('\n'));
        } else {
            body.append(new JsonArray(new ArrayList<>(records)).encode());
        }
        HttpResponse<String> response = f.post("/v1/tables/t/records", ndjson ? "application/x-ndjson" : "application/json",
                body.toString().getBytes(UTF_8), "Idempotency-Key", UUID.randomUUID().toString());
        assertThat(response.statusCode()).as("%s phase %d: %s", ndjson ? "NDJSON" : "JSON", sentIn, response.body())
                .isLessThan(500);
        JsonObject answer = ServiceFixture.json(response);
        if (response.statusCode() == 400) {
            // Only a record naming the dropped column may be refused, and only once it is gone.
            assertThat(sentIn).as(response.body()).isLessThan(4);
            assertThat(response.body()).contains("extra");
            return;
        }
        if (response.statusCode() == 422) {
            assertThat(answer.getString("error")).as(response.body()).isEqualTo("all_rejected");
        } else {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }
        boolean[] refused = new boolean[records.size()];
        for (Object o : answer.getJsonArray("rejected", new JsonArray())) {
            JsonObject rejection = (JsonObject) o;
            assertThat(sentIn).as(rejection.encode()).isLessThan(4);
            assertThat(rejection.getString("sqlstate")).as(rejection.encode()).isEqualTo("42703");
            refused[rejection.getInteger("index")] = true;
        }
        int accepted = 0;
        for (int i = 0; i < records.size(); i++) {
            if (!refused[i]) {
                acknowledged.put(records.get(i).getInteger("id"), expected.get(i));
                accepted++;
            }
        }
        assertThat(answer.getInteger("accepted")).isEqualTo(accepted);
    }
}

package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.WriterMode;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** on_conflict=error|ignore|update against the table's key, in every writer mode. */
@Timeout(180)
class ConflictIT {
    private static String event(String id, String kind) {
        return "{\"event_id\":\"" + id + "\",\"ts\":\"2026-01-01T00:00:00Z\",\"source\":\"c\",\"kind\":\"" + kind + "\"}";
    }

    private static final String A = "00000000-0000-4000-8000-00000000000a";
    private static final String B = "00000000-0000-4000-8000-00000000000b";
    private static final String C = "00000000-0000-4000-8000-00000000000c";

    @ParameterizedTest
    @ValueSource(strings = {"values", "unnest", "copy", "copy_binary"})
    void ignoreKeepsExistingRowsAndUpdateUpsertsOnTheKey(String mode) throws Exception {
        try (ServiceFixture f = ServiceFixture.start(c -> c.withEngine(c.engine().toBuilder().writerMode(WriterMode.parse(mode)).build()),
                ServiceFixture.eventsTable())) {
            assertThat(f.postJson("events", "[" + event(A, "first") + "," + event(B, "first") + "]").statusCode()).isEqualTo(200);

            HttpResponse<String> error = f.postJson("events", "[" + event(A, "again") + "]");
            assertThat(error.statusCode()).isEqualTo(422);
            assertThat(ServiceFixture.json(error).getJsonArray("rejected").getJsonObject(0).getString("sqlstate")).isEqualTo("23505");

            HttpResponse<String> ignore = f.post("/v1/tables/events/records?on_conflict=ignore", "application/json",
                    ("[" + event(A, "ignored") + "," + event(B, "ignored") + "," + event(C, "new") + "]").getBytes(UTF_8));
            assertThat(ignore.statusCode()).as(ignore.body()).isEqualTo(200);
            assertThat(ServiceFixture.json(ignore)).isEqualTo(new JsonObject(
                    "{\"accepted\":3,\"inserted\":1,\"updated\":0,\"ignored\":2,\"rejected\":[]}"));
            assertThat(f.rows("SELECT kind FROM events ORDER BY event_id")).containsExactly(List.of("first"), List.of("first"), List.of("new"));

            HttpResponse<String> update = f.post("/v1/tables/events/records?on_conflict=update", "application/x-ndjson",
                    (event(A, "updated") + "\n" + event("00000000-0000-4000-8000-00000000000d", "inserted") + "\n"
                            + "{\"event_id\":\"not-a-uuid\"}\n").getBytes(UTF_8));
            assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
            JsonObject u = ServiceFixture.json(update);
            assertThat(u.getLong("accepted")).isEqualTo(2);
            assertThat(u.getLong("inserted")).isEqualTo(1);
            assertThat(u.getLong("updated")).isEqualTo(1);
            assertThat(u.getJsonArray("rejected").getJsonObject(0).getInteger("index")).isEqualTo(2);
            assertThat(f.rows("SELECT kind FROM events ORDER BY event_id"))
                    .containsExactly(List.of("updated"), List.of("first"), List.of("new"), List.of("inserted"));
        }
    }

    private static String item(int id, int n, String note) {
        return "{\"id\":\"" + String.format("00000000-0000-4000-8000-%012d", id) + "\",\"n\":" + n
                + ",\"at\":\"2026-01-01T00:00:00.123456Z\",\"note\":\"" + note + "\"}\n";
    }

    /**
     * A large upsert (a group past auto's COPY threshold) answers and stores the same in every mode:
     * the target's constraint refuses its record alone, the same key twice is settled record by
     * record, a timestamptz(3) is rounded as PostgreSQL rounds it, and after the column's type
     * changes the next upsert takes the new type.
     */
    @ParameterizedTest
    @ValueSource(strings = {"auto", "copy_binary", "values"})
    void aLargeUpsertStoresWhatTheTargetWould(String mode) throws Exception {
        try (ServiceFixture f = ServiceFixture.start(c -> c.withEngine(c.engine().toBuilder().writerMode(WriterMode.parse(mode)).build()),
                "CREATE TABLE items (id uuid PRIMARY KEY, n int4 NOT NULL CHECK (n >= 0), at timestamptz(3), note text)")) {
            StringBuilder first = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                first.append(item(i, i, "first"));
            }
            assertThat(f.post("/v1/tables/items/records", "application/x-ndjson", first.toString().getBytes(UTF_8)).statusCode())
                    .isEqualTo(200);

            StringBuilder upsert = new StringBuilder();
            for (int i = 50; i < 350; i++) {
                upsert.append(item(i, i == 300 ? -1 : i + 1000, "upserted"));
            }
            upsert.append(item(200, 7, "second"));
            HttpResponse<String> r = f.post("/v1/tables/items/records?on_conflict=update", "application/x-ndjson",
                    upsert.toString().getBytes(UTF_8));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonObject answer = ServiceFixture.json(r);
            assertThat(answer.getLong("accepted")).isEqualTo(300);
            assertThat(answer.getLong("inserted")).as(r.body()).isEqualTo(249);
            assertThat(answer.getLong("updated")).as(r.body()).isEqualTo(51);
            assertThat(answer.getJsonArray("rejected")).hasSize(1);
            assertThat(answer.getJsonArray("rejected").getJsonObject(0).getInteger("index")).isEqualTo(250);
            assertThat(answer.getJsonArray("rejected").getJsonObject(0).getString("sqlstate")).isEqualTo("23514");

            assertThat(f.db.queryLong("SELECT count(*) FROM items")).isEqualTo(349);
            assertThat(f.db.queryLong("SELECT count(*) FROM items WHERE note = 'first'")).isEqualTo(50);
            assertThat(f.rows("SELECT n::text, note FROM items WHERE id = '00000000-0000-4000-8000-000000000200'"))
                    .containsExactly(List.of("7", "second"));
            assertThat(f.db.queryLong("SELECT count(*) FROM items WHERE n = 1099 AND note = 'upserted'")).isEqualTo(1);
            // PostgreSQL is the oracle of the rounding to three fractional digits.
            assertThat(f.db.queryLong("SELECT count(*) FROM items WHERE at IS DISTINCT FROM "
                    + "'2026-01-01T00:00:00.123456Z'::timestamptz(3)")).isZero();

            f.db.execute("ALTER TABLE items ALTER COLUMN n TYPE int8");
            StringBuilder wide = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                wide.append(item(i, 0, "wide").replace("\"n\":0", "\"n\":" + (5_000_000_000L + i)));
            }
            HttpResponse<String> again = f.post("/v1/tables/items/records?on_conflict=update", "application/x-ndjson",
                    wide.toString().getBytes(UTF_8));
            assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
            assertThat(ServiceFixture.json(again).getLong("accepted")).as(again.body()).isEqualTo(200);
            assertThat(f.db.queryLong("SELECT count(*) FROM items WHERE n >= 5000000000 AND note = 'wide'")).isEqualTo(200);
            assertThat(f.db.queryLong("SELECT count(*) FROM items")).isEqualTo(349);
        }
    }

    @Test
    void theSameKeyTwiceInOneUpsertIsSettledRecordByRecord() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(ServiceFixture.eventsTable())) {
            HttpResponse<String> r = f.post("/v1/tables/events/records?on_conflict=update", "application/json",
                    ("[" + event(A, "one") + "," + event(A, "two") + "]").getBytes(UTF_8));
            // One statement cannot upsert a row twice (SQLSTATE 21000): bisection writes them one by one.
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(ServiceFixture.json(r).getLong("accepted")).isEqualTo(2);
            assertThat(f.rows("SELECT kind FROM events")).containsExactly(List.of("two"));
        }
    }

    @Test
    void updateNeedsAKeyAndParametersAreChecked() throws Exception {
        try (ServiceFixture f = ServiceFixture.start("CREATE TABLE keyless (v int)")) {
            HttpResponse<String> r = f.post("/v1/tables/keyless/records?on_conflict=update", "application/json", "{\"v\":1}".getBytes(UTF_8));
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(ServiceFixture.json(r).getString("error")).isEqualTo("no_conflict_key");
            HttpResponse<String> bad = f.post("/v1/tables/keyless/records?on_conflict=merge", "application/json", "{\"v\":1}".getBytes(UTF_8));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(f.post("/v1/tables/keyless/records?on_conflict=ignore", "application/json", "{\"v\":1}".getBytes(UTF_8))
                    .statusCode()).isEqualTo(200);
            assertThat(f.db.queryLong("SELECT count(*) FROM keyless")).isEqualTo(1);
        }
    }
}

package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Records posted over HTTP, read back with SQL: every supported type, defaults, NULLs, unicode, size. */
@Timeout(120)
class RecordsIT {
    private static ServiceFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = ServiceFixture.start("""
                CREATE TABLE typed (
                  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                  u         uuid,
                  ts        timestamptz,
                  d         date,
                  small     smallint,
                  i         integer,
                  big       bigint,
                  n         numeric(30,10),
                  r         real,
                  dp        double precision,
                  t         text,
                  vc        varchar(5),
                  b         boolean,
                  jb        jsonb,
                  j         json,
                  tags      text[],
                  grid      integer[],
                  frames    box[],
                  addr      inet,
                  status    text NOT NULL DEFAULT 'fresh',
                  created   timestamptz NOT NULL DEFAULT now())
                """, ServiceFixture.eventsTable());
    }

    @AfterAll
    static void stop() throws Exception {
        f.close();
    }

    @BeforeEach
    void clean() {
        f.db.execute("TRUNCATE typed, events");
    }

    @Test
    void everySupportedTypeArrivesAsWritten() throws Exception {
        HttpResponse<String> r = f.postJson("typed", """
                {"u": "550E8400-E29B-41D4-A716-446655440000", "ts": "2026-03-04T05:06:07.123456+02:00",
                 "d": "2026-02-28", "small": -32768, "i": 2147483647, "big": 9223372036854775807,
                 "n": 12345678901234567890.0123456789, "r": 1.5, "dp": -2.5e-300, "t": "plain",
                 "vc": "abcde", "b": true, "jb": {"k": [1, 2.50, null, "s"], "nested": {"deep": true}},
                 "j": {"b": 1, "a": 2}, "tags": ["x", null, "with \\"quote\\"", "NULL"], "grid": [[1, 2], [3, 4]],
                 "addr": "192.168.0.1/24"}
                """);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(ServiceFixture.json(r)).isEqualTo(new JsonObject().put("accepted", 1).put("rejected", new JsonArray()));
        List<List<String>> rows = f.rows("""
                SELECT u::text, (ts AT TIME ZONE 'UTC')::text, d::text, small::text, i::text, big::text, n::text, r::text,
                       dp::text, t, vc, b::text, jb::text, j::text, tags::text, grid::text, addr::text, status
                  FROM typed""");
        assertThat(rows).containsExactly(List.of(
                "550e8400-e29b-41d4-a716-446655440000", "2026-03-04 03:06:07.123456", "2026-02-28", "-32768",
                "2147483647", "9223372036854775807", "12345678901234567890.0123456789", "1.5", "-2.5e-300", "plain",
                "abcde", "true", "{\"k\": [1, 2.50, null, \"s\"], \"nested\": {\"deep\": true}}", "{\"b\": 1, \"a\": 2}",
                "{x,NULL,\"with \\\"quote\\\"\",\"NULL\"}", "{{1,2},{3,4}}", "192.168.0.1/24", "fresh"));
    }

    /** Box arrays are delimited by semicolons: a JSON array for a box[] column is stored as PostgreSQL reads that literal. */
    @Test
    void aJsonArrayOfBoxesIsStoredAsPostgresqlReadsABoxArray() throws Exception {
        HttpResponse<String> r = f.postJson("typed", "{\"frames\": [\"(1,1),(0,0)\", null, \"(3,3),(2,2)\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(ServiceFixture.json(r)).isEqualTo(new JsonObject().put("accepted", 1).put("rejected", new JsonArray()));
        String postgres = f.rows("SELECT '{\"(1,1),(0,0)\";NULL;\"(3,3),(2,2)\"}'::box[]::text").get(0).get(0);
        assertThat(f.rows("SELECT frames::text FROM typed")).containsExactly(List.of(postgres));
    }

    @Test
    void omittedColumnsTakeTheirDefaultAndNullsStayNull() throws Exception {
        HttpResponse<String> r = f.postJson("typed", "[{\"t\": null, \"jb\": null}, {}, {\"status\": \"given\"}]");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(f.rows("SELECT t, jb::text, status, created IS NOT NULL FROM typed ORDER BY id")).containsExactly(
                Arrays.asList(null, null, "fresh", "t"),
                Arrays.asList(null, null, "fresh", "t"),
                Arrays.asList(null, null, "given", "t"));
    }

    @Test
    void unicodeSurvivesTheRoundTrip() throws Exception {
        String text = "naïve café — 日本語 — emoji 🎉👩‍👩‍👧 — combining é — rtl שלום — \\u00e9 escaped";
        HttpResponse<String> r = f.postJson("typed", "{\"t\": \"" + text + "\", \"jb\": {\"k\": \"" + text + "\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String expected = text.replace("\\u00e9", "é");
        assertThat(f.rows("SELECT t, jb->>'k' FROM typed")).containsExactly(List.of(expected, expected));
    }

    @Test
    void ndjsonAndJsonArraysOfTenThousandRecordsArriveComplete() throws Exception {
        StringBuilder nd = new StringBuilder();
        StringBuilder arr = new StringBuilder("[");
        for (int i = 0; i < 10_000; i++) {
            nd.append(event(i, "nd")).append('\n');
            arr.append(i == 0 ? "" : ",").append(event(i, "arr"));
        }
        arr.append(']');
        HttpResponse<String> a = f.postNdjson("events", nd.toString());
        HttpResponse<String> b = f.postJson("events", arr.toString());
        assertThat(a.statusCode()).as(a.body()).isEqualTo(200);
        assertThat(b.statusCode()).as(b.body()).isEqualTo(200);
        assertThat(ServiceFixture.json(a).getInteger("accepted")).isEqualTo(10_000);
        assertThat(ServiceFixture.json(b).getInteger("accepted")).isEqualTo(10_000);
        assertThat(f.db.queryLong("SELECT count(*) FROM events WHERE source = 'nd'")).isEqualTo(10_000);
        assertThat(f.db.queryLong("SELECT count(*) FROM events WHERE source = 'arr'")).isEqualTo(10_000);
        assertThat(f.db.queryLong("SELECT sum(user_id) FROM events WHERE source = 'nd'")).isEqualTo(10_000L * 9_999 / 2);
        assertThat(f.db.queryLong("SELECT count(*) FROM events WHERE payload->>'n' = user_id::text")).isEqualTo(20_000);
    }

    static String event(int i, String source) {
        return "{\"event_id\":\"" + UUID.nameUUIDFromBytes((source + i).getBytes()) + "\",\"ts\":\"2026-01-01T00:00:00Z\","
                + "\"source\":\"" + source + "\",\"kind\":\"k" + (i % 7) + "\",\"user_id\":" + i + ",\"value\":" + (i * 0.5)
                + ",\"payload\":{\"n\":" + i + ",\"tags\":[\"a\",\"b\"],\"note\":\"lorem ipsum dolor sit amet\"}}";
    }

    @Test
    void refusedRecordsAreNamedByIndexAndTheOthersCommitted() throws Exception {
        HttpResponse<String> r = f.postJson("typed", """
                [{"vc": "ok"}, {"vc": "too long"}, {"i": 1.5}, {"small": 40000}, {"u": "nope"}, {"t": "nul\\u0000"},
                 {"d": "2026-02-30"}, {"b": "perhaps"}, {"i": "12"}]
                """);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject body = ServiceFixture.json(r);
        assertThat(body.getInteger("accepted")).isEqualTo(2);
        JsonArray rejected = body.getJsonArray("rejected");
        assertThat(rejected.stream().map(o -> ((JsonObject) o).getInteger("index")).toList()).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(rejected.stream().map(o -> ((JsonObject) o).getString("sqlstate")).toList())
                .containsExactly("22001", "22P02", "22003", "22P02", "22P05", "22008", "22P02"); // \u0000: 22P05, as json_populate_record
        assertThat(rejected.getJsonObject(0).getString("message")).contains("character varying(5)");
        assertThat(f.rows("SELECT coalesce(vc, i::text) FROM typed ORDER BY id")).containsExactly(List.of("ok"), List.of("12"));
    }

    @Test
    void aRequestWhoseRecordsAreAllRefusedGets422WithEachReason() throws Exception {
        HttpResponse<String> r = f.postJson("typed", "[{\"i\": \"x\"}, {\"vc\": \"toolong\"}]");
        assertThat(r.statusCode()).isEqualTo(422);
        JsonObject body = ServiceFixture.json(r);
        assertThat(body.getString("error")).isEqualTo("all_rejected");
        assertThat(body.getInteger("accepted")).isZero();
        assertThat(body.getJsonArray("rejected")).hasSize(2);
        assertThat(f.db.queryLong("SELECT count(*) FROM typed")).isZero();
    }

    @Test
    void gzipBodiesAreDecompressed() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write((event(1, "gz") + "\n" + event(2, "gz") + "\n").getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = f.post("/v1/tables/events/records", "application/x-ndjson", out.toByteArray(),
                "Content-Encoding", "gzip");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(f.db.queryLong("SELECT count(*) FROM events WHERE source = 'gz'")).isEqualTo(2);
    }

    @Test
    void tablesAndHealthEndpointsDescribeTheService() throws Exception {
        f.db.execute("CREATE TABLE IF NOT EXISTS created_later (x int)");
        HttpResponse<String> tables = f.get("/v1/tables");
        assertThat(tables.statusCode()).isEqualTo(200);
        JsonArray list = ServiceFixture.json(tables).getJsonArray("tables");
        List<String> names = list.stream().map(o -> ((JsonObject) o).getString("name")).toList();
        assertThat(names).containsSubsequence("created_later", "events", "typed").isSorted();
        JsonObject events = list.getJsonObject(names.indexOf("events"));
        assertThat(events.getJsonArray("columns").getJsonObject(0))
                .isEqualTo(new JsonObject().put("name", "id").put("type", "bigint").put("nullable", false)
                        .put("has_default", true).put("writable", false));
        assertThat(f.get("/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = f.get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ServiceFixture.json(ready).getString("status")).isEqualTo("ready");
        HttpResponse<String> posted = f.postJson("created_later", "{\"x\": 7}");
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
    }

    @Test
    void aColumnAddedAfterStartIsAcceptedWithoutRestart() throws Exception {
        f.db.execute("CREATE TABLE IF NOT EXISTS growing (a int)");
        assertThat(f.postJson("growing", "{\"a\": 1}").statusCode()).isEqualTo(200);
        f.db.execute("ALTER TABLE growing ADD COLUMN b text");
        HttpResponse<String> r = f.postJson("growing", "{\"a\": 2, \"b\": \"new\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(f.rows("SELECT b FROM growing WHERE a = 2")).containsExactly(List.of("new"));
    }
}

package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * JSON values as PostgreSQL would store them, or refused with its SQLSTATE, judged by PostgreSQL
 * in the same test: {@code json_populate_record(null::t, doc)} for scalar and array columns, the
 * literal cast {@code 'text'::json} / {@code ::jsonb} of the value's exact text for json columns
 * (the README's rule: a json column gets the value's text from the body). Every case is sent as a
 * JSON array body and as an NDJSON body, each next to a good record that must be stored anyway.
 */
@Timeout(300)
class JsonFidelityIT {
    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";
    private static ServiceFixture f;

    /** A value of one record: the column, and the bytes of the JSON value as they appear in the body. */
    private record Case(String name, String column, byte[] value) {
        @Override
        public String toString() {
            return name + " -> " + column;
        }
    }

    /** Accepted with the stored {@code col::text}, or refused with a SQLSTATE (or a whole-body error code). */
    private record Outcome(String refusal, String stored) {
        static Outcome stored(String text) {
            return new Outcome(null, text);
        }

        static Outcome refused(String sqlstate) {
            return new Outcome(sqlstate, null);
        }

        @Override
        public String toString() {
            return refusal == null ? "stored " + stored : "refused " + refusal;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        f = ServiceFixture.start("""
                CREATE TABLE t (
                  k text,
                  c text,
                  f float8,
                  i integer,
                  n numeric,
                  a text[],
                  j json,
                  b jsonb)
                """);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @BeforeEach
    void clean() {
        f.db.execute("TRUNCATE t");
    }

    private static byte[] str(String hexInside) {
        return bytes("\"a", HexFormat.of().parseHex(hexInside), "b\"");
    }

    private static byte[] lit(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        String[][] invalid = {
            {"overlong 2-byte", "c0af"}, {"overlong 3-byte", "e080af"}, {"encoded high surrogate", "eda080"},
            {"encoded low surrogate", "edb080"}, {"CESU-8 pair", "eda0bdedb880"}, {"beyond U+10FFFF", "f4908080"},
            {"lead byte F5", "f5808080"}, {"byte FF", "ff"}, {"truncated 3-byte", "e282"},
            {"stray continuation", "80"}, {"truncated 4-byte", "f09f98"}};
        for (String[] bad : invalid) {
            for (String column : new String[] {"c", "j", "b"}) {
                cases.add(new Case("invalid UTF-8 " + bad[0], column, str(bad[1])));
            }
            cases.add(new Case("invalid UTF-8 " + bad[0] + " in an object", "j", bytes("{\"x\":", str(bad[1]), "}")));
            cases.add(new Case("invalid UTF-8 " + bad[0] + " in an element", "a", bytes("[", str(bad[1]), "]")));
        }
        String[][] escapes = {
            {"lone high surrogate", "\"a\\ud800b\""}, {"lone low surrogate", "\"a\\udc00b\""},
            {"high after high", "\"a\\ud800\\ud800b\""}, {"high at the end", "\"a\\ud800\""},
            {"valid pair", "\"\\ud83d\\ude00\""}, {"NUL escape", "\"a\\u0000b\""}, {"e acute escape", "\"\\u00e9\""},
            {"raw non-ASCII", "\"é😀\""}};
        for (String[] e : escapes) {
            for (String column : new String[] {"c", "j", "b"}) {
                cases.add(new Case(e[0], column, lit(e[1])));
            }
            cases.add(new Case(e[0] + " in an element", "a", lit("[" + e[1] + "]")));
        }
        cases.add(new Case("escapes in an object", "j", lit("{\"x\": \"\\u00e9\", \"y\": \"\\ud800\"}")));
        cases.add(new Case("escapes in an object", "b", lit("{\"x\": \"\\u00e9\", \"x\": 1}")));
        for (String number : new String[] {"-0", "-0.0", "-0e0", "0", "1.50", "-12"}) {
            for (String column : new String[] {"f", "c", "n", "j", "b"}) {
                cases.add(new Case("number " + number, column, lit(number)));
            }
        }
        // Integer columns take integer texts here; fractions and exponents there are the converter's
        // (ValueConverter) to judge, not the decoder's.
        for (String number : new String[] {"-0", "0", "-12", "12345678901234567890"}) {
            cases.add(new Case("number " + number, "i", lit(number)));
        }
        cases.add(new Case("number -0 in an element", "a", lit("[-0, 1]")));
        return cases;
    }

    @Test
    void jsonArrayBodiesStoreWhatPostgresqlStoresOrRefuseAsItDoes() throws Exception {
        assertThat(disagreements(JSON)).isEmpty();
    }

    @Test
    void ndjsonBodiesStoreWhatPostgresqlStoresOrRefuseAsItDoes() throws Exception {
        assertThat(disagreements(NDJSON)).isEmpty();
    }

    private List<String> disagreements(String contentType) throws Exception {
        List<String> out = new ArrayList<>();
        int n = 0;
        for (Case c : cases()) {
            String key = "case-" + n++;
            byte[] record = bytes("{\"k\":\"" + key + "\",\"" + c.column() + "\":", c.value(), "}");
            Outcome expected = oracle(c, record);
            Outcome actual = service(contentType, key, c.column(), record);
            if (!expected.equals(actual)) {
                out.add(c + " " + HexFormat.of().formatHex(c.value()) + ": PostgreSQL " + expected + ", service " + actual);
            }
        }
        return out;
    }

    private static Outcome oracle(Case c, byte[] record) throws SQLException {
        String sql = switch (c.column()) {
            case "j" -> "SELECT convert_from(?, 'UTF8')::json::text";
            case "b" -> "SELECT convert_from(?, 'UTF8')::jsonb::text";
            default -> "SELECT (json_populate_record(null::t, convert_from(?, 'UTF8')::json))." + c.column() + "::text";
        };
        return query(sql, "j".equals(c.column()) || "b".equals(c.column()) ? c.value() : record);
    }

    private static Outcome query(String sql, byte[] parameter) throws SQLException {
        try (var conn = f.db.connect(); PreparedStatement s = conn.prepareStatement(sql)) {
            s.setBytes(1, parameter);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return Outcome.stored(rs.getString(1));
            }
        } catch (SQLException e) {
            if (e.getSQLState() == null || e.getSQLState().startsWith("08")) {
                throw e;
            }
            return Outcome.refused(e.getSQLState());
        }
    }

    /** Sends the record after a good neighbour; checks the neighbour is stored and returns the record's fate. */
    private static Outcome service(String contentType, String key, String column, byte[] record) throws Exception {
        byte[] neighbour = lit("{\"k\":\"ok-" + key + "\",\"c\":\"fine\"}");
        byte[] body = contentType.equals(JSON) ? bytes("[", neighbour, ",", record, "]") : bytes("", neighbour, "\n", record, "\n");
        HttpResponse<String> r = f.post("/v1/tables/t/records", contentType, body);
        if (r.statusCode() != 200) {
            return Outcome.refused("HTTP " + r.statusCode() + " " + ServiceFixture.json(r).getString("error"));
        }
        assertThat(f.rows("SELECT c FROM t WHERE k = 'ok-" + key + "'")).as("the neighbour of " + key).containsExactly(List.of("fine"));
        JsonArray rejected = ServiceFixture.json(r).getJsonArray("rejected");
        if (!rejected.isEmpty()) {
            JsonObject one = rejected.getJsonObject(0);
            assertThat(one.getInteger("index")).isEqualTo(1);
            assertThat(one.getString("message")).isNotBlank();
            return Outcome.refused(one.getString("sqlstate"));
        }
        List<List<String>> rows = f.rows("SELECT " + column + "::text FROM t WHERE k = '" + key + "'");
        assertThat(rows).hasSize(1);
        return Outcome.stored(rows.get(0).get(0));
    }

    @Test
    void invalidUtf8OutsideAnyRecordRefusesTheBodyAsPostgresqlRefusesTheDocument() throws Exception {
        byte[] body = bytes("[{\"c\":\"x\"},", new byte[] {(byte) 0xff}, "{\"c\":\"y\"}]");
        assertThat(query("SELECT convert_from(?, 'UTF8')::json::text", body)).isEqualTo(Outcome.refused("22021"));
        HttpResponse<String> r = f.post("/v1/tables/t/records", JSON, body);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(ServiceFixture.json(r).getString("error")).isEqualTo("invalid_encoding");
        assertThat(ServiceFixture.json(r).getString("message")).contains("0xff");
        assertThat(f.rows("SELECT count(*) FROM t")).containsExactly(List.of("0"));
    }

    @Test
    void aSingleObjectBodyWithInvalidUtf8IsRefusedAs22021() throws Exception {
        HttpResponse<String> r = f.post("/v1/tables/t/records", JSON, bytes("{\"c\":", str("c0af"), "}"));
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(ServiceFixture.json(r).getJsonArray("rejected").getJsonObject(0).getString("sqlstate")).isEqualTo("22021");
        assertThat(ServiceFixture.json(r).getJsonArray("rejected").getJsonObject(0).getString("message"))
                .contains("invalid byte sequence for encoding \"UTF8\": 0xc0 0xaf");
        assertThat(f.rows("SELECT count(*) FROM t")).containsExactly(List.of("0"));
    }

    @Test
    void withAckQueuedTheRefusedRecordsAreDeadLetteredAndTheOthersStored() throws Exception {
        byte[][] refused = {bytes("{\"k\":\"q\",\"c\":", str("c0af"), "}"), lit("{\"k\":\"q\",\"c\":\"a\\ud800b\"}"),
            lit("{\"k\":\"q\",\"c\":\"a\\u0000b\"}")};
        byte[] json = bytes("[{\"k\":\"good\"},", refused[0], ",", refused[1], ",", refused[2], "]");
        byte[] ndjson = bytes("{\"k\":\"good\"}\n", refused[0], "\n", refused[1], "\n", refused[2], "\n");
        for (byte[] body : new byte[][] {json, ndjson}) {
            HttpResponse<String> r = f.post("/v1/tables/t/records?ack=queued", body == json ? JSON : NDJSON, body);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            assertThat(ServiceFixture.json(r).getLong("queued")).isEqualTo(4);
        }
        await("six records are dead-lettered", () -> f.db.queryLong("SELECT count(*) FROM ingest.rejects") >= 6);
        assertThat(f.rows("SELECT record_index, sqlstate FROM ingest.rejects ")).containsExactlyInAnyOrder(
                List.of("1", "22021"), List.of("2", "22P02"), List.of("3", "22P05"),
                List.of("1", "22021"), List.of("2", "22P02"), List.of("3", "22P05"));
        assertThat(f.rows("SELECT record #>> '{}' FROM ingest.rejects WHERE sqlstate = '22P02'")).as("kept as received")
                .containsOnly(List.of("{\"k\":\"q\",\"c\":\"a\\ud800b\"}"));
        await("both good records are stored", () -> f.db.queryLong("SELECT count(*) FROM t") >= 2);
        assertThat(f.rows("SELECT k FROM t")).containsExactly(List.of("good"), List.of("good"));
    }

    @Test
    void aNumberLongerThanTheParserTakesIsAnsweredClearlyAndGoesInAsAString() throws Exception {
        String digits = "9".repeat(1001); // PostgreSQL's numeric takes it; our parser's limit is 1000
        assertThat(query("SELECT (json_populate_record(null::t, convert_from(?, 'UTF8')::json)).n::text",
                lit("{\"n\":" + digits + "}"))).isEqualTo(Outcome.stored(digits));
        HttpResponse<String> r = f.postJson("t", "{\"k\":\"long\",\"n\":" + digits + "}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(ServiceFixture.json(r).getString("error")).isEqualTo("malformed_body");
        assertThat(ServiceFixture.json(r).getString("message")).contains("longer than 1000 characters").contains("as a JSON string");

        HttpResponse<String> asString = f.postJson("t", "{\"k\":\"long\",\"n\":\"" + digits + "\"}");
        assertThat(asString.statusCode()).as(asString.body()).isEqualTo(200);
        assertThat(f.rows("SELECT n::text FROM t WHERE k = 'long'")).containsExactly(List.of(digits));
    }

    @Test
    void nestingUpToTheLimitIsStoredAsPostgresqlStoresIt() throws Exception {
        String deep = "[".repeat(999) + "]".repeat(999); // plus the record's object: 1000 levels
        Outcome expected = query("SELECT convert_from(?, 'UTF8')::jsonb::text", lit(deep));
        assertThat(expected.refusal()).isNull();
        HttpResponse<String> r = f.postJson("t", "{\"k\":\"deep\",\"b\":" + deep + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(f.rows("SELECT b::text FROM t WHERE k = 'deep'")).containsExactly(List.of(expected.stored()));
    }

    @Test
    void nestingBeyondTheLimitIsAnsweredWithItsOwnCode() throws Exception {
        String tooDeep = "[".repeat(1000) + "]".repeat(1000);
        HttpResponse<String> r = f.postJson("t", "[{\"k\":\"x\"},{\"k\":\"deep\",\"b\":" + tooDeep + "}]");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonObject answer = ServiceFixture.json(r);
        assertThat(answer.getString("error")).isEqualTo("nesting_too_deep");
        assertThat(answer.getString("message")).contains("1000");
        assertThat(f.rows("SELECT count(*) FROM t")).containsExactly(List.of("0"));

        HttpResponse<String> lines = f.postNdjson("t", "{\"k\":\"x\"}\n{\"k\":\"deep\",\"b\":" + tooDeep + "}\n");
        assertThat(lines.statusCode()).isEqualTo(200);
        JsonObject one = ServiceFixture.json(lines).getJsonArray("rejected").getJsonObject(0);
        assertThat(one.getInteger("index")).isEqualTo(1);
        assertThat(one.getString("sqlstate")).isEqualTo("54000");
        assertThat(one.getString("message")).contains("nested deeper than 1000");
        assertThat(f.rows("SELECT k FROM t")).containsExactly(List.of("x"));
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting until " + what).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            out.writeBytes(p instanceof byte[] b ? b : ((String) p).getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}

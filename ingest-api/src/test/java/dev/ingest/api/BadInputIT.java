package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input of every kind gets a precise 4xx with a JSON error and writes nothing; no input gives
 * a 500. Each case posts to a table and then checks that the table is still empty.
 */
@Timeout(120)
class BadInputIT {
    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";
    private static final String CSV = "text/csv";
    private static ServiceFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = ServiceFixture.start(c -> c.withMaxBodyBytes(64 * 1024).withMaxRecordsPerRequest(100),
                "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY, a int, s text, j jsonb)",
                "CREATE TABLE \"we\"\"ird; DROP TABLE t; --\" (\"col\"\"umn; --\" text)");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            // Nothing any case did is left behind: no reserved memory, no connection busy or in a transaction.
            JsonObject stats = ServiceFixture.json(f.get("/v1/stats"));
            assertThat(stats.getLong("budget_used_bytes")).isZero();
            assertThat(f.rows("SELECT state, query FROM pg_stat_activity WHERE datname = current_database() "
                    + "AND pid <> pg_backend_pid() AND state <> 'idle'")).isEmpty();
        } finally {
            f.close();
        }
    }

    @BeforeEach
    void clean() {
        f.db.execute("TRUNCATE t");
    }

    static Stream<Arguments> badBodies() {
        String deep = "[".repeat(1000) + "]".repeat(1000); // in the record's object: 1001 levels, one past the limit
        return Stream.of(
                Arguments.of("truncated JSON", JSON, "[{\"a\": 1}, {\"a\": ", 400, "malformed_body"),
                Arguments.of("not JSON at all", JSON, "hello", 400, "malformed_body"),
                Arguments.of("empty body", JSON, "", 400, "malformed_body"),
                Arguments.of("whitespace body", NDJSON, " \n ", 400, "malformed_body"),
                Arguments.of("scalar at top level", JSON, "42", 400, "malformed_body"),
                Arguments.of("array of scalars", JSON, "[1, 2]", 400, "malformed_body"),
                Arguments.of("trailing content", JSON, "{\"a\": 1} {\"a\": 2}", 400, "malformed_body"),
                Arguments.of("trailing comma", JSON, "[{\"a\": 1},]", 400, "malformed_body"),
                Arguments.of("duplicate key", JSON, "{\"a\": 1, \"a\": 2}", 400, "malformed_body"),
                Arguments.of("NaN literal", JSON, "{\"a\": NaN}", 400, "malformed_body"),
                Arguments.of("comment", JSON, "{\"a\": 1 /* c */}", 400, "malformed_body"),
                Arguments.of("single quotes", JSON, "{'a': 1}", 400, "malformed_body"),
                Arguments.of("deep nesting", JSON, "{\"j\": " + deep + "}", 400, "nesting_too_deep"),
                Arguments.of("unknown column", JSON, "{\"a\": 1, \"nope\": 2}", 400, "unknown_column"),
                Arguments.of("injection-shaped column", JSON, "{\"a); DROP TABLE t; --\": 1}", 400, "unknown_column"),
                Arguments.of("generated column", JSON, "{\"id\": 5}", 400, "column_not_writable"),
                Arguments.of("csv header with an unknown column", CSV, "a,nope\n1,2\n", 400, "unknown_column"),
                Arguments.of("csv header with a generated column", CSV, "id,a\n1,2\n", 400, "column_not_writable"),
                Arguments.of("csv header naming a column twice", CSV, "a,a\n1,2\n", 400, "duplicate_column"),
                Arguments.of("empty csv", CSV, "", 400, "malformed_body"),
                Arguments.of("ndjson body over the limit", NDJSON, "{\"s\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n".repeat(3000), 413, "payload_too_large"),
                Arguments.of("body over the limit", JSON, "[" + "{\"s\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"},".repeat(3000) + "{}]",
                        413, "payload_too_large"),
                Arguments.of("too many JSON records", JSON, "[" + "{\"a\": 1},".repeat(100) + "{\"a\": 1}]", 413, "too_many_records"),
                Arguments.of("too many NDJSON records", NDJSON, "{\"a\": 1}\n".repeat(101), 413, "too_many_records"),
                Arguments.of("too many CSV records", CSV, "a\n" + "1\n".repeat(101), 413, "too_many_records"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badBodiesAreRefusedWholeAndWriteNothing(String name, String type, String body, int status, String error) throws Exception {
        HttpResponse<String> r = f.post("/v1/tables/t/records", type, body.getBytes(UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonObject json = ServiceFixture.json(r);
        assertThat(json.getString("error")).isEqualTo(error);
        assertThat(json.getString("message")).isNotBlank().doesNotContain("REDACTED");
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
    }

    @Test
    void malformedJsonBodiesSayWhere() throws Exception {
        HttpResponse<String> r = f.post("/v1/tables/t/records", JSON, "[{\"a\": 1},\n {\"a\" 2}]".getBytes(UTF_8));
        assertThat(r.statusCode()).isEqualTo(400);
        JsonObject json = ServiceFixture.json(r);
        assertThat(json.getLong("line")).isEqualTo(2);
        assertThat(json.getLong("column")).isEqualTo(7);
        assertThat(json.getString("message")).contains("line 2, column 7");
    }

    @Test
    void aBadNdjsonLineIsRefusedAloneWithItsLineNumber() throws Exception {
        String body = "{\"a\": 1}\n\n{\"a\": 2}\n{\"a\" 3}\n[1]\n{\"a\": 4} {\"a\": 5}\n{\"nope\": 6}\n{\"id\": 7}\n{\"a\": 8}";
        HttpResponse<String> r = f.post("/v1/tables/t/records", NDJSON, body.getBytes(UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject json = ServiceFixture.json(r);
        assertThat(json.getLong("accepted")).isEqualTo(3);
        List<JsonObject> rejected = json.getJsonArray("rejected").stream().map(o -> (JsonObject) o).toList();
        // indexes count records (non-blank lines); messages name the physical line
        assertThat(rejected).extracting(o -> o.getInteger("index")).containsExactly(2, 3, 4, 5, 6);
        assertThat(rejected).extracting(o -> o.getString("sqlstate")).containsExactly("22P02", "22P02", "22P02", "42703", "428C9");
        assertThat(rejected.get(0).getString("message")).startsWith("line 4, column 6: malformed JSON");
        assertThat(rejected.get(3).getString("message")).contains("line 7").contains("\"nope\"");
        assertThat(f.rows("SELECT a FROM t ORDER BY a")).containsExactly(List.of("1"), List.of("2"), List.of("8"));
    }

    @Test
    void aCsvRowWithTheWrongFieldCountIsRefusedAlone() throws Exception {
        HttpResponse<String> r = f.post("/v1/tables/t/records", CSV, "a,s\n1,x\n2\n3,y,extra\n4,z\n".getBytes(UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject json = ServiceFixture.json(r);
        assertThat(json.getLong("accepted")).isEqualTo(2);
        assertThat(json.getJsonArray("rejected").stream().map(o -> ((JsonObject) o).getString("message")).toList())
                .containsExactly("line 3: missing data for column \"s\" (the row has 1 field, the header 2)",
                        "line 4: extra data after last expected column (the row has 3 fields, the header 2)");
    }

    @Test
    void theMostRecordsAllowedAreAccepted() throws Exception {
        HttpResponse<String> r = f.post("/v1/tables/t/records", CSV, ("a\n" + "1\n".repeat(100)).getBytes(UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isEqualTo(100);
    }

    @Test
    void aHugeStringWithinTheLimitIsStoredWhole() throws Exception {
        String big = "x".repeat(60 * 1024);
        HttpResponse<String> r = f.postJson("t", "{\"s\": \"" + big + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(f.db.queryLong("SELECT length(s) FROM t")).isEqualTo(big.length());
    }

    @Test
    void invalidUtf8InAStreamedRecordRefusesThatRecordAlone() throws Exception {
        byte[] bad = {'{', '"', 's', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        for (String type : new String[] {NDJSON, CSV}) {
            f.db.execute("TRUNCATE t");
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (type.equals(CSV)) {
                body.writeBytes("s\nok\n".getBytes(UTF_8));
                body.writeBytes(new byte[] {'b', (byte) 0xC3, (byte) 0x28, '\n'});
                body.writeBytes("ok again\n".getBytes(UTF_8));
            } else {
                body.writeBytes("{\"s\": \"ok\"}\n".getBytes(UTF_8));
                body.writeBytes(bad);
                body.writeBytes("\n{\"s\": \"ok again\"}\n".getBytes(UTF_8));
            }
            HttpResponse<String> r = f.post("/v1/tables/t/records", type, body.toByteArray());
            assertThat(r.statusCode()).as(type + ": " + r.body()).isEqualTo(200);
            JsonObject json = ServiceFixture.json(r);
            assertThat(json.getInteger("accepted")).isEqualTo(2);
            assertThat(json.getJsonArray("rejected").getJsonObject(0).getInteger("index")).isEqualTo(1);
            assertThat(json.getJsonArray("rejected").getJsonObject(0).getString("message")).contains("UTF-8");
            assertThat(f.rows("SELECT s FROM t ORDER BY id")).containsExactly(List.of("ok"), List.of("ok again"));
        }
    }

    @Test
    void invalidUtf8InAJsonBodyRefusesThatRecordAs22021() throws Exception {
        byte[] body = {'{', '"', 's', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        HttpResponse<String> r = f.post("/v1/tables/t/records", JSON, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        JsonObject rejection = ServiceFixture.json(r).getJsonArray("rejected").getJsonObject(0);
        assertThat(rejection.getString("sqlstate")).isEqualTo("22021");
        assertThat(rejection.getString("message")).contains("UTF-8");
    }

    @Test
    void unsupportedMediaTypesGet415() throws Exception {
        for (String type : new String[] {null, "text/plain", "application/xml", "application/json; charset=latin1",
                "text/csv; charset=iso-8859-1", "multipart/form-data"}) {
            HttpResponse<String> r = f.post("/v1/tables/t/records", type, "{\"a\": 1}".getBytes(UTF_8));
            assertThat(r.statusCode()).as(type).isEqualTo(415);
            assertThat(ServiceFixture.json(r).getString("error")).isEqualTo("unsupported_media_type");
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
    }

    @Test
    void unknownAndInjectionShapedTablesGet404() throws Exception {
        for (String table : new String[] {"nope", "t%3B%20DROP%20TABLE%20t", "t%22%3B--", "pg_catalog.pg_class", "ingest.flyway_schema_history",
                "information_schema.tables", "%2E%2E"}) {
            HttpResponse<String> r = f.post("/v1/tables/" + table + "/records", JSON, "{\"a\": 1}".getBytes(UTF_8));
            assertThat(r.statusCode()).as(table).isEqualTo(404);
            assertThat(ServiceFixture.json(r).getString("error")).as(table).isIn("unknown_table", "not_found");
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
    }

    @Test
    void tablesAndColumnsWithHostileNamesAreQuotedNotExecuted() throws Exception {
        String table = URLEncoder.encode("we\"ird; DROP TABLE t; --", UTF_8).replace("+", "%20");
        HttpResponse<String> r = f.post("/v1/tables/" + table + "/records", JSON,
                "{\"col\\\"umn; --\": \"'); DROP TABLE t; --\"}".getBytes(UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(f.rows("SELECT \"col\"\"umn; --\" FROM \"we\"\"ird; DROP TABLE t; --\""))
                .containsExactly(List.of("'); DROP TABLE t; --"));
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero(); // t still exists
    }

    @Test
    void unsupportedParametersAreRefusedClearly() throws Exception {
        HttpResponse<String> r = f.post("/v1/tables/t/records?on_conflict=explode", JSON, "{\"a\": 1}".getBytes(UTF_8));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(ServiceFixture.json(r).getString("error")).isEqualTo("unsupported_parameter");
    }

    @Test
    void perRecordBadValuesAreRejectionsNotFailures() throws Exception {
        HttpResponse<String> r = f.postJson("t", """
                [{"a": "x"}, {"a": 99999999999}, {"s": "nul\\u0000byte"}, {"a": [1]}, {"s": {"o": 1}}, {"j": "\\u0000"},
                 {"a": 1}]""");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject json = ServiceFixture.json(r);
        assertThat(json.getInteger("accepted")).isEqualTo(1);
        assertThat(json.getJsonArray("rejected").stream().map(o -> ((JsonObject) o).getString("sqlstate")).toList())
                .containsExactly("22P02", "22003", "22P05", "42804", "42804", "22P05"); // NUL: as json_populate_record
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isEqualTo(1);
    }

    @Test
    void unknownRoutesAndMethodsAnswerJson() throws Exception {
        HttpResponse<String> r = f.get("/v2/whatever");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(ServiceFixture.json(r).getString("error")).isEqualTo("not_found");
        HttpResponse<String> m = f.get("/v1/tables/t/records");
        assertThat(m.statusCode()).isEqualTo(405);
        assertThat(ServiceFixture.json(m).getString("error")).isEqualTo("method_not_allowed");
    }
}

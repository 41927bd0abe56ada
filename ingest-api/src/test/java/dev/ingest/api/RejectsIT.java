package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rejected records kept with {@code ack=commit}: asked for per request ({@code rejects=keep}) or
 * per table ({@code keep_rejects}), each refused record is in the answer and in
 * {@code ingest.rejects} exactly once, and {@code GET /v1/rejects} lists them to the keys granted
 * their table, page by page.
 */
@Timeout(180)
class RejectsIT {
    private static final String ITEMS = "CREATE TABLE items (code text PRIMARY KEY, qty integer CHECK (qty >= 0))";
    private static final String OTHER = "CREATE TABLE other (code text PRIMARY KEY, qty integer CHECK (qty >= 0))";
    private static final String JSON = "[{\"code\":\"a\",\"qty\":1}, {\"code\":\"b\",\"qty\":-1}, {\"code\":\"c\",\"qty\":\"many\"}]";
    private static final String NDJSON = "{\"code\":\"n1\",\"qty\":1}\n{\"code\": \"broken\n{\"code\":\"n3\",\"qty\":-3}\n";
    private static final String CSV = "code,qty\nc1,1\nc2,2,extra\nc3,x\n";

    private static HttpResponse<String> post(ServiceFixture f, String table, String query, String type, String body, String... headers)
            throws Exception {
        return f.post("/v1/tables/" + table + "/records" + query, type, body.getBytes(UTF_8), headers);
    }

    private static HttpResponse<String> get(ServiceFixture f, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(f.uri(path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonArray rejectedIndexes(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonArray out = new JsonArray();
        ServiceFixture.json(r).getJsonArray("rejected").forEach(o -> out.add(((JsonObject) o).getInteger("index")));
        return out;
    }

    /** The three bodies, each with one accepted record and two refused (early and by the database). */
    private static void postAll(ServiceFixture f, String table, String query) throws Exception {
        assertThat(rejectedIndexes(post(f, table, query, "application/json", JSON))).isEqualTo(new JsonArray().add(1).add(2));
        assertThat(rejectedIndexes(post(f, table, query, "application/x-ndjson", NDJSON))).isEqualTo(new JsonArray().add(1).add(2));
        assertThat(rejectedIndexes(post(f, table, query, "text/csv", CSV))).isEqualTo(new JsonArray().add(1).add(2));
    }

    private static final List<List<String>> STORED = List.of(
            List.of("public.items", "1", "23514", "{\"code\":\"b\",\"qty\":\"-1\"}"),
            List.of("public.items", "2", "22P02", "{\"code\":\"c\",\"qty\":\"many\"}"),
            List.of("public.items", "1", "22P02", "\"{\\\"code\\\": \\\"broken\""),
            List.of("public.items", "2", "23514", "{\"code\":\"n3\",\"qty\":\"-3\"}"),
            List.of("public.items", "1", "22P04", "[\"c2\",\"2\",\"extra\"]"),
            List.of("public.items", "2", "22P02", "{\"code\":\"c3\",\"qty\":\"x\"}"));

    private static final String STORED_QUERY = "SELECT table_name, record_index, sqlstate, record::text FROM ingest.rejects ORDER BY id";

    @Test
    void perRequestEveryRefusedRecordIsAnsweredAndKeptOnceOverJsonNdjsonAndCsv() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(ITEMS, OTHER)) {
            postAll(f, "other", "");
            assertThat(f.rows(STORED_QUERY)).as("without rejects=keep, rejections are in the answer only").isEmpty();

            postAll(f, "items", "?rejects=keep");
            assertThat(f.rows(STORED_QUERY)).containsExactlyElementsOf(STORED);
            assertThat(f.rows("SELECT code FROM items ORDER BY code"))
                    .containsExactly(List.of("a"), List.of("c1"), List.of("n1"));

            HttpResponse<String> list = get(f, "/v1/rejects?table=items", null);
            assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
            assertThat(list.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            JsonObject page = ServiceFixture.json(list);
            assertThat(page.getValue("next_after")).isNull();
            JsonArray rejects = page.getJsonArray("rejects");
            assertThat(rejects).hasSize(6);
            JsonObject first = rejects.getJsonObject(0);
            assertThat(first.fieldNames()).contains("id", "table", "received_at", "index", "sqlstate", "message", "record", "source");
            assertThat(first.getString("table")).isEqualTo("public.items");
            assertThat(first.getInteger("index")).isEqualTo(1);
            assertThat(first.getString("sqlstate")).isEqualTo("23514");
            assertThat(first.getString("message")).contains("items_qty_check");
            assertThat(first.getJsonObject("record")).isEqualTo(new JsonObject().put("code", "b").put("qty", "-1"));
            assertThat(first.getString("source")).isEqualTo("http anonymous");
            assertThat(rejects.getJsonObject(2).getString("record")).as("a malformed line: its text").isEqualTo("{\"code\": \"broken");
            assertThat(rejects.getJsonObject(4).getJsonArray("record")).isEqualTo(new JsonArray().add("c2").add("2").add("extra"));
        }
    }

    @Test
    void perTableTheSettingKeepsRejectsOfItsTablesOnly() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(c -> c.withKeepRejects(List.of("public.items")), ITEMS, OTHER)) {
            postAll(f, "items", "");
            postAll(f, "other", "");
            assertThat(f.rows(STORED_QUERY)).containsExactlyElementsOf(STORED);
            HttpResponse<String> other = get(f, "/v1/rejects?table=other", null);
            assertThat(ServiceFixture.json(other).getJsonArray("rejects")).isEmpty();
        }
    }

    @Test
    void aRepeatUnderTheSameIdempotencyKeyStoresNothingTwice() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(ITEMS)) {
            for (String[] body : List.of(new String[] {"application/json", JSON}, new String[] {"application/x-ndjson", NDJSON},
                    new String[] {"text/csv", CSV})) {
                String key = "k-" + body[0];
                HttpResponse<String> first = post(f, "items", "?rejects=keep", body[0], body[1], "Idempotency-Key", key);
                HttpResponse<String> again = post(f, "items", "?rejects=keep", body[0], body[1], "Idempotency-Key", key);
                assertThat(rejectedIndexes(again)).isEqualTo(rejectedIndexes(first));
                assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
                assertThat(f.rows("SELECT idempotency_key, count(*) FROM ingest.rejects WHERE idempotency_key = '" + key
                        + "' GROUP BY 1")).containsExactly(List.of(key, "2"));
            }
            assertThat(f.rows(STORED_QUERY)).containsExactlyElementsOf(STORED);
        }
    }

    @Test
    void theListingIsPagedByIdWithABoundedLimit() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(ITEMS)) {
            String body = IntStream.range(0, 25).mapToObj(i -> ",{\"code\":\"r" + i + "\",\"qty\":-1}")
                    .collect(Collectors.joining("", "[{\"code\":\"good\",\"qty\":1}", "]"));
            assertThat(rejectedIndexes(post(f, "items", "?rejects=keep", "application/json", body))).hasSize(25);

            List<Long> ids = new ArrayList<>();
            List<Integer> indexes = new ArrayList<>();
            String after = "";
            int pages = 0;
            while (true) {
                HttpResponse<String> r = get(f, "/v1/rejects?table=public.items&limit=10" + after, null);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonObject page = ServiceFixture.json(r);
                page.getJsonArray("rejects").forEach(o -> {
                    ids.add(((JsonObject) o).getLong("id"));
                    indexes.add(((JsonObject) o).getInteger("index"));
                });
                pages++;
                if (page.getValue("next_after") == null) {
                    break;
                }
                assertThat(page.getJsonArray("rejects")).hasSize(10);
                assertThat(page.getLong("next_after")).isEqualTo(ids.get(ids.size() - 1));
                after = "&after=" + page.getLong("next_after");
            }
            assertThat(pages).isEqualTo(3);
            assertThat(indexes).containsExactlyElementsOf(IntStream.rangeClosed(1, 25).boxed().toList());
            assertThat(ids).isSorted().doesNotHaveDuplicates();
            assertThat(ServiceFixture.json(get(f, "/v1/rejects?table=items", null)).getJsonArray("rejects")).as("default limit 100").hasSize(25);
            assertThat(ServiceFixture.json(get(f, "/v1/rejects?table=items&limit=1000", null)).getJsonArray("rejects")).hasSize(25);

            for (String bad : List.of("limit=0", "limit=1001", "limit=ten", "after=-1", "after=x")) {
                HttpResponse<String> r = get(f, "/v1/rejects?table=items&" + bad, null);
                assertThat(r.statusCode()).as(bad + ": " + r.body()).isEqualTo(400);
                assertThat(ServiceFixture.json(r).getString("error")).isEqualTo("unsupported_parameter");
            }
            HttpResponse<String> noTable = get(f, "/v1/rejects", null);
            assertThat(noTable.statusCode()).as(noTable.body()).isEqualTo(400);
            assertThat(ServiceFixture.json(noTable).getString("message")).contains("table");
            HttpResponse<String> unknown = get(f, "/v1/rejects?table=nowhere", null);
            assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
            assertThat(ServiceFixture.json(unknown).getString("error")).isEqualTo("unknown_table");
            HttpResponse<String> badParam = post(f, "items", "?rejects=discard", "application/json", JSON);
            assertThat(badParam.statusCode()).as(badParam.body()).isEqualTo(400);
            assertThat(f.rows("SELECT count(*) FROM items")).as("a refused request writes nothing").containsExactly(List.of("1"));
        }
    }

    @Test
    void onlyKeysGrantedTheTableListItsRejects() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(ITEMS, OTHER)) {
            String db = f.db.url();
            String mine = AuthIT.ingest("keys", "create", "--name", "mine", "--tables", "items", "--database-url", db);
            String theirs = AuthIT.ingest("keys", "create", "--name", "theirs", "--tables", "other", "--database-url", db);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (get(f, "/v1/rejects?table=items", null).statusCode() != 401) {
                assertThat(System.nanoTime()).as("waiting until the keys are in force").isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            HttpResponse<String> kept = post(f, "items", "?rejects=keep", "application/json", JSON, "Authorization", "Bearer " + mine);
            assertThat(rejectedIndexes(kept)).hasSize(2);

            HttpResponse<String> own = get(f, "/v1/rejects?table=items", mine);
            assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
            JsonArray rejects = ServiceFixture.json(own).getJsonArray("rejects");
            assertThat(rejects).hasSize(2);
            String keyId = f.rows("SELECT id FROM ingest.api_keys WHERE name = 'mine'").get(0).get(0);
            assertThat(rejects.getJsonObject(0).getString("source")).isEqualTo("http key:" + keyId);

            HttpResponse<String> other = get(f, "/v1/rejects?table=items", theirs);
            assertThat(other.statusCode()).as(other.body()).isEqualTo(403);
            assertThat(ServiceFixture.json(other).getString("error")).isEqualTo("forbidden");
            assertThat(other.body()).doesNotContain("many").doesNotContain("items_qty_check");
            assertThat(get(f, "/v1/rejects?table=items", null).statusCode()).isEqualTo(401);
            assertThat(f.rows("SELECT count(*) FROM ingest.rejects")).as("listing changes nothing").containsExactly(List.of("2"));
        }
    }

    /** The README's example: a body whose only record is refused is answered 422, and kept. */
    @Test
    void aBodyWhollyRefusedIsAnswered422AndItsRecordsAreKept() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(ServiceFixture.eventsTable())) {
            String record = "{\"event_id\":\"7c9e6679-7425-40de-944b-e07fc1f098a1\",\"ts\":\"2026-12-02T01:00:00Z\",\"source\":\"web\","
                    + "\"kind\":\"click\",\"user_id\":\"many\"}";
            HttpResponse<String> r = post(f, "events", "?rejects=keep", "application/x-ndjson", record + "\n");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
            assertThat(ServiceFixture.json(r).getString("error")).isEqualTo("all_rejected");
            JsonObject page = ServiceFixture.json(get(f, "/v1/rejects?table=public.events&limit=2", null));
            assertThat(page.getValue("next_after")).isNull();
            JsonObject kept = page.getJsonArray("rejects").getJsonObject(0);
            assertThat(kept.getString("sqlstate")).isEqualTo("22P02");
            assertThat(kept.getString("message")).isEqualTo("invalid input syntax for type bigint: \"many\"");
            assertThat(kept.getJsonObject("record")).isEqualTo(new JsonObject(record));
            assertThat(kept.getValue("idempotency_key")).isNull();
            assertThat(kept.getString("received_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
        }
    }
}

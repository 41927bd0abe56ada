package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ack=queued}: 202 once the records are queued; refused ones land in {@code ingest.rejects}.
 *
 * <p>The service runs one writer per table, so an {@code ack=commit} request answered after a
 * queued one is proof that the queued one was written before it: no waiting on the clock.
 */
@Timeout(120)
class QueuedIT {
    private static final String TABLE = "CREATE TABLE items (code text PRIMARY KEY, qty integer CHECK (qty >= 0))";
    private static ServiceFixture start() throws Exception {
        return ServiceFixture.start(c -> c.withEngine(c.engine().toBuilder().writersPerTable(1).build()), TABLE);
    }

    private static HttpResponse<String> post(ServiceFixture f, String query, String type, String body, String... headers) throws Exception {
        return f.post("/v1/tables/items/records" + query, type, body.getBytes(UTF_8), headers);
    }

    /** Returns once everything queued for {@code items} before it is written. */
    private static void barrier(ServiceFixture f, String code) throws Exception {
        HttpResponse<String> r = post(f, "", "application/json", "{\"code\":\"" + code + "\",\"qty\":0}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void queuedRecordsAreAnswered202AndRefusedOnesAreDeadLettered() throws Exception {
        try (ServiceFixture f = start()) {
            HttpResponse<String> r = post(f, "?ack=queued", "application/json",
                    "[{\"code\":\"a\",\"qty\":1}, {\"code\":\"b\",\"qty\":-1}, {\"code\":\"c\",\"qty\":\"many\"}, {\"code\":\"d\"}]");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            assertThat(ServiceFixture.json(r)).isEqualTo(new JsonObject().put("queued", 4));
            barrier(f, "barrier");

            assertThat(f.rows("SELECT code, qty FROM items WHERE code <> 'barrier' ORDER BY code"))
                    .containsExactly(List.of("a", "1"), Arrays.asList("d", null));
            assertThat(f.rows("SELECT table_name, record_index, sqlstate, record->>'code', record->>'qty' FROM ingest.rejects ORDER BY record_index"))
                    .containsExactly(List.of("public.items", "1", "23514", "b", "-1"), List.of("public.items", "2", "22P02", "c", "many"));
            JsonArray tables = ServiceFixture.json(f.get("/v1/stats")).getJsonArray("tables");
            assertThat(tables.getJsonObject(0).getLong("dead_lettered")).isEqualTo(2);
            assertThat(tables.getJsonObject(0).getLong("queued_lost")).isZero();
        }
    }

    @Test
    void streamedBodiesDeadLetterMalformedLinesAndRowsOfTheWrongWidth() throws Exception {
        try (ServiceFixture f = start()) {
            HttpResponse<String> ndjson = post(f, "?ack=queued", "application/x-ndjson",
                    "{\"code\":\"n1\",\"qty\":1}\n{\"code\": \"broken\n{\"code\":\"n3\",\"qty\":3}\n");
            assertThat(ndjson.statusCode()).as(ndjson.body()).isEqualTo(202);
            assertThat(ServiceFixture.json(ndjson).getLong("queued")).isEqualTo(3);

            HttpResponse<String> csv = post(f, "?ack=queued", "text/csv", "code,qty\nc1,1\nc2,2,extra\nc1,5\n");
            assertThat(csv.statusCode()).as(csv.body()).isEqualTo(202);
            assertThat(ServiceFixture.json(csv).getLong("queued")).isEqualTo(3);
            barrier(f, "barrier");

            assertThat(f.rows("SELECT code FROM items WHERE code <> 'barrier' ORDER BY code"))
                    .containsExactly(List.of("c1"), List.of("n1"), List.of("n3"));
            assertThat(f.rows("SELECT record_index, sqlstate, record::text FROM ingest.rejects ORDER BY id")).containsExactly(
                    List.of("1", "22P02", "\"{\\\"code\\\": \\\"broken\""),
                    List.of("1", "22P04", "[\"c2\",\"2\",\"extra\"]"),
                    List.of("2", "23505", "{\"code\":\"c1\",\"qty\":\"5\"}"));
        }
    }

    @Test
    void aRepeatedKeyIsAnsweredAgainAndWritesOnce() throws Exception {
        try (ServiceFixture f = start()) {
            String body = "[{\"code\":\"k\",\"qty\":1}, {\"code\":\"bad\",\"qty\":-1}]";
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = post(f, "?ack=queued", "application/json", body, "Idempotency-Key", "queued-1");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                assertThat(ServiceFixture.json(r).getLong("queued")).isEqualTo(2);
            }
            barrier(f, "barrier");
            // Asked again once it is committed, the stored answer is given in the form the client asked for.
            HttpResponse<String> again = post(f, "?ack=queued", "application/json", body, "Idempotency-Key", "queued-1");
            assertThat(again.statusCode()).isEqualTo(202);
            assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
            assertThat(f.db.queryLong("SELECT count(*) FROM items WHERE code = 'k'")).isEqualTo(1);
            assertThat(f.db.queryLong("SELECT count(*) FROM ingest.rejects")).isEqualTo(1);
        }
    }

    @Test
    void aGracefulStopWritesWhatWasQueued() throws Exception {
        ServiceFixture f = start();
        StringBuilder body = new StringBuilder();
        int n = 5000;
        for (int i = 0; i < n; i++) {
            body.append("{\"code\":\"r").append(i).append("\",\"qty\":").append(i).append("}\n");
        }
        try {
            for (int part = 0; part < 4; part++) {
                String tagged = body.toString().replace("\"r", "\"p" + part + "-");
                HttpResponse<String> r = post(f, "?ack=queued", "application/x-ndjson", tagged);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            }
        } finally {
            f.close();
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM items")).isEqualTo(4L * n);
    }

    @Test
    void anUnknownAckIsRefused() throws Exception {
        try (ServiceFixture f = start()) {
            HttpResponse<String> r = post(f, "?ack=eventually", "application/json", "{\"code\":\"x\"}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(ServiceFixture.json(r).getString("error")).isEqualTo("unsupported_parameter");
            assertThat(f.db.queryLong("SELECT count(*) FROM items")).isZero();
        }
    }
}

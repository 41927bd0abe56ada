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

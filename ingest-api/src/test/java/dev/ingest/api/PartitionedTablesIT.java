package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.server.IngestService;
import dev.ingest.engine.WriterMode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Declaratively partitioned targets (range by ts, list, hash), in every writer mode: rows reach
 * their partitions, a row with no partition is refused alone with PostgreSQL's 23514 and the
 * others committed, defaults fill omitted columns, upserts work on a key that includes the
 * partition key, and the parent is one ingestible table whose partitions are not listed.
 * PostgreSQL is the oracle for the routing: each row's partition is read back by {@code tableoid}.
 * Also a table managed by pg_partman, on a server of Debian's packages (which has the extension).
 */
@Timeout(180)
class PartitionedTablesIT {
    /** A range-partitioned events table: January and February 2026, no default partition. */
    private static final String[] RANGE = {
        "CREATE TABLE events (event_id uuid NOT NULL, ts timestamptz NOT NULL, v int, note text NOT NULL DEFAULT 'none', "
                + "PRIMARY KEY (event_id, ts)) PARTITION BY RANGE (ts)",
        "CREATE TABLE events_2026_01 PARTITION OF events FOR VALUES FROM ('2026-01-01 00:00+00') TO ('2026-02-01 00:00+00')",
        "CREATE TABLE events_2026_02 PARTITION OF events FOR VALUES FROM ('2026-02-01 00:00+00') TO ('2026-03-01 00:00+00')",
    };

    private static String id(int i) {
        return UUID.nameUUIDFromBytes(("p" + i).getBytes(UTF_8)).toString();
    }

    /** Record i: in January for even i, February for odd; {@code v} given, {@code note} left to its default. */
    private static String event(int i, int v) {
        return "{\"event_id\":\"" + id(i) + "\",\"ts\":\"2026-0" + (1 + i % 2) + "-15T12:00:00Z\",\"v\":" + v + "}";
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "values", "unnest", "copy", "copy_binary"})
    void rowsReachTheirPartitionsAndARowWithNoneIsRefusedAlone(String mode) throws Exception {
        try (ServiceFixture f = ServiceFixture.start(c -> c.withEngine(c.engine().toBuilder().writerMode(WriterMode.parse(mode)).build()),
                RANGE)) {
            // 300 records (a COPY-sized group for auto), record 150 in 2027: no partition holds it.
            List<String> records = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                records.add(i == 150 ? "{\"event_id\":\"" + id(i) + "\",\"ts\":\"2027-06-01T00:00:00Z\",\"v\":" + i + "}" : event(i, i));
            }
            HttpResponse<String> r = f.post("/v1/tables/events/records", "application/x-ndjson", (String.join("\n", records) + "\n").getBytes(UTF_8));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonObject body = ServiceFixture.json(r);
            assertThat(body.getInteger("accepted")).isEqualTo(299);
            JsonArray rejected = body.getJsonArray("rejected");
            assertThat(rejected).hasSize(1);
            assertThat(rejected.getJsonObject(0).getInteger("index")).isEqualTo(150);
            assertThat(rejected.getJsonObject(0).getString("sqlstate")).isEqualTo("23514");
            assertThat(rejected.getJsonObject(0).getString("message")).contains("no partition");

            // And a small request (the small-group writers of auto).
            assertThat(f.postJson("events", "[" + event(1000, 1) + "," + event(1001, 2) + "]").statusCode()).isEqualTo(200);

            assertThat(f.rows("SELECT tableoid::regclass::text, count(*), count(DISTINCT event_id), min(note), max(note) "
                    + "FROM events GROUP BY 1 ORDER BY 1")).containsExactly(
                    List.of("events_2026_01", "150", "150", "none", "none"),
                    List.of("events_2026_02", "151", "151", "none", "none"));
            // Each row where PostgreSQL's own routing puts it: the month of its ts.
            assertThat(f.db.queryLong("SELECT count(*) FROM events WHERE tableoid::regclass::text <> 'events_' || to_char(ts AT TIME ZONE 'UTC', 'YYYY_MM')"))
                    .isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "values", "unnest", "copy", "copy_binary"})
    void upsertsOnAKeyThatIncludesThePartitionKey(String mode) throws Exception {
        try (ServiceFixture f = ServiceFixture.start(c -> c.withEngine(c.engine().toBuilder().writerMode(WriterMode.parse(mode)).build()),
                RANGE)) {
            StringBuilder first = new StringBuilder();
            StringBuilder again = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                first.append(event(i, 1)).append('\n');
                again.append(event(i + 100, 2)).append('\n'); // 100..199 exist, 200..299 are new
            }
            assertThat(f.post("/v1/tables/events/records", "application/x-ndjson", first.toString().getBytes(UTF_8)).statusCode())
                    .isEqualTo(200);
            HttpResponse<String> update = f.post("/v1/tables/events/records?on_conflict=update", "application/x-ndjson",
                    again.toString().getBytes(UTF_8));
            assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
            JsonObject u = ServiceFixture.json(update);
            assertThat(List.of(u.getLong("accepted"), u.getLong("inserted"), u.getLong("updated"))).containsExactly(200L, 100L, 100L);
            assertThat(f.rows("SELECT v, count(*) FROM events GROUP BY v ORDER BY v")).containsExactly(List.of("1", "100"), List.of("2", "200"));

            HttpResponse<String> ignore = f.post("/v1/tables/events/records?on_conflict=ignore", "application/json",
                    ("[" + event(0, 3) + "," + event(300, 3) + "]").getBytes(UTF_8));
            assertThat(ServiceFixture.json(ignore).getLong("ignored")).isEqualTo(1);
            assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(301);
        }
    }

    @Test
    void listAndHashPartitionsAndTheCatalogListsOnlyParents() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(
                "CREATE TABLE by_region (id int NOT NULL, region text NOT NULL, PRIMARY KEY (id, region)) PARTITION BY LIST (region)",
                "CREATE TABLE by_region_eu PARTITION OF by_region FOR VALUES IN ('eu')",
                "CREATE TABLE by_region_us PARTITION OF by_region FOR VALUES IN ('us')",
                "CREATE TABLE by_hash (id int PRIMARY KEY, v text) PARTITION BY HASH (id)",
                "CREATE TABLE by_hash_0 PARTITION OF by_hash FOR VALUES WITH (MODULUS 2, REMAINDER 0)",
                "CREATE TABLE by_hash_1 PARTITION OF by_hash FOR VALUES WITH (MODULUS 2, REMAINDER 1)")) {
            HttpResponse<String> regions = f.postJson("by_region",
                    "[{\"id\":1,\"region\":\"eu\"},{\"id\":2,\"region\":\"us\"},{\"id\":3,\"region\":\"apac\"}]");
            assertThat(regions.statusCode()).as(regions.body()).isEqualTo(200);
            assertThat(ServiceFixture.json(regions).getJsonArray("rejected").getJsonObject(0).getString("sqlstate")).isEqualTo("23514");
            assertThat(f.rows("SELECT tableoid::regclass::text, id FROM by_region ORDER BY id"))
                    .containsExactly(List.of("by_region_eu", "1"), List.of("by_region_us", "2"));

            StringBuilder hashed = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                hashed.append("{\"id\":").append(i).append(",\"v\":\"x\"}\n");
            }
            assertThat(f.post("/v1/tables/by_hash/records", "application/x-ndjson", hashed.toString().getBytes(UTF_8)).statusCode())
                    .isEqualTo(200);
            // PostgreSQL's own hash routing, asked of it: every row where satisfies_hash_partition puts it.
            assertThat(f.db.queryLong("SELECT count(*) FROM by_hash WHERE NOT satisfies_hash_partition('by_hash'::regclass, 2, "
                    + "CASE tableoid::regclass::text WHEN 'by_hash_0' THEN 0 ELSE 1 END, id)")).isZero();
            assertThat(f.db.queryLong("SELECT count(*) FROM by_hash")).isEqualTo(200);

            HttpResponse<String> tables = f.get("/v1/tables");
            List<String> names = ServiceFixture.json(tables).getJsonArray("tables").stream()
                    .map(t -> ((JsonObject) t).getString("name")).toList();
            assertThat(names).contains("by_region", "by_hash").doesNotContain("by_region_eu", "by_region_us", "by_hash_0", "by_hash_1");
        }
    }

    @Test
    void partitionsAreTablesOfTheirOwnWhenConfigured() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(c -> c.withEngine(c.engine().toBuilder().partitionsAsTables(true).build()), RANGE)) {
            List<String> names = ServiceFixture.json(f.get("/v1/tables")).getJsonArray("tables").stream()
                    .map(t -> ((JsonObject) t).getString("name")).toList();
            assertThat(names).containsExactly("events", "events_2026_01", "events_2026_02");
            // Straight into January's partition: a February row is outside its bounds.
            HttpResponse<String> r = f.postJson("events_2026_01", "[" + event(0, 1) + "," + event(1, 1) + "]");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonObject rejected = ServiceFixture.json(r).getJsonArray("rejected").getJsonObject(0);
            assertThat(rejected.getInteger("index")).isEqualTo(1);
            assertThat(rejected.getString("sqlstate")).isEqualTo("23514");
            assertThat(rejected.getString("message")).contains("partition constraint");
            assertThat(f.rows("SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1")).containsExactly(List.of("events_2026_01", "1"));
        }
    }

    @Test
    void aTableManagedByPgPartman() throws Exception {
        Optional<Path> bin = DebianPostgres.binariesWith("pg_partman");
        Assumptions.assumeTrue(bin.isPresent(), "pg_partman is not installed (apt-get install postgresql-15-partman)");
        try (DebianPostgres pg = DebianPostgres.start(bin.get())) {
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA partman");
                s.execute("CREATE EXTENSION pg_partman SCHEMA partman");
                s.execute(RANGE[0]);
                s.execute("SELECT partman.create_parent('public.events', 'ts', 'native', 'monthly', p_start_partition := '2026-01-01')");
            }
            ServiceConfig config = ConfigResolver.resolve(new ConfigResolver.Flags("127.0.0.1", 0, pg.url("postgres"), null), Map.of(),
                    ConfigFile.EMPTY);
            try (ServiceFixture f = ServiceFixture.attach(null, IngestService.start(config))) {
                StringBuilder body = new StringBuilder();
                for (int i = 0; i < 300; i++) {
                    body.append(event(i, 1)).append('\n');
                }
                // Beyond the months pg_partman made: its default partition takes it.
                body.append("{\"event_id\":\"").append(id(300)).append("\",\"ts\":\"2030-06-01T00:00:00Z\",\"v\":1}\n");
                HttpResponse<String> r = f.post("/v1/tables/events/records", "application/x-ndjson", body.toString().getBytes(UTF_8));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(ServiceFixture.json(r).getInteger("accepted")).isEqualTo(301);
                HttpResponse<String> update = f.post("/v1/tables/events/records?on_conflict=update", "application/json",
                        ("[" + event(0, 2) + "," + event(1000, 2) + "]").getBytes(UTF_8));
                assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
                assertThat(List.of(ServiceFixture.json(update).getLong("inserted"), ServiceFixture.json(update).getLong("updated")))
                        .containsExactly(1L, 1L);

                try (Connection c = pg.connect("postgres"); Statement s = c.createStatement();
                        var rows = s.executeQuery("SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1 ORDER BY 1")) {
                    List<List<String>> partitions = new ArrayList<>();
                    while (rows.next()) {
                        partitions.add(List.of(rows.getString(1), rows.getString(2)));
                    }
                    assertThat(partitions).containsExactly(List.of("events_default", "1"), List.of("events_p2026_01", "151"),
                            List.of("events_p2026_02", "150"));
                }
                List<String> names = ServiceFixture.json(f.get("/v1/tables")).getJsonArray("tables").stream()
                        .map(t -> ((JsonObject) t).getString("name")).toList();
                assertThat(names).containsExactly("events");
            }
        }
    }
}

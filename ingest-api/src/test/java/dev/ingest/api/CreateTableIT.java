package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.ClientConfig;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.load.Loader;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ingest load --create-table} and {@code POST /v1/tables}, against a real service and database. */
@Timeout(120)
class CreateTableIT {
    private static ServiceFixture f;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        f = ServiceFixture.start();
        dir = ServiceFixture.tempDir("ingest-create-table");
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    /** One load; returns {exit code, stdout, stderr}. */
    private static String[] load(String table, Loader.TableCreation creation, int sampleRows, Path file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ClientConfig client = ConfigResolver.client(f.uri("").toString(), null, Map.of());
        Loader.Options options = new Loader.Options(client, table, null, 2, 64 * 1024, false,
                dir.resolve(table + "-rejects.ndjson"), -1, dir.resolve("state"), null, "", Duration.ofSeconds(10), false, creation,
                sampleRows);
        int code = new Loader(options, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                InputStream.nullInputStream(), new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8), System::nanoTime)
                .run(List.of(file.toString()));
        return new String[] {Integer.toString(code), out.toString(UTF_8), err.toString(UTF_8)};
    }

    private static Path file(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static String columns(String table) {
        try (var c = f.db.connect(); var s = c.createStatement(); var r = s.executeQuery("SELECT string_agg(attname || ' ' || "
                + "format_type(atttypid, atttypmod), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '" + table
                + "'::regclass AND attnum > 0 AND NOT attisdropped")) {
            r.next();
            return r.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aCsvFileMakesItsTableAndALaterRowThatDoesNotFitIsRejectedNotCut() throws Exception {
        StringBuilder csv = new StringBuilder("id,amount,at,note\n");
        for (int i = 0; i < 500; i++) {
            csv.append(i).append(',').append(i).append(".5,2026-01-01T00:00:00Z,n").append(i).append('\n');
        }
        csv.append("not a number,1.5,2026-01-01T00:00:00Z,late\n"); // after the sample of 100 rows
        csv.append("501,12345678901234567890.123456789,2026-01-01T00:00:00Z,wide\n");
        String[] r = load("made", Loader.TableCreation.CREATE, 100, file("made.csv", csv.toString()));
        assertThat(r[0]).as(r[2]).isEqualTo(Integer.toString(Loader.REJECTED));
        assertThat(r[2]).contains("created table public.made");
        assertThat(columns("made")).isEqualTo("id bigint, amount numeric, at timestamp with time zone, note text");
        assertThat(f.db.queryLong("SELECT count(*) FROM made")).isEqualTo(501);
        assertThat(f.db.queryLong("SELECT count(*) FROM made WHERE amount = 12345678901234567890.123456789")).isEqualTo(1);
        List<String> rejects = Files.readAllLines(dir.resolve("made-rejects.ndjson"));
        assertThat(rejects).hasSize(1);
        assertThat(new JsonObject(rejects.get(0)).getString("sqlstate")).isEqualTo("22P02");

        // Again: the table exists, so it is loaded into as it is.
        String[] again = load("made", Loader.TableCreation.CREATE, 100, file("made2.csv", "id,note\n9000,x\n"));
        assertThat(again[0]).as(again[2]).isEqualTo("0");
        assertThat(again[2]).contains("exists; loading into it");
        assertThat(f.db.queryLong("SELECT count(*) FROM made")).isEqualTo(502);
    }

    @Test
    void printDdlPrintsTheTableAndLoadsNothing() throws Exception {
        String[] r = load("dry", Loader.TableCreation.PRINT_DDL, 100,
                file("dry.ndjson", "{\"id\": 1, \"tags\": [\"a\"], \"Who\": \"x\"}\n"));
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).isEqualTo("CREATE TABLE \"public\".\"dry\" (\n  \"id\" bigint,\n  \"tags\" jsonb,\n  \"Who\" text\n);\n");
        assertThat(f.db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'dry'")).isZero();
    }

    @Test
    void theEndpointTakesOnlyWhitelistedTypesAndQuotesNames() throws Exception {
        HttpResponse<String> bad = f.post("/v1/tables", "application/json",
                "{\"table\": \"x\", \"columns\": [{\"name\": \"a\", \"type\": \"int); drop table y; --\"}]}".getBytes(UTF_8));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(ServiceFixture.json(bad).getString("error")).isEqualTo("invalid_table_definition");
        HttpResponse<String> odd = f.post("/v1/tables", "application/json",
                "{\"table\": \"\\\"od\\\"\\\"d\\\"\", \"columns\": [{\"name\": \"a\\\"; drop\", \"type\": \"text\"}]}".getBytes(UTF_8));
        assertThat(odd.statusCode()).as(odd.body()).isEqualTo(201);
        assertThat(f.db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 'od\"d' AND column_name = "
                + "'a\"; drop'")).isEqualTo(1);
        HttpResponse<String> twice = f.post("/v1/tables", "application/json",
                "{\"table\": \"\\\"od\\\"\\\"d\\\"\", \"columns\": [{\"name\": \"a\", \"type\": \"text\"}]}".getBytes(UTF_8));
        assertThat(twice.statusCode()).isEqualTo(409);
        assertThat(f.post("/v1/tables", "application/json", "[1".getBytes(UTF_8)).statusCode()).isEqualTo(400);
        assertThat(f.post("/v1/tables", "text/csv", "a\n".getBytes(UTF_8)).statusCode()).isEqualTo(415);
    }
}

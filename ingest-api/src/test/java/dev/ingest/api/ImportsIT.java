package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ingest.api.cli.Main;
import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.config.ImportJob;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.server.IngestService;
import dev.ingest.engine.testing.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PSQLException;

/** Scheduled imports against a real database: exactly once per file, across runs, restarts and replicas. */
@Timeout(180)
class ImportsIT {
    private static final String TABLE = "CREATE TABLE items (id bigint NOT NULL, name text NOT NULL CHECK (name <> ''))";
    private Path dir;

    @BeforeEach
    void dir() throws IOException {
        dir = Files.createTempDirectory("ingest-imports");
    }

    private static ConfigFile.Import job(String name, String source, String after) {
        return new ConfigFile.Import(name, "0 3 * * *", "Europe/Paris", source, "items", null, null, after, null);
    }

    private static ServiceFixture start(TestDatabase.Database db, ConfigFile.Import... jobs) throws Exception {
        ServiceConfig config = ConfigResolver.resolve(new ConfigResolver.Flags("127.0.0.1", 0, db.url(), null),
                Map.of(), ConfigFile.EMPTY).withImports(ImportJob.fromConfig(List.of(jobs)));
        return ServiceFixture.attach(db, IngestService.start(config));
    }

    private static String csv(int from, int to) {
        StringBuilder b = new StringBuilder("id,name\n");
        for (int i = from; i < to; i++) {
            b.append(i).append(",item ").append(i).append('\n');
        }
        return b.toString();
    }

    /** Asks for a run of the job and waits until a run newer than every earlier one has ended; returns it. */
    private static JsonObject runAndWait(ServiceFixture f, String job) throws Exception {
        long before = runs(f, job).stream().mapToLong(r -> r.getLong("id")).max().orElse(0);
        HttpResponse<String> r = f.post("/v1/imports/" + job + "/run", "application/json", new byte[0]);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return awaitRunAfter(f, job, before);
    }

    private static JsonObject awaitRunAfter(ServiceFixture f, String job, long before) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            for (JsonObject run : runs(f, job)) {
                if (run.getLong("id") > before && !run.getString("status").equals("running")) {
                    return run;
                }
            }
            assertThat(System.nanoTime()).as("waiting for a run of " + job).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static List<JsonObject> runs(ServiceFixture f, String job) throws Exception {
        HttpResponse<String> r = f.get("/v1/imports");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<JsonObject> out = new ArrayList<>();
        for (Object o : ServiceFixture.json(r).getJsonArray("imports")) {
            JsonObject j = (JsonObject) o;
            if (j.getString("name").equals(job)) {
                j.getJsonArray("runs").forEach(x -> out.add((JsonObject) x));
            }
        }
        return out;
    }

    @Test
    void filesDroppedInADirectoryAreImportedOnceEachAndRejectsNamed() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute(TABLE);
        Files.writeString(dir.resolve("a.csv"), csv(0, 5000));
        Files.writeString(dir.resolve("b.csv"), "id,name\n5000,ok\n5001,\"\"\nx,bad id\n");
        Files.writeString(dir.resolve("ignored.txt"), "not matched by the glob");
        try (ServiceFixture f = start(db, job("drop", dir + "/*.csv", "keep"))) {
            JsonObject first = runAndWait(f, "drop");
            assertThat(first.getString("status")).as(first.encode()).isEqualTo("succeeded");
            assertThat(first.getInteger("files")).isEqualTo(2);
            assertThat(first.getLong("rows_accepted")).isEqualTo(5001);
            assertThat(first.getLong("rows_rejected")).isEqualTo(2);
            assertThat(db.queryLong("SELECT count(*) FROM items")).isEqualTo(5001);
            assertThat(f.rows("SELECT sqlstate, source FROM ingest.rejects ORDER BY record_index")).containsExactly(
                    List.of("23514", "import drop: " + dir.resolve("b.csv")), List.of("22P02", "import drop: " + dir.resolve("b.csv")));

            JsonObject second = runAndWait(f, "drop");
            assertThat(second.getString("status")).isEqualTo("succeeded");
            assertThat(second.getInteger("files")).isZero();

            Files.writeString(dir.resolve("c.csv"), csv(6000, 6010));
            JsonObject third = runAndWait(f, "drop");
            assertThat(third.getInteger("files")).isEqualTo(1);
            assertThat(db.queryLong("SELECT count(*) FROM items")).isEqualTo(5011);

            JsonObject listed = ServiceFixture.json(f.get("/v1/imports")).getJsonArray("imports").getJsonObject(0);
            assertThat(listed.getString("next_run")).isNotNull();
            assertThat(listed.getString("timezone")).isEqualTo("Europe/Paris");
            assertThat(f.post("/v1/imports/nope/run", "application/json", new byte[0]).statusCode()).isEqualTo(404);
        }
    }

    /**
     * A record an import refuses is named by its line in the file: blank lines, the elements of a
     * JSON array over several lines and the chunks before it counted (a file is cut into requests
     * of about 1 MiB).
     */
    @Test
    void aRefusedRecordIsNamedByItsLineInTheFile() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute(TABLE);
        Files.writeString(dir.resolve("a.ndjson"), "{\"id\":1,\"name\":\"a\"}\n\n\n{\"id\":2,\n");
        Files.writeString(dir.resolve("b.json"), "[\n{\"id\":3,\n \"name\":\"b\"},\n{\"id\":4,\n \"nope\":1}]\n");
        String big = csv(0, 80_000); // over 1 MiB: two requests
        long lines = big.lines().count();
        assertThat(big.length()).isGreaterThan(1 << 20);
        Files.writeString(dir.resolve("c.csv"), big + "80000\n");
        try (ServiceFixture f = start(db, job("lines", dir + "/*.*", "keep"))) {
            JsonObject run = runAndWait(f, "lines");
            assertThat(run.getString("status")).as(run.encode()).isEqualTo("succeeded");
            assertThat(f.rows("SELECT sqlstate, substring(message from '^line [0-9]+') FROM ingest.rejects ORDER BY source")).containsExactly(
                    List.of("22P02", "line 4"), List.of("42703", "line 4"), List.of("22P04", "line " + (lines + 1)));
        }
    }

    /**
     * A hostile CSV file (a byte-order mark, CRLF, a quote opened mid-field, a blank line, a quote
     * left open at the end) is imported as COPY reads it: COPY of its good records stores the same
     * rows, and each bad record is refused with the SQLSTATE COPY gives it.
     */
    @Test
    void aHostileCsvFileIsImportedAsCopyReadsIt() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute(TABLE, "CREATE TABLE items_copy (id bigint NOT NULL, name text NOT NULL CHECK (name <> ''))");
        String header = "\uFEFFid,name\r\n";
        String good = "1,12\" pizza, large\"\r\n2,\"two\r\nlines \"\"quoted\"\"\"\r\n3,\"a\"b\r\n";
        String blank = "\r\n";
        String open = "4,\"never closed\r\n";
        Files.writeString(dir.resolve("hostile.csv"), header + "1,12\" pizza, large\"\r\n" + blank
                + "2,\"two\r\nlines \"\"quoted\"\"\"\r\n3,\"a\"b\r\n" + open);
        String blankState;
        String openState;
        try (Connection c = db.connect()) {
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            String sql = "COPY items_copy (id, name) FROM STDIN (FORMAT csv, HEADER true)";
            copy.copyIn(sql, new ByteArrayInputStream((header + good).getBytes(StandardCharsets.UTF_8)));
            blankState = copyState(copy, sql, header + blank);
            openState = copyState(copy, sql, header + open);
        }
        try (ServiceFixture f = start(db, job("hostile", dir + "/*.csv", "keep"))) {
            JsonObject run = runAndWait(f, "hostile");
            assertThat(run.getString("status")).as(run.encode()).isEqualTo("succeeded");
            assertThat(run.getLong("rows_accepted")).isEqualTo(3);
            assertThat(f.rows("SELECT id, name FROM items ORDER BY id")).isEqualTo(f.rows("SELECT id, name FROM items_copy ORDER BY id"));
            assertThat(f.rows("SELECT sqlstate FROM ingest.rejects ORDER BY record_index"))
                    .containsExactly(List.of(blankState), List.of(openState));
        }
    }

    private static String copyState(CopyManager copy, String sql, String body) throws Exception {
        try {
            copy.copyIn(sql, new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
            return null;
        } catch (PSQLException e) {
            return e.getSQLState();
        }
    }

    @Test
    void aFileIsNotImportedAgainAfterARestartAndIsMovedWhenDone() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute(TABLE);
        Files.writeString(dir.resolve("one.ndjson"), "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"b\"}\n");
        try (ServiceFixture f = start(db, job("move", dir + "/*.ndjson", "move"))) {
            assertThat(runAndWait(f, "move").getInteger("files")).isEqualTo(1);
        }
        assertThat(dir.resolve("done/one.ndjson")).exists();
        assertThat(dir.resolve("one.ndjson")).doesNotExist();
        // The same file put back, after a restart: recognized, not imported again.
        Files.move(dir.resolve("done/one.ndjson"), dir.resolve("one.ndjson"));
        try (ServiceFixture f = start(db, job("move", dir + "/*.ndjson", "keep"))) {
            JsonObject run = runAndWait(f, "move");
            assertThat(run.getString("status")).isEqualTo("succeeded");
            assertThat(run.getInteger("files")).isZero();
        }
        assertThat(db.queryLong("SELECT count(*) FROM items")).isEqualTo(2);
    }

    @Test
    void twoInstancesOnOneDatabaseImportEachFileOnce() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute(TABLE);
        for (int i = 0; i < 6; i++) {
            Files.writeString(dir.resolve("f" + i + ".csv"), csv(i * 3000, (i + 1) * 3000));
        }
        ConfigFile.Import job = job("shared", dir + "/*.csv", "keep");
        try (ServiceFixture a = start(db, job); ServiceFixture b = start(db, job)) {
            // Both asked at once, several times: runs overlap or queue, never import a file twice.
            List<CompletableFuture<HttpResponse<String>>> asks = new ArrayList<>();
            for (ServiceFixture f : List.of(a, b, a, b)) {
                asks.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return f.post("/v1/imports/shared/run", "application/json", new byte[0]);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (CompletableFuture<HttpResponse<String>> ask : asks) {
                assertThat(ask.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
            }
            // Wait until every file is recorded as imported and no run is left running.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (db.queryLong("SELECT count(*) FROM ingest.import_files WHERE job = 'shared'") < 6
                    || db.queryLong("SELECT count(*) FROM ingest.import_runs WHERE status = 'running'") > 0) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            assertThat(db.queryLong("SELECT count(*) FROM items")).isEqualTo(18_000);
            assertThat(db.queryLong("SELECT count(DISTINCT id) FROM items")).isEqualTo(18_000);
            assertThat(db.queryLong("SELECT sum(files) FROM ingest.import_runs WHERE job = 'shared'")).isEqualTo(6);
        }
    }

    @Test
    void aRunInterruptedMidFileIsFinishedByTheNextWithEachRowOnce() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute(TABLE);
        Files.writeString(dir.resolve("big.csv"), csv(0, 600_000));
        ConfigFile.Import job = job("big", dir + "/*.csv", "keep");
        ServiceFixture f = start(db, job);
        try {
            assertThat(f.post("/v1/imports/big/run", "application/json", new byte[0]).statusCode()).isEqualTo(202);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (db.queryLong("SELECT count(*) FROM items") == 0) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        } finally {
            f.close(); // mid-file: the run stops after its current chunk
        }
        long partial = db.queryLong("SELECT count(*) FROM items");
        assertThat(partial).isBetween(1L, 599_999L);
        assertThat(db.queryLong("SELECT count(*) FROM ingest.import_files")).isZero();

        try (ServiceFixture again = start(db, job)) {
            JsonObject run = runAndWait(again, "big");
            assertThat(run.getString("status")).as(run.encode()).isEqualTo("succeeded");
            assertThat(run.getLong("rows_accepted")).isEqualTo(600_000); // chunks committed before are counted, not written
        }
        assertThat(db.queryLong("SELECT count(*) FROM items")).isEqualTo(600_000);
        assertThat(db.queryLong("SELECT count(DISTINCT id) FROM items")).isEqualTo(600_000);
        assertThat(db.queryLong("SELECT count(*) FROM ingest.import_runs WHERE status = 'running'")).isZero();
    }

    @Test
    void aUrlSourceIsImportedOnceAndItsFailuresAreRecorded() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute(TABLE);
        AtomicInteger status = new AtomicInteger(500);
        byte[] body = csv(0, 100).getBytes(StandardCharsets.UTF_8);
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/export/items.csv", exchange -> {
            try (exchange) {
                exchange.getResponseHeaders().add("ETag", "\"v1\"");
                int s = status.get();
                exchange.sendResponseHeaders(s, s == 200 ? body.length : -1);
                if (s == 200) {
                    exchange.getResponseBody().write(body);
                }
            }
        });
        http.start();
        String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/export/items.csv";
        try (ServiceFixture f = start(db, job("web", url, null), job("missing", dir.resolve("nowhere") + "/*.csv", null))) {
            JsonObject failed = runAndWait(f, "web");
            assertThat(failed.getString("status")).isEqualTo("failed");
            assertThat(failed.getString("error")).contains("HTTP 500");

            JsonObject missing = runAndWait(f, "missing");
            assertThat(missing.getString("status")).isEqualTo("failed");
            assertThat(missing.getString("error")).contains("does not exist");

            status.set(200);
            JsonObject ok = runAndWait(f, "web");
            assertThat(ok.getString("status")).as(ok.encode()).isEqualTo("succeeded");
            assertThat(ok.getInteger("files")).isEqualTo(1);
            JsonObject again = runAndWait(f, "web");
            assertThat(again.getInteger("files")).isZero();
            assertThat(db.queryLong("SELECT count(*) FROM items")).isEqualTo(100);
        } finally {
            http.stop(0);
        }
    }

    @Test
    void theCommandLineListsAndRunsJobs() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute(TABLE);
        Files.writeString(dir.resolve("x.csv"), csv(0, 10));
        try (ServiceFixture f = start(db, job("cli", dir + "/*.csv", null))) {
            String url = f.uri("").toString();
            long before = runs(f, "cli").stream().mapToLong(r -> r.getLong("id")).max().orElse(0);
            assertThat(captured(() -> Main.execute("imports", "run", "cli", "--url", url))).contains("cli: a run starts");
            assertThat(awaitRunAfter(f, "cli", before).getString("status")).isEqualTo("succeeded");
            assertThat(captured(() -> Main.execute("imports", "list", "--url", url)))
                    .contains("cli  cron \"0 3 * * *\" Europe/Paris").contains("succeeded  files 1, rows 10 accepted");
            assertThat(Main.execute("imports", "run", "nope", "--url", url)).isEqualTo(1);
        }
    }

    @Test
    void runWithWaitExitsWithTheRunsOutcome() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute(TABLE);
        Files.writeString(dir.resolve("x.csv"), csv(0, 5));
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (ServiceFixture f = start(db, job("good", dir + "/*.csv", null), job("bad", "http://127.0.0.1:" + closed + "/x.csv", null))) {
            String url = f.uri("").toString();
            CommandRun good = CommandRun.of("imports", "run", "good", "--wait", "--url", url);
            assertThat(good.exit()).as(good.err()).isZero();
            assertThat(good.out()).contains("succeeded: files 1, rows 5 accepted, 0 rejected");
            CommandRun bad = CommandRun.of("imports", "run", "bad", "--wait", "--url", url);
            assertThat(bad.exit()).as(bad.out()).isEqualTo(1);
            assertThat(bad.out()).contains("failed");
        }
        assertThat(db.queryLong("SELECT count(*) FROM items")).isEqualTo(5);
    }

    /** Standard output of {@code command}, which must exit 0. */
    private static String captured(IntSupplier command) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(command.getAsInt()).isZero();
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void badJobsAreRefusedAtStartWithAClearMessage() {
        assertThat(error(new ConfigFile.Import("j", "61 * * * *", null, "/d/*.csv", "t", null, null, null, null)))
                .contains("job \"j\"").contains("invalid cron");
        assertThat(error(new ConfigFile.Import("j", "* * * *", null, "/d/*.csv", "t", null, null, null, null)))
                .contains("must have 5 fields");
        assertThat(error(new ConfigFile.Import("j", "* * * * *", "Mars/Olympus", "/d/*.csv", "t", null, null, null, null)))
                .contains("unknown timezone");
        assertThat(error(new ConfigFile.Import("j", "* * * * *", null, "/d/*.csv", "t", "xml", null, null, null)))
                .contains("format must be csv, ndjson or json");
        assertThat(error(new ConfigFile.Import("j", "* * * * *", null, "/d/*.csv", "t", null, null, "shred", null)))
                .contains("after must be keep, move or delete");
        assertThat(error(new ConfigFile.Import("bad name", "* * * * *", null, "/d/*.csv", "t", null, null, null, null)))
                .contains("name");
    }

    private static String error(ConfigFile.Import job) {
        try {
            ImportJob.fromConfig(List.of(job));
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + job);
    }
}

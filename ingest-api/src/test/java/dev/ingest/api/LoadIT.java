package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.FaultyProxy.Fault;
import dev.ingest.api.cli.Main;
import dev.ingest.api.config.ClientConfig;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.formats.Format;
import dev.ingest.api.load.Loader;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;

/** {@code ingest load} against a real service and database, with the network made unreliable where it matters. */
@Timeout(180)
class LoadIT {
    private static ServiceFixture f;
    private Path dir;

    @BeforeAll
    static void start() throws Exception {
        f = ServiceFixture.start(ServiceFixture.eventsTable());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @BeforeEach
    void clean() throws IOException {
        f.db.execute("TRUNCATE events");
        dir = Files.createTempDirectory("ingest-load-test");
    }

    private static String uuid(long i) {
        return new UUID(0x1234_5678_9abc_4defL, 0x8000_0000_0000_0000L | i).toString();
    }

    /** Events {@code from}..{@code to} as CSV; every 97th has a source with a quoted line break and comma. */
    private static String csv(long from, long to) {
        StringBuilder b = new StringBuilder("event_id,ts,source,kind,user_id,value,payload\n");
        for (long i = from; i < to; i++) {
            String source = i % 97 == 0 ? "\"multi\nline, quoted \"\"source\"\"\"" : "s" + (i % 7);
            b.append(uuid(i)).append(",2026-01-01T00:00:00Z,").append(source).append(",k,").append(i).append(',')
                    .append(i * 0.5).append(",\"{\"\"n\"\": ").append(i).append(", \"\"pad\"\": \"\"").append("x".repeat(60))
                    .append("\"\"}\"\n");
        }
        return b.toString();
    }

    private static String ndjsonLine(long i) {
        return "{\"event_id\":\"" + uuid(i) + "\",\"ts\":\"2026-01-01T00:00:00Z\",\"source\":\"n\",\"kind\":\"k\",\"user_id\":" + i
                + ",\"payload\":{\"n\":" + i + ",\"pad\":\"" + "y".repeat(60) + "\"}}";
    }

    private static String ndjson(long from, long to) {
        StringBuilder b = new StringBuilder();
        for (long i = from; i < to; i++) {
            b.append(ndjsonLine(i)).append(i % 50 == 0 ? "\n\n" : "\n"); // some blank lines too
        }
        return b.toString();
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        if (name.endsWith(".gz")) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
                out.write(text.getBytes(UTF_8));
            }
        } else {
            Files.writeString(p, text);
        }
        return p;
    }

    /** One run of the loader, in this JVM, with its output captured. */
    private final class Run {
        String url = f.uri("").toString();
        Format format;
        int concurrency = 3;
        int chunkBytes = 64 * 1024;
        boolean resume;
        Path rejects;
        long maxErrors = -1;
        String loadId;
        String token;
        Duration retryFor = Duration.ofSeconds(60);
        InputStream stdin = InputStream.nullInputStream();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        int load(Path... files) {
            ClientConfig client = ConfigResolver.client(url, token, Map.of());
            Loader.Options options = new Loader.Options(client, "events", format, concurrency, chunkBytes, resume, rejects,
                    maxErrors, dir.resolve("state"), loadId, "", retryFor, false, Loader.TableCreation.NONE, 0);
            Loader loader = new Loader(options, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), stdin,
                    new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8), System::nanoTime);
            return loader.run(Arrays.stream(files).map(p -> p == null ? "-" : p.toString()).toList());
        }

        String out() {
            return out.toString(UTF_8);
        }

        String err() {
            return err.toString(UTF_8);
        }
    }

    private static void assertExactly(long rows, long idSum) {
        assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(rows);
        assertThat(f.db.queryLong("SELECT count(DISTINCT event_id) FROM events")).isEqualTo(rows);
        assertThat(f.db.queryLong("SELECT coalesce(sum(user_id), 0) FROM events")).isEqualTo(idSum);
    }

    private static long sum(long from, long to) {
        return (from + to - 1) * (to - from) / 2;
    }

    @Test
    void severalMegabytesOfCsvNdjsonAndJsonArriveComplete() throws Exception {
        Path csv = write("events.csv", csv(0, 20_000));
        Path ndjson = write("events.ndjson.gz", ndjson(20_000, 40_000));
        String array = "[\n" + String.join(",\n", LongStream.range(40_000, 45_000)
                .mapToObj(LoadIT::ndjsonLine).toList()) + "\n]\n";
        Path json = write("events.json", array);
        assertThat(Files.size(csv)).isGreaterThan(2_000_000);

        Run run = new Run();
        assertThat(run.load(csv, ndjson, json)).as(run.err()).isEqualTo(Loader.OK);
        assertExactly(45_000, sum(0, 45_000));
        assertThat(f.rows("SELECT source FROM events WHERE user_id = 97")).containsExactly(List.of("multi\nline, quoted \"source\""));
        assertThat(f.db.queryLong("SELECT (payload->>'n')::bigint FROM events WHERE user_id = 44999")).isEqualTo(44_999);
        assertThat(run.out()).contains("events.csv: 20,000 rows loaded, 0 rejected")
                .contains("events.ndjson.gz: 20,000 rows loaded").contains("events.json: 5,000 rows loaded")
                .contains("total: 45,000 rows loaded");
    }

    @Test
    void standardInputIsReadWithAnExplicitFormat() throws Exception {
        Run run = new Run();
        run.format = Format.NDJSON;
        run.stdin = new ByteArrayInputStream(ndjson(0, 3000).getBytes(UTF_8));
        assertThat(run.load((Path) null)).as(run.err()).isEqualTo(Loader.OK);
        assertExactly(3000, sum(0, 3000));
    }

    @Test
    void oneRowIsOneRow() throws Exception {
        Run run = new Run();
        run.format = Format.NDJSON;
        run.stdin = new ByteArrayInputStream(ndjson(0, 1).getBytes(UTF_8));
        assertThat(run.load((Path) null)).as(run.err()).isEqualTo(Loader.OK);
        assertThat(run.out()).contains(": 1 row loaded, 0 rejected, in ");
    }

    @Test
    void progressIsPlainLinesWhenNotOnATerminal() throws Exception {
        Run run = new Run();
        assertThat(run.load(write("p.csv", csv(0, 2000)))).isEqualTo(Loader.OK);
        assertThat(run.err()).contains("p.csv: started").doesNotContain("\r").doesNotContain("\u001b");
        assertThat(run.out()).contains("2,000 rows loaded").doesNotContain("\r").doesNotContain("\u001b");
    }

    @Test
    void badRowsEndWithStatus2AndARejectsFileNamingThem() throws Exception {
        String good = csv(0, 3000);
        // Line numbers count the header (line 1) and the quoted line breaks of every 97th record.
        String text = good + uuid(5) + ",2026-01-01T00:00:00Z,dup,k,1,1,\n" // duplicate event_id
                + "not-a-uuid,2026-01-01T00:00:00Z,s,k,2,2,\n"
                + uuid(9_999_999) + ",not a time,s,k,3,3,\n"
                + uuid(9_999_998) + ",2026-01-01T00:00:00Z,s,k,4\n"; // too few fields
        Path file = write("bad.csv", text);
        long lines = text.chars().filter(c -> c == '\n').count();
        Run run = new Run();
        run.rejects = dir.resolve("rejects.ndjson");
        assertThat(run.load(file)).as(run.err()).isEqualTo(Loader.REJECTED);
        assertExactly(3000, sum(0, 3000));

        List<JsonObject> rejected = Files.readAllLines(run.rejects).stream().map(JsonObject::new)
                .sorted(Comparator.comparingLong(o -> o.getLong("line"))).toList();
        assertThat(rejected).extracting(o -> o.getLong("line")).containsExactly(lines - 3, lines - 2, lines - 1, lines);
        assertThat(rejected).extracting(o -> o.getString("sqlstate")).containsExactly("23505", "22P02", "22007", "22P04");
        assertThat(rejected.get(1).getString("record")).isEqualTo("not-a-uuid,2026-01-01T00:00:00Z,s,k,2,2,");
        assertThat(rejected).allMatch(o -> o.getString("input").equals(file.toString()) && !o.getString("message").isBlank());
        assertThat(run.out()).contains("3,000 rows loaded, 4 rejected");
    }

    /** The README's hourly cron line: each run adds its rejects to the file; no run empties it, not even one with nothing to do. */
    @Test
    void aRejectsFileIsAppendedToByEveryRunAndNamesTheInputAndTheRun() throws Exception {
        Path rejects = dir.resolve("rejects.ndjson");
        Files.writeString(rejects, "{\"kept\":\"from the hour before\"}\n");
        String bad = "not-a-uuid,2026-01-01T00:00:00Z,s,k,1,1,\n";
        Path first = write("h1.csv", csv(0, 10) + bad);
        Path second = write("h2.csv", csv(10, 20) + bad);
        Run one = new Run();
        one.rejects = rejects;
        assertThat(one.load(first)).as(one.err()).isEqualTo(Loader.REJECTED);
        Run nothingToDo = new Run();
        nothingToDo.rejects = rejects;
        assertThat(nothingToDo.load(first)).as(nothingToDo.err()).isEqualTo(Loader.OK);
        assertThat(nothingToDo.out()).contains("already loaded");
        Run two = new Run();
        two.rejects = rejects;
        assertThat(two.load(second)).as(two.err()).isEqualTo(Loader.REJECTED);

        List<JsonObject> lines = Files.readAllLines(rejects).stream().map(JsonObject::new).toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).getString("kept")).isEqualTo("from the hour before");
        assertThat(lines.subList(1, 3)).extracting(o -> o.getString("input")).containsExactly(first.toString(), second.toString());
        assertThat(lines.subList(1, 3)).allMatch(o -> o.getString("sqlstate").equals("22P02") && !o.getString("run").isBlank()
                && Instant.parse(o.getString("run_started")) != null);
        assertThat(lines.get(1).getString("run")).isNotEqualTo(lines.get(2).getString("run"));
        assertExactly(20, sum(0, 20));
    }

    /** COPY of {@code body} into {@code table (columns)}, with a header; null when COPY takes it, else its SQLSTATE. */
    static String copy(ServiceFixture f, String table, String columns, String body) throws Exception {
        try (Connection c = f.db.connect()) {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " (" + columns
                    + ") FROM STDIN (FORMAT csv, HEADER true)", new ByteArrayInputStream(body.getBytes(UTF_8)));
            return null;
        } catch (PSQLException e) {
            return e.getSQLState();
        }
    }

    /**
     * A hostile CSV file (a byte-order mark, CRLF line ends, quotes opened mid-field, a field longer
     * than a chunk, a blank line, a quote left open at the end) is loaded as COPY reads it: the good
     * records as COPY stores them, each bad one refused with COPY's SQLSTATE and its line.
     */
    @Test
    void aHostileCsvFileIsLoadedAsCopyReadsIt() throws Exception {
        String header = "\uFEFFevent_id,ts,source,kind,user_id\r\n";
        StringBuilder good = new StringBuilder();
        String blank = "\r\n";
        int blankAfter = 150;
        String open = uuid(999_999) + ",2026-01-01T00:00:00Z,\"never closed,k,1\r\n";
        StringBuilder file = new StringBuilder(header);
        long blankLine = 0;
        for (int i = 0; i < 400; i++) {
            String source = switch (i % 4) {
                case 0 -> "12\" pizza, large\"";
                case 1 -> "\"a\r\nb\"\"c\"";
                case 2 -> "\"\"";
                default -> i == 3 ? "x".repeat(70_000) : "s\"\"";
            };
            String row = uuid(i) + ",2026-01-01T00:00:00Z," + source + ",k," + i + "\r\n";
            good.append(row);
            file.append(row);
            if (i == blankAfter) {
                blankLine = file.chars().filter(ch -> ch == '\n').count() + 1;
                file.append(blank);
            }
        }
        long openLine = file.chars().filter(ch -> ch == '\n').count() + 1;
        file.append(open);
        f.db.execute("DROP TABLE IF EXISTS events_copy",
                "CREATE TABLE events_copy AS SELECT event_id, ts, source, kind, user_id FROM events WITH NO DATA");
        String columns = "event_id, ts, source, kind, user_id";
        assertThat(copy(f, "events_copy", columns, header + good)).isNull();
        String blankState = copy(f, "events_copy", columns, header + blank);
        String openState = copy(f, "events_copy", columns, header + open);
        assertThat(blankState).isNotNull();
        assertThat(openState).isNotNull();

        Run run = new Run();
        run.chunkBytes = 8 * 1024;
        run.rejects = dir.resolve("rejects.ndjson");
        assertThat(run.load(write("hostile.csv", file.toString()))).as(run.err()).isEqualTo(Loader.REJECTED);
        String query = " ORDER BY user_id";
        assertThat(f.rows("SELECT event_id, source, kind, user_id FROM events" + query))
                .isEqualTo(f.rows("SELECT event_id, source, kind, user_id FROM events_copy" + query))
                .hasSize(400);
        List<JsonObject> rejected = Files.readAllLines(run.rejects).stream().map(JsonObject::new)
                .sorted(Comparator.comparingLong(o -> o.getLong("line"))).toList();
        assertThat(rejected).extracting(o -> o.getLong("line") + " " + o.getString("sqlstate"))
                .containsExactly(blankLine + " " + blankState, openLine + " " + openState);
    }

    @Test
    void tooManyRejectedRecordsStopTheLoad() throws Exception {
        StringBuilder text = new StringBuilder("event_id,ts,source,kind\n");
        for (int i = 0; i < 500; i++) {
            text.append("bad-").append(i).append(",2026-01-01T00:00:00Z,s,k\n");
        }
        Run run = new Run();
        run.maxErrors = 10;
        assertThat(run.load(write("worse.csv", text.toString()))).isEqualTo(Loader.FAILED);
        assertThat(run.err()).contains("more than --max-errors 10");
    }

    @Test
    void retriesAfter429AndLostAnswersLoseAndDuplicateNothing() throws Exception {
        Path file = write("retry.ndjson", ndjson(0, 10_000));
        try (FaultyProxy proxy = new FaultyProxy(f.uri("/"))) {
            proxy.then(Fault.TOO_MANY_REQUESTS, Fault.DROP_AFTER, Fault.FORWARD, Fault.DROP_BEFORE, Fault.TOO_MANY_REQUESTS,
                    Fault.DROP_AFTER);
            Run run = new Run();
            run.url = proxy.url();
            run.token = "secret-token";
            assertThat(run.load(file)).as(run.err()).isEqualTo(Loader.OK);
            assertThat(proxy.requests.get()).isGreaterThan(proxy.forwarded.get());
            assertThat(proxy.authorization).isEqualTo("Bearer secret-token");
            assertThat(run.err()).contains("HTTP 429").contains("retrying");
        }
        assertExactly(10_000, sum(0, 10_000));
    }

    @Test
    void anInterruptedLoadResumesWithEveryRowOnce() throws Exception {
        Path file = write("resume.csv", csv(0, 30_000));
        try (FaultyProxy proxy = new FaultyProxy(f.uri("/"))) {
            // The service becomes unreachable a few chunks in; answers are lost on the way out, too.
            proxy.then(Fault.FORWARD, Fault.DROP_AFTER, Fault.FORWARD, Fault.FORWARD, Fault.DROP_AFTER).otherwise(Fault.DROP_BEFORE);
            Run first = new Run();
            first.url = proxy.url();
            first.retryFor = Duration.ofSeconds(2);
            assertThat(first.load(file)).isEqualTo(Loader.FAILED);
            assertThat(first.err()).contains("gave up").contains("--resume to continue from line");
            long partial = f.db.queryLong("SELECT count(*) FROM events");
            assertThat(partial).isBetween(1L, 29_999L);

            // The same command again (checkpoints belong to a service URL, a table and a file), with --resume.
            proxy.otherwise(Fault.FORWARD);
            Run second = new Run();
            second.url = proxy.url();
            second.resume = true;
            assertThat(second.load(file)).as(second.err()).isEqualTo(Loader.OK);
            assertThat(second.err()).contains("resuming at line");
            assertExactly(30_000, sum(0, 30_000));

            Run third = new Run();
            third.url = proxy.url();
            assertThat(third.load(file)).isEqualTo(Loader.OK);
            assertThat(third.out()).contains("already loaded");
            assertExactly(30_000, sum(0, 30_000));
        }
    }

    @Test
    void startingOverAfterAnInterruptionAddsNoDuplicates() throws Exception {
        Path file = write("again.ndjson", ndjson(0, 12_000));
        try (FaultyProxy proxy = new FaultyProxy(f.uri("/"))) {
            proxy.then(Fault.FORWARD, Fault.FORWARD, Fault.DROP_AFTER).otherwise(Fault.DROP_BEFORE);
            Run first = new Run();
            first.url = proxy.url();
            first.concurrency = 1;
            first.retryFor = Duration.ofSeconds(1);
            assertThat(first.load(file)).isEqualTo(Loader.FAILED);
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM events")).isBetween(1L, 11_999L);
        Run again = new Run(); // without --resume: every chunk is sent again, under the same keys
        assertThat(again.load(file)).as(again.err()).isEqualTo(Loader.OK);
        assertThat(again.out()).contains("committed by an earlier run");
        assertExactly(12_000, sum(0, 12_000));
    }

    /**
     * Ctrl-C (SIGINT) and SIGTERM both run the JVM's shutdown hooks, where the loader stops. The
     * test sends SIGTERM: a build started as a background job ({@code mvn verify &}) starts every
     * child with SIGINT ignored, and a JVM keeps an ignored SIGINT ignored, so SIGINT would not arrive.
     */
    @Test
    void ctrlCOrTermStopsCleanlyAndSaysHowToResume() throws Exception {
        Path file = write("slow.csv", csv(0, 40_000));
        Path state = dir.resolve("state");
        Path log = dir.resolve("loader.log");
        try (FaultyProxy proxy = new FaultyProxy(f.uri("/"))) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                    "-cp", System.getProperty("java.class.path"), "dev.ingest.api.cli.Main", "load", "--url", proxy.url(),
                    "--table", "events", "--chunk-size", "16KiB", "--concurrency", "1", "--state-dir", state.toString(),
                    file.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                // Interrupt once some chunks are committed (the checkpoint is written at most once a second).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!hasCheckpoint(state) && p.isAlive() && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                assertThat(p.isAlive()).as("the load ended before it could be interrupted: " + Files.readString(log)).isTrue();
                p.destroy(); // SIGTERM
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                p.destroyForcibly();
            }
            assertThat(p.exitValue()).as(Files.readString(log)).isEqualTo(Loader.FAILED);
            assertThat(Files.readString(log)).contains("stopped: interrupted").contains("--resume");

            Run resumed = new Run();
            resumed.url = proxy.url();
            resumed.resume = true;
            resumed.chunkBytes = 1024 * 1024; // ignored: a resumed load keeps the chunk size it started with
            assertThat(resumed.load(file)).as(resumed.err()).isEqualTo(Loader.OK);
            assertThat(resumed.err()).contains("resuming at line");
        }
        assertExactly(40_000, sum(0, 40_000));
    }

    private static boolean hasCheckpoint(Path state) {
        try (var files = Files.list(state)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".json"));
        } catch (IOException e) {
            return false; // not created yet
        }
    }

    @Test
    void aMalformedJsonFileFailsWithItsPosition() throws Exception {
        Run run = new Run();
        assertThat(run.load(write("broken.json", "[\n" + ndjsonLine(1) + ",\n{\"event_id\": }\n]"))).isEqualTo(Loader.FAILED);
        assertThat(run.err()).contains("line 3").contains("malformed JSON");
    }

    @Test
    void refusalsOfTheWholeLoadAreFailures() throws Exception {
        Run run = new Run();
        assertThat(run.load(write("unknown.csv", "event_id,nope\nx,y\n"))).isEqualTo(Loader.FAILED);
        assertThat(run.err()).contains("HTTP 400").contains("unknown_column");
        Run missing = new Run();
        assertThat(missing.load(dir.resolve("missing.csv"))).isEqualTo(Loader.FAILED);
        assertThat(missing.err()).contains("no such file");
    }

    @Test
    void theCommandLineDocumentsItsExitCodesAndRefusesBadFlagsWithStatus1() {
        PrintStream saved = System.out;
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        System.setOut(new PrintStream(help, true, UTF_8));
        try {
            assertThat(Main.execute("load", "--help")).isZero();
        } finally {
            System.setOut(saved);
        }
        assertThat(help.toString(UTF_8)).contains("--resume").contains("--rejects").contains("--max-errors")
                .contains("Exit status: 0").contains("2 finished").contains("1 failure");
        assertThat(Main.execute("load", "--table", "events", "--concurrency", "many", "x.csv")).isEqualTo(Loader.FAILED);
        assertThat(Main.execute("load", "--table", "events", "--chunk-size", "huge", "x.csv")).isEqualTo(Loader.FAILED);
    }
}

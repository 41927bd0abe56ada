package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.testing.TemporaryFiles;
import dev.ingest.engine.testing.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the commands print, as a user's shell sees it: stdout holds only what a script captures
 * (a token, a listing, the banner), logs go to stderr, and no library talks about itself. Runs
 * {@code dev.ingest.api.cli.Main} in a child JVM on the production class path, so that the shipped
 * {@code logback.xml} is the one in use (the tests' {@code logback-test.xml} is left out).
 */
@Timeout(180)
class ConsoleOutputIT {
    private static final Pattern LISTENING = Pattern.compile("ingest is listening on (http://\\S+)");
    private static TestDatabase.Database db;
    private static Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        db = TestDatabase.create();
        db.execute("CREATE TABLE t (v int)");
        dir = Files.createTempDirectory("ingest-console");
    }

    @AfterAll
    static void tearDown() throws IOException {
        TemporaryFiles.delete(dir);
    }

    @Test
    void keysCreatePrintsTheTokenAloneOnStdout() throws Exception {
        Result r = run("keys", "create", "--database-url", db.url(), "--name", "console", "--tables", "t");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out.lines().toList()).as("stdout of keys create; stderr:\n" + r.err).hasSize(1);
        assertThat(r.out.strip()).matches("[A-Za-z0-9_-]{20,}");
        assertNoLibraryNoise(r.err);
        assertThat(r.err).contains("ingest keys: created \"console\"");

        Result list = run("keys", "list", "--database-url", db.url());
        assertThat(list.out.lines().toList()).as(list.err).hasSize(1).allSatisfy(l -> assertThat(l).startsWith("console  tables public.t"));
        assertNoLibraryNoise(list.err);
    }

    @Test
    void anErrorSaysOneThingOnStderrAndNothingOnStdout() throws Exception {
        Result r = run("keys", "create", "--database-url", db.url(), "--name", "x", "--tables", "no_such_table");
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.out).isEmpty();
        assertNoLibraryNoise(r.err);
        assertThat(r.err).contains("no_such_table");
    }

    @Test
    void serveAndItsFirstRequestsLogNoLibraryWarnings() throws Exception {
        Path out = dir.resolve("serve.out");
        Path err = dir.resolve("serve.err");
        Process p = command("serve", "--port", "0", "--database-url", db.url())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            String base = awaitListening(p, out, err);
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/tables/t/records"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("[{\"v\": " + i + "}]")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            for (int i = 0; i < 2; i++) { // a second scrape registers no gauge again
                HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.body()).contains("ingest_queue_requests{table=\"public.t\"}");
            }
        } finally {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);
        assertNoLibraryNoise(stdout);
        assertNoLibraryNoise(stderr);
        assertThat(stdout).as("stdout holds the banner, not log lines").doesNotContainPattern("(?m)^\\d{4}-\\d\\d-\\d\\dT.* (INFO|WARN|ERROR) ");
        assertThat(stderr).doesNotContain(" ERROR ").doesNotContain("i.m.c.i.MeterRegistry");
        assertThat(db.queryLong("SELECT count(*) FROM t")).isEqualTo(3);
    }

    /** Logback's own status lines, Micrometer's duplicate-meter warning, and stack traces. */
    private static void assertNoLibraryNoise(String text) {
        assertThat(text).doesNotContain("ch.qos.logback").doesNotContain("|-INFO").doesNotContain("|-WARN")
                .doesNotContain("already registered").doesNotContain("\tat ");
    }

    private static String awaitListening(Process p, Path out, Path err) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(out));
            if (m.find()) {
                return m.group(1);
            }
            assertThat(p.isAlive()).as("serve exited: " + Files.readString(out) + Files.readString(err)).isTrue();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        throw new AssertionError("serve did not report its address: " + Files.readString(out) + Files.readString(err));
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result run(String... args) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = command(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8));
    }

    /** {@code java dev.ingest.api.cli.Main ARGS} on the class path less the tests' classes and test jars. */
    private static ProcessBuilder command(String... args) {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.endsWith("test-classes") && !e.endsWith("-tests.jar"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", classPath, "dev.ingest.api.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()); // its .ingest/ lands in dir
        pb.environment().keySet().removeIf(k -> k.startsWith("INGEST_"));
        return pb;
    }
}

package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code scripts/ingest serve} starts the JVM with a heap sized from the configured memory budget
 * and exits on OutOfMemoryError; {@code INGEST_JAVA_OPTS} overrides the heap. Runs the real script
 * on the jar the build packaged, and reads what the started JVM reports about itself.
 */
@Timeout(180)
class LauncherIT {
    private static final Pattern REPORT = Pattern.compile("jvm: max_heap_mib=(\\d+) needed_mib=(\\d+) exit_on_out_of_memory=(\\w+)");

    @Test
    void serveGetsAHeapSizedFromTheBudgetAndExitsOnOutOfMemory() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        Path config = Files.createTempFile("ingest-launcher", ".yaml");
        Files.writeString(config, "engine:\n  memory_budget_mb: 64\n");

        Matcher sized = report(db, config, null);
        assertThat(Long.parseLong(sized.group(2))).as("needed: 2 x 64 MiB + 256 MiB").isEqualTo(384);
        // maxMemory() is -Xmx less one survivor space.
        assertThat(Long.parseLong(sized.group(1))).as("max heap").isBetween(340L, 384L);
        assertThat(sized.group(3)).as("exit on OutOfMemoryError").isEqualTo("true");

        Matcher overridden = report(db, config, "-Xmx700m");
        assertThat(Long.parseLong(overridden.group(1))).as("INGEST_JAVA_OPTS' -Xmx wins").isBetween(620L, 700L);
        assertThat(overridden.group(3)).isEqualTo("true");
    }

    /**
     * Every other command runs from the script too: {@code load} with its lighter JVM options
     * (once passed to the JVM as one malformed option, so that {@code scripts/ingest load} never
     * started), and with {@code INGEST_JAVA_OPTS} instead of them.
     */
    @Test
    void everyCommandStartsFromTheScript() throws Exception {
        for (String command : List.of("load", "keys", "imports", "sample")) {
            assertThat(runScript(null, command, "--help")).as(command).startsWith("Usage: ingest " + command);
        }
        assertThat(runScript("-Xmx300m -XX:+UseSerialGC", "load", "--help")).startsWith("Usage: ingest load");
    }

    /** Runs {@code scripts/ingest ARGS}; its standard output, after asserting it exited 0. */
    private static String runScript(String javaOpts, String... args) throws Exception {
        Path script = Path.of("..", "scripts", "ingest").toAbsolutePath().normalize();
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        Path err = Files.createTempFile("ingest-launcher", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
        pb.environment().remove("INGEST_JAVA_OPTS");
        if (javaOpts != null) {
            pb.environment().put("INGEST_JAVA_OPTS", javaOpts);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String errors = Files.readString(err);
        Files.delete(err);
        assertThat(p.exitValue()).as(String.join(" ", args) + ": " + errors).isZero();
        return out;
    }

    /** Starts {@code scripts/ingest serve}, waits for its JVM report, then stops it. */
    private static Matcher report(TestDatabase.Database db, Path config, String javaOpts) throws Exception {
        Path script = Path.of("..", "scripts", "ingest").toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "serve", "--port", "0", "--database-url", db.url(),
                "--config", config.toString()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("INGEST_JAVA_OPTS");
        env.remove("INGEST_CONFIG");
        if (javaOpts != null) {
            env.put("INGEST_JAVA_OPTS", javaOpts);
        }
        Process p = pb.start();
        try {
            List<String> seen = new CopyOnWriteArrayList<>();
            CompletableFuture<Matcher> found = CompletableFuture.supplyAsync(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        seen.add(line);
                        Matcher m = REPORT.matcher(line);
                        if (m.find()) {
                            return m;
                        }
                    }
                    return null;
                } catch (IOException e) {
                    return null;
                }
            });
            Matcher m = found.get(90, TimeUnit.SECONDS);
            assertThat(m).as("the JVM report in the output of scripts/ingest serve: " + seen).isNotNull();
            return m;
        } finally {
            p.destroy(); // SIGTERM to the JVM (the script execs it)
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}

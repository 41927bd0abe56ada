package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ingest sample}: the README's load example has a file to load, and every sample row loads into the example table. */
@Timeout(120)
class SampleIT {
    private static ServiceFixture f;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        f = ServiceFixture.start(ServiceFixture.eventsTable());
        dir = ServiceFixture.tempDir("ingest-sample");
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void theReadmeExampleLoadsASampleFileCompletely() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(readme).contains("scripts/ingest sample --rows 1000000 --output events.csv.gz\n"
                + "scripts/ingest load --url http://127.0.0.1:8080 --table events --rejects rejects.ndjson events.csv.gz");
        // The same two commands, with a smaller file in a directory of the test's own and the service's port.
        Path file = dir.resolve("events.csv.gz");
        assertThat(Main.execute("sample", "--rows", "20000", "--output", file.toString())).isZero();
        try (var in = new GZIPInputStream(Files.newInputStream(file))) {
            assertThat(new String(in.readNBytes(100), UTF_8)).startsWith("event_id,ts,source,kind,user_id,value,payload\n");
        }
        assertThat(Main.execute("load", "--url", f.uri("").toString(), "--table", "events", "--rejects",
                dir.resolve("rejects.ndjson").toString(), "--state-dir", dir.resolve("state").toString(), file.toString())).isZero();
        assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(20_000);
        assertThat(f.db.queryLong("SELECT count(*) FROM events WHERE payload ? 'page'")).isEqualTo(20_000);
        assertThat(Files.size(dir.resolve("rejects.ndjson"))).isZero();
    }

    @Test
    void ndjsonGoesToStandardOutputAndLoadsToo() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, UTF_8));
        try {
            assertThat(Main.execute("sample", "--rows", "500", "--format", "ndjson")).isZero();
        } finally {
            System.setOut(saved);
        }
        String text = out.toString(UTF_8);
        assertThat(text.lines()).hasSize(500).allMatch(l -> l.startsWith("{\"event_id\":"));
        var r = f.post("/v1/tables/events/records", "application/x-ndjson", text.getBytes(UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(ServiceFixture.json(r).getLong("accepted")).isEqualTo(500);
    }

    @Test
    void theHelpNamesTheOptionsAndBadOnesExit1() {
        PrintStream saved = System.out;
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        System.setOut(new PrintStream(help, true, UTF_8));
        try {
            assertThat(Main.execute("sample", "--help")).isZero();
            assertThat(Main.execute("--help")).isZero();
        } finally {
            System.setOut(saved);
        }
        assertThat(help.toString(UTF_8)).contains("--rows").contains("--format").contains("--gzip").contains("--output")
                .contains("sample");
        assertThat(Main.execute("sample", "--format", "xml")).isEqualTo(1);
        assertThat(Main.execute("sample", "--rows", "many")).isEqualTo(1);
    }
}

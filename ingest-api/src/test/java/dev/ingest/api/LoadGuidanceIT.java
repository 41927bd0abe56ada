package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.ClientConfig;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.load.Loader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@code ingest load} tells its user when the whole load is refused: the advice must be what
 * can help (the token, the table, the column, the host, the path), never "--resume", which cannot.
 */
@Timeout(120)
class LoadGuidanceIT {
    private static ServiceFixture f;
    private static String writer;
    private static String other;
    private static String admin;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        f = ServiceFixture.start(ServiceFixture.eventsTable(), "CREATE TABLE u (v int)");
        writer = AuthIT.ingest("keys", "create", "--name", "writer", "--tables", "events,u", "--database-url", f.db.url());
        other = AuthIT.ingest("keys", "create", "--name", "other", "--tables", "u", "--database-url", f.db.url());
        admin = AuthIT.ingest("keys", "create", "--name", "admin", "--tables", "*", "--database-url", f.db.url());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (f.post("/v1/tables/u/records", "application/json", "{\"v\": 1}".getBytes(UTF_8)).statusCode() != 401) {
            assertThat(System.nanoTime()).as("waiting until the keys turn authentication on").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        dir = ServiceFixture.tempDir("ingest-load-guidance");
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    /** Loads {@code file} into {@code table}; returns the exit code and standard error. */
    private static String[] load(String url, String table, String token, Path file) {
        return load(url, table, token, file, Loader.TableCreation.NONE);
    }

    private static String[] load(String url, String table, String token, Path file, Loader.TableCreation creation) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ClientConfig client = ConfigResolver.client(url, token, Map.of());
        Loader.Options options = new Loader.Options(client, table, null, 2, 64 * 1024, false, null, -1,
                dir.resolve("state"),
                null, "", Duration.ofSeconds(2), false, creation, 100);
        int code = new Loader(options, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                InputStream.nullInputStream(), new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8), System::nanoTime)
                .run(List.of(file.toString()));
        return new String[] {Integer.toString(code), err.toString(UTF_8)};
    }

    private static Path file(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static final String ROW = "event_id,ts,source,kind\n" + "12345678-9abc-4def-8000-000000000001,2026-01-01T00:00:00Z,s,k\n";

    @Test
    void aMissingOrWrongTokenSaysHowToGiveOne() throws Exception {
        Path p = file("token.csv", ROW);
        for (String token : new String[] {null, "ingest_wrong"}) {
            String[] r = load(f.uri("").toString(), "events", token, p);
            assertThat(r[0]).isEqualTo("1");
            assertThat(r[1]).contains("HTTP 401").contains("--token").contains("INGEST_TOKEN").doesNotContain("--resume");
        }
    }

    @Test
    void aKeyNotGrantedTheTableSaysSo() throws Exception {
        String[] r = load(f.uri("").toString(), "events", other, file("grant.csv", ROW));
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).contains("HTTP 403").contains("not granted").contains("ingest keys create").doesNotContain("--resume");
    }

    @Test
    void anUnknownTableNamesTheTablesThereAre() throws Exception {
        String[] r = load(f.uri("").toString(), "evnets", writer, file("table.csv", ROW));
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).contains("HTTP 404").contains("public.events").contains("public.u").doesNotContain("--resume");
    }

    @Test
    void anUnknownColumnNamesItAndTheTablesColumns() throws Exception {
        String[] r = load(f.uri("").toString(), "events", writer, file("column.csv", "event_id,nope\nx,y\n"));
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).contains("HTTP 400").contains("\"nope\"").contains("event_id, ts, source, kind").doesNotContain("--resume");
    }

    @Test
    void anUnresolvableHostIsNamedWithTheCause() throws Exception {
        String[] r = load("http://no-such-host.invalid:8080", "events", writer, file("host.csv", ROW));
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).contains("no-such-host.invalid").contains("cannot resolve").doesNotContain("ConnectException")
                .doesNotContain("--resume");
    }

    @Test
    void aDirectoryIsNotCalledMissing() throws Exception {
        String[] r = load(f.uri("").toString(), "events", writer, dir);
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).contains("is a directory").doesNotContain("no such file");
    }

    @Test
    void creatingATableNeedsAKeyGrantedEveryTable() throws Exception {
        Path p = file("fresh.csv", "n,label\n1,a\n2,b\n");
        String[] refused = load(f.uri("").toString(), "fresh", writer, p, Loader.TableCreation.CREATE);
        assertThat(refused[0]).isEqualTo("1");
        assertThat(refused[1]).contains("HTTP 403").contains("(*)");
        assertThat(f.db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'fresh'")).isZero();
        String[] created = load(f.uri("").toString(), "fresh", admin, p, Loader.TableCreation.CREATE);
        assertThat(created[0]).as(created[1]).isEqualTo("0");
        assertThat(f.db.queryLong("SELECT sum(n) FROM fresh")).isEqualTo(3);
    }
}

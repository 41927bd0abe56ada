package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingest.api.cli.Main;
import dev.ingest.api.config.ClientConfig;
import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.config.ImportJob;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.load.Loader;
import dev.ingest.api.load.Source;
import dev.ingest.api.server.IngestService;
import dev.ingest.engine.testing.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tenants cannot touch each other's data: idempotency keys are scoped to the caller and bound to
 * the request they first came with, authentication never switches itself off, grants name tables
 * unambiguously, and a key sees only what it is granted. Each case is checked against the tables'
 * contents, over two keys, no key and revoked keys.
 */
@Timeout(180)
class TenancyIT {
    private static final String RECORDS = "/v1/tables/%s/records";

    private static String ingest(String... args) {
        return AuthIT.ingest(args);
    }

    private static HttpResponse<String> post(ServiceFixture f, String table, String type, String body, String token, String key,
            String... more) throws Exception {
        List<String> headers = new ArrayList<>();
        if (token != null) {
            headers.addAll(List.of("Authorization", "Bearer " + token));
        }
        if (key != null) {
            headers.addAll(List.of("Idempotency-Key", key));
        }
        headers.addAll(List.of(more));
        String[] path = table.split("\\?", 2); // "t?on_conflict=ignore": the table, then the query
        return f.post(String.format(RECORDS, path[0]) + (path.length > 1 ? "?" + path[1] : ""), type, body.getBytes(UTF_8),
                headers.toArray(String[]::new));
    }

    private static HttpResponse<String> get(ServiceFixture f, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(f.uri(path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String values(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "{\"v\": " + i + "}").collect(Collectors.joining(",", "[", "]"));
    }

    private static String lines(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "{\"v\": " + i + "}\n").collect(Collectors.joining());
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting until " + what).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static int status(ServiceFixture f, String table, String token) {
        try {
            return post(f, table, "application/json", "{\"v\": -1}", token, null).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keys "a" and "b", both granted table t, in force. */
    private static String[] twoKeys(ServiceFixture f) {
        String db = f.db.url();
        String a = ingest("keys", "create", "--name", "a", "--tables", "t", "--database-url", db);
        String b = ingest("keys", "create", "--name", "b", "--tables", "t", "--database-url", db);
        await("keys are in force", () -> status(f, "nowhere", null) == 401);
        return new String[] {a, b};
    }

    @Test
    void anIdempotencyKeyBelongsToItsCaller() throws Exception {
        try (ServiceFixture f = ServiceFixture.start("CREATE TABLE t (v int)")) {
            String[] keys = twoKeys(f);
            String a = keys[0];
            String b = keys[1];

            for (String type : List.of("application/json", "application/x-ndjson")) {
                String key = "shared-" + type;
                boolean json = type.equals("application/json");
                HttpResponse<String> first = post(f, "t", type, json ? values(0, 1) : lines(0, 1), b, key);
                assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
                // The same key from another caller is that caller's own: its 100 records are written.
                HttpResponse<String> other = post(f, "t", type, json ? values(1000, 1100) : lines(1000, 1100), a, key);
                assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
                assertThat(other.headers().firstValue("Idempotent-Replayed")).isEmpty();
                assertThat(ServiceFixture.json(other).getLong("accepted")).isEqualTo(100);
                // Each caller's repeat gets its own answer back and writes nothing.
                HttpResponse<String> again = post(f, "t", type, json ? values(1000, 1100) : lines(1000, 1100), a, key);
                assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
                assertThat(ServiceFixture.json(again).getLong("accepted")).isEqualTo(100);
                HttpResponse<String> replayB = post(f, "t", type, json ? values(0, 1) : lines(0, 1), b, key);
                assertThat(replayB.headers().firstValue("Idempotent-Replayed")).hasValue("true");
                assertThat(ServiceFixture.json(replayB).getLong("accepted")).isEqualTo(1);
            }
            assertThat(f.db.queryLong("SELECT count(*) FROM t WHERE v = 0")).isEqualTo(2);
            assertThat(f.db.queryLong("SELECT count(*) FROM t WHERE v BETWEEN 1000 AND 1099")).isEqualTo(200);
            assertThat(f.db.queryLong("SELECT count(DISTINCT v) FROM t WHERE v BETWEEN 1000 AND 1099")).isEqualTo(100);
            assertThat(f.db.queryLong("SELECT count(*) FROM t")).isEqualTo(202);
        }
    }

    /** One run of {@code ingest load} of {@code file} into {@code t} with {@code token}: its exit code, and its stderr in {@code err}. */
    private static int load(ServiceFixture f, Path file, String token, ByteArrayOutputStream err) {
        ClientConfig client = ConfigResolver.client(f.uri("").toString(), token, Map.of());
        Loader.Options options = new Loader.Options(client, "t", null, 2, 64 * 1024, false, null, -1,
                file.resolveSibling("state"), null, "", Duration.ofSeconds(30), false, Loader.TableCreation.NONE, 0);
        Loader loader = new Loader(options, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                InputStream.nullInputStream(), new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(err, true, UTF_8), System::nanoTime);
        return loader.run(List.of(file.toString()));
    }

    @Test
    void aLoadCannotBeForestalledThroughItsChunkKeys() throws Exception {
        try (ServiceFixture f = ServiceFixture.start("CREATE TABLE t (v int)")) {
            String[] keys = twoKeys(f);
            String a = keys[0];
            String b = keys[1];
            Path dir = Files.createTempDirectory("ingest-tenancy");
            Path file = Files.writeString(dir.resolve("a.ndjson"), lines(0, 1000));
            // The loader's first chunk key, as anyone who knows the file's path, size and mtime can work it out.
            String chunkKey = "ingest-load-" + Source.of(file.toString(), null).digest() + "-0";

            // Another tenant posts first under that key: it is its own key, the load is not affected.
            assertThat(post(f, "t", "application/x-ndjson", lines(-1, 0), b, chunkKey).statusCode()).isEqualTo(200);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertThat(load(f, file, a, err)).as(err.toString(UTF_8)).isEqualTo(Loader.OK);
            assertThat(f.db.queryLong("SELECT count(*) FROM t WHERE v >= 0")).isEqualTo(1000);
            assertThat(f.db.queryLong("SELECT count(DISTINCT v) FROM t WHERE v >= 0")).isEqualTo(1000);

            // Under the same key (a client of the same tenant reusing it): the load fails loudly, it never counts the chunk as loaded.
            Path second = Files.writeString(dir.resolve("b.ndjson"), lines(5000, 6000));
            String secondKey = "ingest-load-" + Source.of(second.toString(), null).digest() + "-0";
            assertThat(post(f, "t", "application/x-ndjson", lines(-2, -1), a, secondKey).statusCode()).isEqualTo(200);
            ByteArrayOutputStream err2 = new ByteArrayOutputStream();
            assertThat(load(f, second, a, err2)).as(err2.toString(UTF_8)).isEqualTo(Loader.FAILED);
            assertThat(err2.toString(UTF_8)).contains("idempotency_key_reused");
            assertThat(f.db.queryLong("SELECT count(*) FROM t")).isEqualTo(1002);
            try (Stream<Path> written = Files.walk(dir)) {
                for (Path p : written.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void aKeyReusedForADifferentRequestIsRefused() throws Exception {
        try (ServiceFixture f = ServiceFixture.start("CREATE TABLE t (v int PRIMARY KEY)")) {
            // JSON: the body as received is part of the fingerprint.
            assertThat(post(f, "t", "application/json", values(0, 2), null, "j").statusCode()).isEqualTo(200);
            HttpResponse<String> reused = post(f, "t", "application/json", values(10, 11), null, "j");
            assertThat(reused.statusCode()).as(reused.body()).isEqualTo(422);
            assertThat(ServiceFixture.json(reused).getString("error")).isEqualTo("idempotency_key_reused");
            // So are the table, the options and the format.
            assertThat(ServiceFixture.json(post(f, "t?on_conflict=ignore", "application/json", values(0, 2), null, "j"))
                    .getString("error")).isEqualTo("idempotency_key_reused");
            assertThat(ServiceFixture.json(post(f, "t", "application/x-ndjson", lines(0, 2), null, "j"))
                    .getString("error")).isEqualTo("idempotency_key_reused");
            HttpResponse<String> same = post(f, "t", "application/json", values(0, 2), null, "j");
            assertThat(same.statusCode()).isEqualTo(200);
            assertThat(same.headers().firstValue("Idempotent-Replayed")).hasValue("true");

            // NDJSON, more than one segment: every committed part must come back byte for byte.
            String body = lines(100, 5100);
            HttpResponse<String> streamed = post(f, "t", "application/x-ndjson", body, null, "s");
            assertThat(ServiceFixture.json(streamed).getLong("accepted")).as(streamed.body()).isEqualTo(5000);
            String changedLate = lines(100, 4900) + lines(9000, 9200);
            HttpResponse<String> late = post(f, "t", "application/x-ndjson", changedLate, null, "s");
            assertThat(late.statusCode()).as(late.body()).isEqualTo(422);
            assertThat(ServiceFixture.json(late).getString("error")).isEqualTo("idempotency_key_reused");
            HttpResponse<String> shorter = post(f, "t", "application/x-ndjson", lines(100, 3000), null, "s");
            assertThat(ServiceFixture.json(shorter).getString("error")).as(shorter.body()).isEqualTo("idempotency_key_reused");
            HttpResponse<String> replay = post(f, "t", "application/x-ndjson", body, null, "s");
            assertThat(replay.statusCode()).isEqualTo(200);
            assertThat(ServiceFixture.json(replay).getLong("accepted")).isEqualTo(5000);

            assertThat(f.db.queryLong("SELECT count(*) FROM t")).isEqualTo(5002);
            assertThat(f.db.queryLong("SELECT count(*) FROM t WHERE v >= 9000 OR v = 10")).isZero();
        }
    }

    @Test
    void revokingEveryKeyLeavesAuthenticationOn() throws Exception {
        try (ServiceFixture f = ServiceFixture.start("CREATE TABLE t (v int)")) {
            String db = f.db.url();
            String only = ingest("keys", "create", "--name", "only", "--tables", "*", "--database-url", db);
            // Probed where nothing is written: a table that does not exist is 404 without authentication, 401 with it.
            await("the key is in force", () -> status(f, "nowhere", null) == 401);
            assertThat(status(f, "t", only)).isEqualTo(200);
            ingest("keys", "revoke", "only", "--database-url", db);
            await("the revoked key stops working", () -> status(f, "nowhere", only) == 401);

            assertThat(status(f, "t", null)).isEqualTo(401);
            assertThat(get(f, "/metrics", null).statusCode()).isEqualTo(401);
            assertThat(get(f, "/v1/tables", only).statusCode()).isEqualTo(401);
            assertThat(f.db.queryLong("SELECT count(*) FROM t")).isEqualTo(1);
        }
    }

    @Test
    void authenticationOffIsAnExplicitChoiceForLoopbackOnly() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute("CREATE TABLE t (v int)");
        ingest("keys", "create", "--name", "k", "--tables", "t", "--database-url", db.url());
        ServiceConfig off = ConfigResolver.resolve(new ConfigResolver.Flags("127.0.0.1", 0, db.url(), null),
                Map.of("INGEST_AUTH", "off"), ConfigFile.EMPTY);
        try (ServiceFixture f = ServiceFixture.attach(db, IngestService.start(off))) {
            assertThat(status(f, "t", null)).isEqualTo(200);
        }
        ServiceConfig exposed = ConfigResolver.resolve(new ConfigResolver.Flags("0.0.0.0", 0, db.url(), null),
                Map.of("INGEST_AUTH", "off"), ConfigFile.EMPTY);
        assertThatThrownBy(() -> IngestService.start(exposed))
                .hasMessageContaining("auth: off").hasMessageContaining("loopback");
        assertThat(db.queryLong("SELECT count(*) FROM t")).isEqualTo(1);
    }

    @Test
    void grantsNameTablesUnambiguously() throws Exception {
        try (ServiceFixture f = ServiceFixture.start("CREATE TABLE events (v int)", "CREATE TABLE \"public.events\" (v int)")) {
            String db = f.db.url();
            String token = ingest("keys", "create", "--name", "k", "--tables", "public.events", "--database-url", db);
            await("the key is in force", () -> status(f, "nowhere", null) == 401);
            assertThat(status(f, "events", token)).isEqualTo(200);
            assertThat(status(f, "public.public.events", token)).isEqualTo(403);
            assertThat(f.db.queryLong("SELECT count(*) FROM \"public.events\"")).isZero();
            assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(1);

            // A grant must name a table that exists, unless the operator says it will.
            assertThat(Main.execute("keys", "create", "--name", "typo", "--tables", "evnets", "--database-url", db)).isEqualTo(1);
            assertThat(ingest("keys", "list", "--database-url", db)).doesNotContain("typo");
            assertThat(ingest("keys", "create", "--name", "later", "--tables", "later_table", "--allow-missing", "--database-url", db))
                    .startsWith("ingest_");
            // The quoted form names the table whose name has a dot.
            String dotted = ingest("keys", "create", "--name", "dotted", "--tables", "public.\"public.events\"", "--database-url", db);
            await("the new key is in force", () -> status(f, "public.public.events", dotted) == 200);
            assertThat(status(f, "events", dotted)).isEqualTo(403);
            assertThat(ingest("keys", "list", "--database-url", db)).contains("dotted  tables public.\"public.events\"");
        }
    }

    @Test
    void aKeySeesOnlyTheTablesAndJobsItIsGranted() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute("CREATE TABLE t (v int)", "CREATE TABLE u (v int)");
        String narrow = ingest("keys", "create", "--name", "narrow", "--tables", "t", "--database-url", db.url());
        String all = ingest("keys", "create", "--name", "all", "--tables", "*", "--database-url", db.url());
        ConfigFile.Import job = new ConfigFile.Import("u-feed", "0 3 * * *", "UTC", "http://feeder:s3cret-pw@127.0.0.1:9/u.csv", "u",
                null, null, null, null);
        ServiceConfig config = ConfigResolver.resolve(new ConfigResolver.Flags("127.0.0.1", 0, db.url(), null),
                Map.of(), ConfigFile.EMPTY).withImports(ImportJob.fromConfig(List.of(job)));
        try (ServiceFixture f = ServiceFixture.attach(db, IngestService.start(config))) {
            JsonArray tables = new JsonObject(get(f, "/v1/tables", narrow).body()).getJsonArray("tables");
            assertThat(tables.stream().map(t -> ((JsonObject) t).getString("name")).toList()).containsExactly("t");
            assertThat(new JsonObject(get(f, "/v1/tables", all).body()).getJsonArray("tables")).hasSize(2);

            assertThat(new JsonObject(get(f, "/v1/imports", narrow).body()).getJsonArray("imports")).isEmpty();
            assertThat(f.post("/v1/imports/u-feed/run", "application/json", new byte[0], "Authorization", "Bearer " + narrow)
                    .statusCode()).isIn(403, 404);
            String listed = get(f, "/v1/imports", all).body();
            assertThat(new JsonObject(listed).getJsonArray("imports")).hasSize(1);
            assertThat(listed).contains("127.0.0.1:9/u.csv").doesNotContain("s3cret-pw");

            JsonArray stats = new JsonObject(get(f, "/v1/stats", narrow).body()).getJsonArray("tables");
            assertThat(stats.stream().map(t -> ((JsonObject) t).getString("table")).toList()).doesNotContain("public.u", "u");
            assertThat(get(f, "/metrics", narrow).statusCode()).isEqualTo(403);
            assertThat(get(f, "/metrics", all).statusCode()).isEqualTo(200);
        }
    }
}

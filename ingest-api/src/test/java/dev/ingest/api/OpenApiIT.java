package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.config.ImportJob;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.server.IngestService;
import dev.ingest.engine.testing.StoppableServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The OpenAPI document served at {@code /openapi.json} against the real service: every answer it
 * documents (path, method, status) is provoked and its body checked against the documented schema
 * (required properties, types, error codes) and headers (Retry-After, WWW-Authenticate); every
 * route the server registers is documented; methods and paths it does not document are 405 (with
 * {@code Allow} naming the documented methods) and 404.
 *
 * <p>To add an endpoint: document it in {@code openapi.json}, then add a provocation per status it
 * answers to {@link #provocations()} (or reason in {@link #CANNOT_PROVOKE}). The statuses every
 * operation shares (400 for an unreadable request line, 401, 429 by rate limit, 431, 505) are
 * provoked for each operation by {@link #GENERIC}; a specific provocation takes precedence.
 *
 * <p>Runs its own PostgreSQL, since it stops it for the 503 answers, and two services on it: the
 * one under test (a 1 MiB memory budget so that 429/503 are cheap to provoke) and one with a rate
 * limit of one request per second per key, for 429 {@code rate_limited}. Ends with the table
 * holding exactly the records answered as committed or queued.
 */
@Timeout(600)
class OpenApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
    private static final long MAX_BODY = 4 * 1024 * 1024;
    /** Larger than the memory budget, smaller than the body limit: refused by the budget. */
    private static final int OVER_BUDGET = 2 * 1024 * 1024;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** Documented answers no test can bring about, with the reason. Keys as in {@link #provocations()}; "*" for any operation. */
    static final Map<String, String> CANNOT_PROVOKE = Map.of(
            "* 500", "a defect of the service: no request is meant to cause it (tests that found one were fixed)");

    /** The database's state a provocation needs; the up ones run first. */
    enum Phase { DATABASE_UP, DATABASE_DOWN }

    @FunctionalInterface
    interface Provocation {
        Answer provoke(Run run) throws Exception;
    }

    record Step(Phase phase, Provocation provocation) {
    }

    /** A provocation of one status for any operation, given its method and path (parameters filled in). */
    @FunctionalInterface
    interface Generic {
        Answer provoke(Run run, String method, String path) throws Exception;
    }

    /** An answer as the test saw it: header names in lower case. */
    record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String mediaType() {
            String type = header("content-type");
            return type == null ? null : type.split(";")[0].trim();
        }
    }

    private static JsonNode document;
    private static StoppableServer pg;
    private static Run run;

    @BeforeAll
    static void start() throws Exception {
        try (InputStream in = OpenApiIT.class.getClassLoader().getResourceAsStream("openapi.json")) {
            document = JSON.readTree(in);
        }
        pg = StoppableServer.start();
        pg.execute("CREATE TABLE t (id int PRIMARY KEY, v int)");
        pg.execute("CREATE TABLE u (v int)");
        run = new Run(pg);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (run != null) {
                run.close();
            }
        } finally {
            pg.close();
        }
    }

    /** Every documented answer, as "METHOD /path STATUS", in the document's order. */
    static Set<String> documentedAnswers() {
        Set<String> out = new LinkedHashSet<>();
        document.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (METHODS.contains(op.getKey().toUpperCase(Locale.ROOT))) {
                op.getValue().get("responses").fieldNames().forEachRemaining(status ->
                        out.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey() + " " + status));
            }
        }));
        return out;
    }

    private static String status(String answer) {
        return answer.substring(answer.lastIndexOf(' ') + 1);
    }

    private static String operation(String answer) {
        return answer.substring(0, answer.lastIndexOf(' '));
    }

    @Test
    void everyDocumentedAnswerHasAProvocationAndEveryProvocationIsDocumented() {
        Map<String, Step> specific = provocations();
        Set<String> unprovoked = new TreeSet<>();
        for (String answer : documentedAnswers()) {
            String generic = "* " + status(answer);
            if (!specific.containsKey(answer) && !GENERIC.containsKey(generic) && !CANNOT_PROVOKE.containsKey(answer)
                    && !CANNOT_PROVOKE.containsKey(generic)) {
                unprovoked.add(answer);
            }
        }
        assertThat(unprovoked).as("documented answers without a provocation (add one to provocations())").isEmpty();
        assertThat(new TreeSet<>(specific.keySet())).as("provocations of undocumented answers").isSubsetOf(documentedAnswers());
    }

    @Test
    void everyRouteTheServerRegistersIsDocumented() throws IOException {
        Path sources = Path.of("src/main/java/dev/ingest/api/server");
        assertThat(sources).as("the HTTP sources, read from the module directory").isDirectory();
        // router.get("/v1/tables"), router.post("/v1/imports/:name/run"), router.route(HttpMethod.HEAD, "/health/live")...
        Pattern route = Pattern.compile("\\brouter\\.(get|post|put|patch|delete|head|options)\\(\\s*\"([^\"]+)\"|"
                + "\\brouter\\.route\\(\\s*HttpMethod\\.([A-Z]+)\\s*,\\s*\"([^\"]+)\"|"
                // router.route("/health/live").method(HttpMethod.GET).method(HttpMethod.HEAD)
                + "\\brouter\\.route\\(\\s*\"([^\"]+)\"\\s*\\)((?:\\s*\\.method\\(\\s*HttpMethod\\.[A-Z]+\\s*\\))+)");
        Pattern chainedMethod = Pattern.compile("HttpMethod\\.([A-Z]+)");
        Set<String> registered = new TreeSet<>();
        try (Stream<Path> files = Files.list(sources)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = route.matcher(Files.readString(file));
                while (m.find()) {
                    List<String> methods = new ArrayList<>();
                    if (m.group(5) != null) {
                        Matcher chained = chainedMethod.matcher(m.group(6));
                        while (chained.find()) {
                            methods.add(chained.group(1));
                        }
                    } else {
                        methods.add(m.group(1) != null ? m.group(1) : m.group(3));
                    }
                    String path = (m.group(2) != null ? m.group(2) : m.group(4) != null ? m.group(4) : m.group(5))
                            .replaceAll(":([A-Za-z_]+)", "{$1}").replaceAll("/\\*$", "/{path}");
                    methods.forEach(method -> registered.add(method.toUpperCase(Locale.ROOT) + " " + path));
                }
            }
        }
        assertThat(registered).as("routes found in the sources").contains("GET /health/live", "HEAD /health/live",
                "POST /v1/tables/{table}/records");
        Set<String> documented = new TreeSet<>();
        documentedAnswers().forEach(a -> documented.add(operation(a)));
        assertThat(documented).as("every registered route is in openapi.json").containsAll(registered);
    }

    @Test
    void methodsAndPathsNotDocumentedAre405And404() throws Exception {
        SoftAssertions soft = new SoftAssertions();
        Set<String> documented = new TreeSet<>();
        documentedAnswers().forEach(a -> documented.add(operation(a)));
        document.get("paths").fieldNames().forEachRemaining(path -> {
            Set<String> served = new TreeSet<>();
            METHODS.stream().filter(method -> documented.contains(method + " " + path)).forEach(served::add);
            for (String method : METHODS) {
                if (documented.contains(method + " " + path)) {
                    continue;
                }
                Answer a = unchecked(() -> run.send(run.service, method, run.fill(path), run.admin, null, null));
                soft.assertThat(a.status()).as(method + " " + path + ": " + a.body()).isEqualTo(405);
                String allow = a.header("Allow");
                soft.assertThat(allow).as(method + " " + path + ": Allow").isNotNull();
                if (allow != null) {
                    soft.assertThat(new TreeSet<>(List.of(allow.split("\\s*,\\s*")))).as(method + " " + path + ": Allow " + allow)
                            .isEqualTo(served);
                }
                if (!method.equals("HEAD")) {
                    soft.assertThat(a.body()).as(method + " " + path).contains("\"error\":\"method_not_allowed\"");
                }
            }
        });
        for (String path : List.of("/v1", "/v1/tables/t", "/v1/tables/t/records/1", "/v2/tables", "/health", "/openapi.yaml",
                "/status")) {
            if (document.get("paths").has(path)) {
                continue; // documented since this list was written
            }
            Answer a = run.send(run.service, "GET", path, run.admin, null, null);
            soft.assertThat(a.status()).as("GET " + path).isEqualTo(404);
            soft.assertThat(a.body()).as("GET " + path).contains("\"error\":\"not_found\"");
        }
        soft.assertAll();
    }

    @Test
    void everyDocumentedAnswerIsReachableWithItsDocumentedBody() throws Exception {
        Answer served = run.send(run.service, "GET", "/openapi.json", null, null, null);
        assertThat(served.status()).isEqualTo(200);
        assertThat(JSON.readTree(served.body())).as("the served document is the resource").isEqualTo(document);

        Map<String, Step> specific = provocations();
        SoftAssertions soft = new SoftAssertions();
        List<String> provoked = new ArrayList<>();
        try {
            for (Phase phase : Phase.values()) {
                if (phase == Phase.DATABASE_DOWN) {
                    run.databaseDown();
                }
                for (String answer : documentedAnswers()) {
                    Step step = specific.get(answer);
                    Generic generic = GENERIC.get("* " + status(answer));
                    boolean due = step != null ? step.phase() == phase : generic != null && phase == Phase.DATABASE_UP;
                    if (!due) {
                        continue;
                    }
                    String[] op = operation(answer).split(" ", 2);
                    Answer a = step != null ? step.provocation().provoke(run) : generic.provoke(run, op[0], run.fill(op[1]));
                    List<String> problems = conformance(op[1], op[0].toLowerCase(Locale.ROOT), status(answer), a);
                    String seen = a.body().length() > 500 ? a.body().substring(0, 500) + "..." : a.body();
                    soft.assertThat(problems).as(answer + " (got " + a.status() + " " + a.headers() + " " + seen + ")").isEmpty();
                    provoked.add(answer);
                }
            }
        } finally {
            run.databaseBack(); // also when a provocation failed, so that the other tests find it up
        }
        soft.assertAll();
        List<String> expected = documentedAnswers().stream().filter(a -> !CANNOT_PROVOKE.containsKey(a)
                && !CANNOT_PROVOKE.containsKey("* " + status(a))).toList();
        assertThat(provoked).as("every documented answer was provoked").containsExactlyInAnyOrderElementsOf(expected);
        // Nothing lost or written twice: the table holds exactly what was answered as committed or queued.
        run.await("the queued records to be committed", () -> run.count("t") == run.acknowledged.get());
        assertThat(run.count("t")).isEqualTo(run.acknowledged.get());
        assertThat(run.count("u")).isZero();
    }

    /** How {@code a} differs from the documented answer: its status, media type, required headers and body schema. */
    private static List<String> conformance(String path, String method, String status, Answer a) {
        List<String> out = new ArrayList<>();
        if (a.status() != Integer.parseInt(status)) {
            out.add("status " + a.status() + ", documented " + status);
            return out;
        }
        OpenApiSchemaCheck check = new OpenApiSchemaCheck(document);
        JsonNode response = check.resolve(document.get("paths").get(path).get(method).get("responses").get(status));
        response.path("headers").fields().forEachRemaining(h -> {
            JsonNode header = check.resolve(h.getValue());
            String value = a.header(h.getKey());
            if (header.path("required").asBoolean() && value == null) {
                out.add("missing header " + h.getKey());
            } else if (value != null && header.path("schema").path("type").asText().equals("integer") && !value.matches("\\d+")) {
                out.add("header " + h.getKey() + " is not an integer: " + value);
            }
        });
        JsonNode content = response.path("content");
        if (content.isMissingNode()) {
            if (!a.body().isEmpty()) {
                out.add("documented without a body, got " + a.body());
            }
            return out;
        }
        if (!content.has(String.valueOf(a.mediaType()))) {
            List<String> types = new ArrayList<>();
            content.fieldNames().forEachRemaining(types::add);
            out.add("Content-Type " + a.mediaType() + ", documented " + types);
            return out;
        }
        if (a.mediaType().equals("application/json")) {
            try {
                out.addAll(check.problems(content.get("application/json").get("schema"), JSON.readTree(a.body())));
            } catch (IOException e) {
                out.add("not JSON: " + a.body());
            }
        }
        return out;
    }

    // --- provocations -----------------------------------------------------------------------

    /** Statuses every operation answers alike, provoked for each operation. */
    static final Map<String, Generic> GENERIC = Map.of(
            "* 400", (r, method, path) -> r.raw(r.service, method + " " + path + "%zz HTTP/1.1\r\nHost: x\r\n" + r.auth(r.admin)
                    + "Content-Length: 0\r\n\r\n", new byte[0]),
            "* 401", (r, method, path) -> r.send(r.service, method, path, null, null, null),
            "* 429", (r, method, path) -> {
                // The second service allows one request per second per key, in bursts of two: use
                // them up with cheap requests (GET /v1/tables, for one, waits for a catalog refresh,
                // at most one a second), then ask.
                List<Integer> seen = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    int drained = r.send(r.limited, "GET", "/v1/stats", r.burst, null, null).status();
                    if (drained != 429) {
                        continue;
                    }
                    Answer a = r.send(r.limited, method, path, r.burst, null, null);
                    if (a.status() == 429) {
                        return a;
                    }
                    seen.add(a.status());
                }
                throw new AssertionError(method + " " + path + ": no 429 right after the key used up its rate: " + seen);
            },
            "* 431", (r, method, path) -> r.raw(r.service, method + " " + path + " HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000)
                    + "\r\nContent-Length: 0\r\n\r\n", new byte[0]),
            "* 505", (r, method, path) -> r.raw(r.service, method + " " + path + " HTTP/1.2\r\nHost: x\r\n" + r.auth(r.admin)
                    + "Content-Length: 0\r\n\r\n", new byte[0]));

    /** One provocation per documented answer that is not generic, keyed "METHOD /path STATUS" as in the document. */
    static Map<String, Step> provocations() {
        Map<String, Step> p = new LinkedHashMap<>();
        Phase up = Phase.DATABASE_UP;
        Phase down = Phase.DATABASE_DOWN;
        String records = "/v1/tables/t/records";
        p.put("POST /v1/tables/{table}/records 200", new Step(up, r -> r.post(records, "application/json",
                "{\"id\": " + r.nextId() + ", \"v\": 1}", r.admin)));
        p.put("POST /v1/tables/{table}/records 202", new Step(up, r -> r.post(records + "?ack=queued", "application/x-ndjson",
                "{\"id\": " + r.nextId() + ", \"v\": 2}\n", r.admin)));
        p.put("POST /v1/tables/{table}/records 400", new Step(up, r -> r.post(records + "?ack=never", "application/json", "{}", r.admin)));
        p.put("POST /v1/tables/{table}/records 403", new Step(up, r -> r.post("/v1/tables/u/records", "application/json",
                "{\"v\": 1}", r.onlyT)));
        p.put("POST /v1/tables/{table}/records 404", new Step(up, r -> r.post("/v1/tables/nowhere/records", "application/json",
                "{\"v\": 1}", r.admin)));
        p.put("POST /v1/tables/{table}/records 408", new Step(up, r -> r.raw(r.service, "POST " + records + " HTTP/1.1\r\nHost: x\r\n"
                + r.auth(r.admin) + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n", "[{\"id\": 0}, ".getBytes(UTF_8))));
        p.put("POST /v1/tables/{table}/records 409", new Step(up, Run::keyInProgress));
        p.put("POST /v1/tables/{table}/records 413", new Step(up, r -> r.raw(r.service, "POST " + records + " HTTP/1.1\r\nHost: x\r\n"
                + r.auth(r.admin) + "Content-Type: application/json\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n", new byte[0])));
        p.put("POST /v1/tables/{table}/records 415", new Step(up, r -> r.post(records, "text/plain", "v\n1\n", r.admin)));
        p.put("POST /v1/tables/{table}/records 422", new Step(up, r -> r.post(records, "application/json", "{\"id\": \"x\"}", r.admin)));
        p.put("POST /v1/tables/{table}/records 429", new Step(up, Run::overBudget)); // busy: the database is up
        p.put("POST /v1/tables/{table}/records 503", new Step(down, Run::overBudget)); // database_unavailable
        p.put("GET /v1/imports 200", new Step(up, r -> r.send(r.service, "GET", "/v1/imports", r.admin, null, null)));
        p.put("GET /v1/imports 503", new Step(down, r -> r.send(r.service, "GET", "/v1/imports", r.admin, null, null)));
        p.put("POST /v1/imports/{name}/run 202", new Step(up, r -> r.send(r.service, "POST", "/v1/imports/job/run", r.admin, null, null)));
        p.put("POST /v1/imports/{name}/run 404", new Step(up, r -> r.send(r.service, "POST", "/v1/imports/nope/run", r.admin, null, null)));
        p.put("POST /v1/imports/{name}/run 503", new Step(down, r -> r.send(r.service, "POST", "/v1/imports/job/run", r.admin, null, null)));
        p.put("GET /v1/tables 200", new Step(up, r -> r.send(r.service, "GET", "/v1/tables", r.admin, null, null)));
        String definition = "{\"table\": \"%s\", \"columns\": [{\"name\": \"a\", \"type\": \"%s\"}]}";
        p.put("POST /v1/tables 201", new Step(up, r -> r.post("/v1/tables", "application/json",
                definition.formatted("created_" + r.nextId(), "bigint"), r.admin)));
        p.put("POST /v1/tables 400", new Step(up, r -> r.post("/v1/tables", "application/json", definition.formatted("bad", "money"),
                r.admin)));
        p.put("POST /v1/tables 403", new Step(up, r -> r.post("/v1/tables", "application/json", definition.formatted("not_granted",
                "bigint"), r.onlyT)));
        p.put("POST /v1/tables 409", new Step(up, r -> r.post("/v1/tables", "application/json", definition.formatted("t", "bigint"),
                r.admin)));
        p.put("POST /v1/tables 413", new Step(up, r -> {
            byte[] body = ("[" + " ".repeat(1 << 20) + "]").getBytes(UTF_8); // over the 1 MiB a definition may have
            return r.raw(r.service, "POST /v1/tables HTTP/1.1\r\nHost: x\r\n" + r.auth(r.admin)
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n", body);
        }));
        p.put("POST /v1/tables 415", new Step(up, r -> r.post("/v1/tables", "text/plain", definition.formatted("plain", "bigint"),
                r.admin)));
        p.put("POST /v1/tables 503", new Step(down, r -> r.post("/v1/tables", "application/json",
                definition.formatted("while_down", "bigint"), r.admin)));
        p.put("GET /v1/rejects 200", new Step(up, Run::keptRejects));
        p.put("GET /v1/rejects 400", new Step(up, r -> r.send(r.service, "GET", "/v1/rejects", r.admin, null, null)));
        p.put("GET /v1/rejects 403", new Step(up, r -> r.send(r.service, "GET", "/v1/rejects?table=u", r.onlyT, null, null)));
        p.put("GET /v1/rejects 404", new Step(up, r -> r.send(r.service, "GET", "/v1/rejects?table=nowhere", r.admin, null, null)));
        p.put("GET /v1/rejects 503", new Step(down, r -> r.send(r.service, "GET", "/v1/rejects?table=t", r.admin, null, null)));
        p.put("GET /v1/stats 200", new Step(up, r -> r.send(r.service, "GET", "/v1/stats", r.admin, null, null)));
        p.put("GET /metrics 200", new Step(up, r -> r.send(r.service, "GET", "/metrics", r.admin, null, null)));
        p.put("GET /metrics 403", new Step(up, r -> r.send(r.service, "GET", "/metrics", r.onlyT, null, null)));
        p.put("GET /health/live 200", new Step(up, r -> r.send(r.service, "GET", "/health/live", null, null, null)));
        p.put("GET /health/ready 200", new Step(up, r -> r.send(r.service, "GET", "/health/ready", null, null, null)));
        p.put("GET /health/ready 503", new Step(down, r -> r.send(r.service, "GET", "/health/ready", null, null, null)));
        p.put("HEAD /health/live 200", new Step(up, r -> r.send(r.service, "HEAD", "/health/live", null, null, null)));
        p.put("HEAD /health/ready 200", new Step(up, r -> r.send(r.service, "HEAD", "/health/ready", null, null, null)));
        p.put("HEAD /health/ready 503", new Step(down, r -> r.send(r.service, "HEAD", "/health/ready", null, null, null)));
        p.put("GET / 200", new Step(up, r -> r.send(r.service, "GET", "/", null, null, null)));
        p.put("GET /webjars/{path} 200", new Step(up, r -> r.send(r.service, "GET", r.fill("/webjars/{path}"), null, null, null)));
        p.put("GET /webjars/{path} 404", new Step(up, r -> r.send(r.service, "GET", "/webjars/nothing/here.js", null, null, null)));
        p.put("GET /openapi.json 200", new Step(up, r -> r.send(r.service, "GET", "/openapi.json", null, null, null)));
        return p;
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T unchecked(Call<T> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The services under test, their keys, and what they were told to keep. */
    static final class Run implements AutoCloseable {
        final StoppableServer pg;
        final IngestService service;
        final IngestService limited;
        final String admin;
        final String onlyT;
        final String burst;
        /** Records answered as committed (200) or queued (202) on table t. */
        final AtomicLong acknowledged = new AtomicLong();
        private final AtomicLong ids = new AtomicLong();
        private final Path sources;
        private CompletableFuture<Answer> waiting;
        private String webjar;

        Run(StoppableServer pg) throws Exception {
            this.pg = pg;
            admin = AuthIT.ingest("keys", "create", "--name", "admin", "--tables", "*", "--database-url", pg.url());
            onlyT = AuthIT.ingest("keys", "create", "--name", "only-t", "--tables", "t", "--database-url", pg.url());
            burst = AuthIT.ingest("keys", "create", "--name", "burst", "--tables", "*", "--database-url", pg.url());
            sources = Files.createTempDirectory("openapi-it");
            ServiceConfig resolved = ConfigResolver.resolve(new ConfigResolver.Flags("127.0.0.1", 0, pg.url(), null),
                    Map.of(), ConfigFile.EMPTY);
            ServiceConfig config = resolved.withEngine(resolved.engine().toBuilder().memoryBudgetBytes(1024 * 1024).build())
                    .withMaxBodyBytes(MAX_BODY)
                    .withImports(ImportJob.fromConfig(List.of(new ConfigFile.Import("job", "0 3 * * *", "UTC",
                            sources + "/*.csv", "t", null, null, "keep", null))));
            service = IngestService.start(config.withLimits(REQUEST_TIMEOUT, 0));
            limited = IngestService.start(config.withLimits(REQUEST_TIMEOUT, 1));
        }

        long nextId() {
            return ids.incrementAndGet();
        }

        String auth(String token) {
            return token == null ? "" : "Authorization: Bearer " + token + "\r\n";
        }

        /** A documented path with its parameters filled in: the test's table, job and the status page's script. */
        String fill(String path) throws Exception {
            if (path.contains("{path}") && webjar == null) {
                Matcher m = Pattern.compile("/webjars/([^\"]+)\"").matcher(send(service, "GET", "/", null, null, null).body());
                assertThat(m.find()).as("the status page names its script").isTrue();
                webjar = m.group(1);
            }
            return path.replace("{table}", "t").replace("{name}", "job").replace("{path}", webjar == null ? "" : webjar);
        }

        Answer post(String path, String contentType, String body, String token) throws Exception {
            return send(service, "POST", path, token, contentType, body);
        }

        /** One request with java.net.http; counts the records answered as committed or queued. */
        Answer send(IngestService to, String method, String path, String token, String contentType, String body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.port() + path))
                    .timeout(Duration.ofSeconds(60))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            Map<String, String> headers = new LinkedHashMap<>();
            r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
            Answer a = new Answer(r.statusCode(), headers, r.body());
            if (to == service && path.startsWith("/v1/tables/t/records")) {
                if (a.status() == 200) {
                    acknowledged.addAndGet(JSON.readTree(a.body()).get("accepted").asLong());
                } else if (a.status() == 202) {
                    acknowledged.addAndGet(JSON.readTree(a.body()).get("queued").asLong());
                }
            }
            return a;
        }

        /** One request over a raw socket (for what java.net.http will not send); the body is sent on another thread. */
        Answer raw(IngestService to, String head, byte[] body) throws IOException {
            try (Socket s = new Socket("127.0.0.1", to.port())) {
                s.setSoTimeout(60_000);
                OutputStream out = s.getOutputStream();
                out.write(head.getBytes(UTF_8));
                out.flush();
                Thread sender = new Thread(() -> {
                    try {
                        out.write(body);
                        out.flush();
                    } catch (IOException e) {
                        // the server answered and closed before taking it all: expected for refusals
                    }
                }, "openapi-it-sender");
                sender.setDaemon(true);
                sender.start();
                return read(s.getInputStream(), head.startsWith("HEAD "));
            }
        }

        /** The answer on {@code socket}; {@code head}: to a HEAD request, whose answer has no body whatever its Content-Length. */
        private static Answer read(InputStream socket, boolean head) throws IOException {
            RawAnswer a = RawAnswer.read(new BufferedInputStream(socket), head);
            return new Answer(a.status(), a.headers(), a.body());
        }

        /**
         * 200 of GET /v1/rejects: a record refused under rejects=keep, then the page that lists it,
         * asked with Basic credentials carrying the token (as log shippers send it).
         */
        Answer keptRejects() throws Exception {
            Answer posted = post("/v1/tables/t/records?rejects=keep", "application/json",
                    "[{\"id\": " + nextId() + ", \"v\": 1}, {\"id\": " + nextId() + ", \"v\": \"x\"}]", admin);
            assertThat(posted.status()).as(posted.body()).isEqualTo(200);
            String basic = Base64.getEncoder().encodeToString(("ingest:" + admin).getBytes(UTF_8));
            Answer page = raw(service, "GET /v1/rejects?table=t&limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + basic
                    + "\r\nConnection: close\r\n\r\n", new byte[0]);
            assertThat(page.body()).as("the kept reject is listed").contains("\"sqlstate\":\"22P02\"");
            return page;
        }

        /** A JSON body larger than the memory budget: 429 busy while the database is up, 503 database_unavailable while down. */
        Answer overBudget() throws IOException {
            byte[] body = ("{\"v\": \"" + "a".repeat(OVER_BUDGET) + "\"}").getBytes(UTF_8);
            return raw(service, "POST /v1/tables/t/records HTTP/1.1\r\nHost: x\r\n" + auth(admin)
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n", body);
        }

        /**
         * 409: a keyed NDJSON upload held open (its body never ends), then a request with the same
         * key. The held upload asks for {@code 100 Continue}, which the service sends once it has
         * taken the key: only then do the probe and the body go out, so the probe cannot take the
         * key first (it did under load when sent straight after the held upload's head, and the
         * held one was refused instead, three tries running).
         */
        Answer keyInProgress() throws Exception {
            try (Socket held = new Socket("127.0.0.1", service.port())) {
                held.setSoTimeout((int) TimeUnit.SECONDS.toMillis(30));
                OutputStream out = held.getOutputStream();
                out.write(("POST /v1/tables/t/records HTTP/1.1\r\nHost: x\r\n" + auth(admin)
                        + "Content-Type: application/x-ndjson\r\nIdempotency-Key: held\r\nTransfer-Encoding: chunked\r\n"
                        + "Expect: 100-continue\r\n\r\n").getBytes(UTF_8));
                out.flush();
                assertThat(RawAnswer.read(held.getInputStream(), false).statusLine()).as("the held upload's interim answer")
                        .startsWith("HTTP/1.1 100 ");
                out.write("7\r\n{\"id\": \r\n".getBytes(UTF_8)); // part of a record: nothing of it can be committed
                out.flush();
                Answer probe = raw(service, "POST /v1/tables/t/records HTTP/1.1\r\nHost: x\r\n" + auth(admin)
                        + "Content-Type: application/x-ndjson\r\nIdempotency-Key: held\r\nContent-Length: 0\r\n\r\n", new byte[0]);
                assertThat(held.getInputStream().available()).as("the held upload is still open").isZero();
                return probe;
            }
        }

        /** Stops PostgreSQL and waits until the service's writers see it gone (a write is left waiting for it). */
        void databaseDown() throws Exception {
            pg.stop();
            long id = nextId();
            waiting = CompletableFuture.supplyAsync(() -> unchecked(() -> post("/v1/tables/t/records", "application/json",
                    "{\"id\": " + id + ", \"v\": 3}", admin)));
            await("the writers to see the database gone", () -> unchecked(() ->
                    !JSON.readTree(send(service, "GET", "/v1/stats", admin, null, null).body()).get("database_reachable").asBoolean()));
        }

        /** Starts PostgreSQL again; the write left waiting commits. */
        void databaseBack() throws Exception {
            if (waiting == null) {
                return; // never stopped
            }
            pg.resume();
            Answer committed = waiting.get(120, TimeUnit.SECONDS);
            assertThat(committed.status()).as(committed.body()).isEqualTo(200);
            await("ready again", () -> unchecked(() -> send(service, "GET", "/health/ready", null, null, null).status() == 200));
            waiting = null;
        }

        long count(String table) {
            return unchecked(() -> {
                try (var c = pg.connect(); var s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
        }

        void await(String what, BooleanSupplier condition) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!condition.getAsBoolean()) {
                assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }

        @Override
        public void close() throws IOException {
            try {
                limited.close();
            } finally {
                service.close();
                try (Stream<Path> files = Files.list(sources)) {
                    for (Iterator<Path> i = files.iterator(); i.hasNext(); ) {
                        Files.delete(i.next());
                    }
                }
                Files.delete(sources);
            }
        }
    }
}

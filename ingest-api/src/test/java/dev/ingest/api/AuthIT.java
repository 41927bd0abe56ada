package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingest.api.cli.Main;
import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.server.IngestService;
import dev.ingest.engine.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** API keys: who may write where, proven against the table's contents. */
@Timeout(120)
class AuthIT {
    private static final String[] TABLES = {"CREATE TABLE t (v int)", "CREATE TABLE u (v int)"};

    /** Standard output of an {@code ingest} command, which must exit 0. */
    static String ingest(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, UTF_8));
        try {
            assertThat(Main.execute(args)).as(String.join(" ", args)).isZero();
        } finally {
            System.setOut(saved);
        }
        return out.toString(UTF_8).trim();
    }

    private static HttpResponse<String> post(ServiceFixture f, String table, String token) throws Exception {
        return token == null ? f.post("/v1/tables/" + table + "/records", "application/json", "{\"v\": 1}".getBytes(UTF_8))
                : f.post("/v1/tables/" + table + "/records", "application/json", "{\"v\": 1}".getBytes(UTF_8), "Authorization",
                        "Bearer " + token);
    }

    /** Waits (keys are re-read every 2 s) until the condition holds. */
    private static void await(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.get()) {
            assertThat(System.nanoTime()).as("waiting until " + what).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Test
    void onlyAValidKeyGrantedTheTableWrites() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(TABLES)) {
            String db = f.db.url();
            // No key exists and the service listens on loopback: authentication is off.
            assertThat(post(f, "t", null).statusCode()).isEqualTo(200);
            long written = 1;

            String writer = ingest("keys", "create", "--name", "writer", "--tables", "t", "--database-url", db);
            String other = ingest("keys", "create", "--name", "other", "--tables", "public.u", "--database-url", db);
            assertThat(writer).startsWith("ingest_").hasSizeGreaterThan(40).isNotEqualTo(other);
            // Probed where nothing is written: a table that does not exist is 404 without authentication, 401 with it.
            await("the first key turns authentication on", () -> call(() -> post(f, "nowhere", null)).statusCode() == 401);

            HttpResponse<String> none = post(f, "t", null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(ServiceFixture.json(none).getString("error")).isEqualTo("unauthorized");
            assertThat(post(f, "t", "ingest_not-a-real-token").statusCode()).isEqualTo(401);
            assertThat(post(f, "t", other).statusCode()).isEqualTo(403);
            assertThat(ServiceFixture.json(post(f, "t", other)).getString("error")).isEqualTo("forbidden");
            assertThat(post(f, "u", other).statusCode()).isEqualTo(200);
            assertThat(post(f, "t", writer).statusCode()).isEqualTo(200);
            written++;
            assertThat(f.get("/v1/tables").statusCode()).isEqualTo(401);
            assertThat(f.get("/health/ready").statusCode()).isEqualTo(200);
            assertThat(ingest("keys", "list", "--database-url", db)).contains("writer  tables public.t").contains("other  tables public.u")
                    .doesNotContain(writer);

            ingest("keys", "revoke", "writer", "--database-url", db);
            // Probed where the key may not write: 403 while it is valid, 401 once revoked.
            await("the revoked key stops working", () -> call(() -> post(f, "u", writer)).statusCode() == 401);
            assertThat(post(f, "t", writer).statusCode()).isEqualTo(401);
            assertThat(ingest("keys", "list", "--database-url", db)).contains("revoked");

            assertThat(f.db.queryLong("SELECT count(*) FROM t")).isEqualTo(written);
            assertThat(f.db.queryLong("SELECT count(*) FROM u")).isEqualTo(1);
        }
    }

    @Test
    void listeningBeyondLoopbackNeedsAKey() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute(TABLES);
        ServiceConfig exposed = ConfigResolver.resolve(new ConfigResolver.Flags("0.0.0.0", 0, db.url(), null),
                Map.of(), ConfigFile.EMPTY);
        assertThatThrownBy(() -> IngestService.start(exposed)).hasMessageContaining("refusing to listen on 0.0.0.0 without API keys");

        String token = ingest("keys", "create", "--name", "ops", "--tables", "*", "--database-url", db.url());
        try (ServiceFixture f = ServiceFixture.attach(db, IngestService.start(exposed))) {
            assertThat(post(f, "t", null).statusCode()).isEqualTo(401);
            assertThat(post(f, "u", token).statusCode()).isEqualTo(200);
        }
        assertThat(Main.execute("keys", "create", "--name", "ops", "--tables", "t", "--database-url", db.url())).isEqualTo(1);
    }

    @Test
    void basicAuthenticationCarriesTheTokenAsThePasswordOrAsTheUserWithoutOne() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(TABLES)) {
            String token = ingest("keys", "create", "--name", "shipper", "--tables", "t", "--database-url", f.db.url());
            await("the first key turns authentication on", () -> call(() -> post(f, "nowhere", null)).statusCode() == 401);
            // What log shippers (rsyslog omhttp, Fluent Bit http) can send: a user and a password.
            assertThat(basic(f, "t", "rsyslog:" + token).statusCode()).isEqualTo(200);
            assertThat(basic(f, "t", ":" + token).statusCode()).isEqualTo(200);
            assertThat(basic(f, "t", token + ":").statusCode()).as("curl -u TOKEN:").isEqualTo(200);
            long written = 3;

            HttpResponse<String> wrong = basic(f, "t", "rsyslog:ingest_not-a-real-token");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(ServiceFixture.json(wrong).getString("message")).contains("not valid");
            assertThat(basic(f, "t", token + ":not-the-token").statusCode()).as("a password given is the token").isEqualTo(401);
            assertThat(basic(f, "t", token).statusCode()).as("no colon: not user:password").isEqualTo(401);
            assertThat(f.post("/v1/tables/t/records", "application/json", "{\"v\": 1}".getBytes(UTF_8), "Authorization",
                    "Basic %%%not-base64").statusCode()).isEqualTo(401);
            assertThat(basic(f, "u", "rsyslog:" + token).statusCode()).as("granted t only").isEqualTo(403);

            assertThat(f.db.queryLong("SELECT count(*) FROM t")).isEqualTo(written);
            assertThat(f.db.queryLong("SELECT count(*) FROM u")).isZero();
        }
    }

    private static HttpResponse<String> basic(ServiceFixture f, String table, String userColonPassword) throws Exception {
        return f.post("/v1/tables/" + table + "/records", "application/json", "{\"v\": 1}".getBytes(UTF_8), "Authorization",
                "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(UTF_8)));
    }

    private static <T> T call(Callable<T> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

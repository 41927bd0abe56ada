package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A request that the database refuses as a whole, not record by record, is answered by the class
 * of the failure, the same for every body format (see Answers): a table dropped since the
 * catalog was read is 404, any other refusal 422 with its SQLSTATE. Never 503 with
 * Retry-After, which tells clients (and {@code ingest load}) to retry what cannot succeed.
 */
@Timeout(180)
class WholeBatchFailuresIT {
    private static ServiceFixture f;

    /** The body formats, each able to write records of columns {@code v} and (optionally) {@code w}. */
    enum Format {
        JSON("application/json"), NDJSON("application/x-ndjson"), CSV("text/csv");

        final String contentType;

        Format(String contentType) {
            this.contentType = contentType;
        }

        /** Three records; with {@code w} when asked. */
        byte[] body(boolean withW) {
            StringBuilder b = new StringBuilder(this == CSV ? (withW ? "v,w\n" : "v\n") : this == JSON ? "[" : "");
            for (int i = 1; i <= 3; i++) {
                switch (this) {
                    case CSV -> b.append(i).append(withW ? "," + i : "").append('\n');
                    case NDJSON -> b.append("{\"v\": ").append(i).append(withW ? ", \"w\": " + i : "").append("}\n");
                    case JSON -> b.append(i > 1 ? "," : "").append("{\"v\": ").append(i).append(withW ? ", \"w\": " + i : "").append('}');
                }
            }
            return b.append(this == JSON ? "]" : "").toString().getBytes(UTF_8);
        }

        String table(String what) {
            return what + "_" + name().toLowerCase(Locale.ROOT);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        f = ServiceFixture.start("SELECT 1");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            assertThat(ServiceFixture.json(f.get("/v1/stats")).getLong("budget_used_bytes")).isZero();
        } finally {
            f.close();
        }
    }

    private static HttpResponse<String> post(Format format, String table, boolean withW) throws Exception {
        return f.post("/v1/tables/" + table + "/records", format.contentType, format.body(withW));
    }

    /** The answer of a request refused as a whole: the status and code, JSON, and no invitation to retry. */
    private static JsonObject refused(HttpResponse<String> r, int status, String error) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Retry-After")).as("nothing to retry: %s", r.body()).isEmpty();
        JsonObject body = ServiceFixture.json(r);
        assertThat(body.getString("error")).isEqualTo(error);
        assertThat(body.getString("message")).isNotBlank();
        return body;
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void aTableDroppedSinceTheCatalogReadItIs404(Format format) throws Exception {
        String table = format.table("gone");
        f.db.execute("CREATE TABLE " + table + " (v int)");
        assertThat(post(format, table, false).statusCode()).isEqualTo(200); // the catalog knows the table now
        f.db.execute("DROP TABLE " + table);

        // Answered from the catalog's snapshot, which still has the table: the write finds it gone.
        refused(post(format, table, false), 404, "unknown_table");
        assertThat(f.db.queryLong("SELECT count(*) FROM pg_class WHERE relname = '" + table + "'")).isZero();
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void aColumnDroppedSinceTheCatalogReadItRefusesTheRecordsNamingIt(Format format) throws Exception {
        String table = format.table("col");
        f.db.execute("CREATE TABLE " + table + " (v int, w int)");
        assertThat(post(format, table, true).statusCode()).isEqualTo(200);
        f.db.execute("ALTER TABLE " + table + " DROP COLUMN w");

        // The engine writes the batch onto the table as it is now: each record naming the dropped
        // column is refused on its own (42703), as in every format.
        JsonObject body = refused(post(format, table, true), 422, "all_rejected");
        assertThat(body.getJsonArray("rejected")).hasSize(3)
                .allSatisfy(r -> assertThat(((JsonObject) r).getString("sqlstate")).isEqualTo("42703"));
        assertThat(f.db.queryLong("SELECT count(*) FROM " + table)).as("only the first request's records").isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void anyOtherRefusalOfTheWholeRequestIs422WithItsSqlstate(Format format) throws Exception {
        String table = format.table("trig");
        // A trigger calling a function that does not exist: every batch fails the same way (42883),
        // which no record causes and no retry cures.
        f.db.execute("CREATE TABLE " + table + " (v int)",
                "CREATE FUNCTION " + table + "_check() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        + "PERFORM no_such_function(NEW.v); RETURN NEW; END $$",
                "CREATE TRIGGER " + table + "_check BEFORE INSERT ON " + table
                        + " FOR EACH ROW EXECUTE FUNCTION " + table + "_check()");

        JsonObject body = refused(post(format, table, false), 422, "refused");
        assertThat(body.getString("sqlstate")).isEqualTo("42883");
        assertThat(f.db.queryLong("SELECT count(*) FROM " + table)).isZero();
    }
}

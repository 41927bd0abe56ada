package dev.ingest.api.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.server.IngestService;
import dev.ingest.api.server.auth.ApiKeys;
import dev.ingest.engine.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/** The banner's "Try it" example works as printed: on one's own database, and once auth is on. */
@Timeout(120)
class BannerIT {
    private static final Pattern POST = Pattern.compile("curl -s -X POST '([^']+)'.*?-d '([^']*)'", Pattern.DOTALL);

    private static IngestService start(TestDatabase.Database db) throws Exception {
        return IngestService.start(ConfigResolver.resolve(new ConfigResolver.Flags("127.0.0.1", 0, db.url(), null),
                Map.of(), ConfigFile.EMPTY));
    }

    /** Posts the banner's example as printed (with {@code token} for $INGEST_TOKEN); returns the status. */
    private static int tryIt(String banner, String token) throws Exception {
        Matcher m = POST.matcher(banner);
        assertThat(m.find()).as(banner).isTrue();
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(m.group(1))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(m.group(2)));
        if (token != null) {
            assertThat(banner).contains("-H \"Authorization: Bearer $INGEST_TOKEN\"");
            r.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> answer = HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.body()).as(banner).contains("\"accepted\":1");
        return answer.statusCode();
    }

    @Test
    void onOwnDatabaseTheExampleNamesAnExistingTable() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute("CREATE TABLE readings (id bigint NOT NULL, taken_at timestamptz NOT NULL, ok boolean NOT NULL, "
                + "celsius double precision, note text, extra jsonb, serial_no bigint GENERATED ALWAYS AS IDENTITY)");
        try (IngestService service = start(db)) {
            String banner = Banner.text(service);
            assertThat(banner).contains("/v1/tables/readings/records").doesNotContain("/v1/tables/events/");
            assertThat(tryIt(banner, null)).isEqualTo(200);
        }
        assertThat(db.queryLong("SELECT count(*) FROM readings")).isEqualTo(1);
    }

    @Test
    void onAnEmptyDatabaseItSaysHowToCreateATable() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        try (IngestService service = start(db)) {
            String banner = Banner.text(service);
            assertThat(banner).contains("no tables").contains("CREATE TABLE");
        }
    }

    @Test
    void onceAKeyExistsTheExampleCarriesTheAuthorizationHeader() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute("CREATE TABLE notes (id bigint NOT NULL, body text)");
        String token;
        try (IngestService first = start(db)) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(db.jdbcUrl());
            ds.setUser(db.user());
            ds.setPassword(db.password());
            ApiKeys keys = new ApiKeys(ds);
            token = keys.create("banner", false, keys.resolve(List.of("notes"), List.of("public"), false)).token();
        }
        try (IngestService service = start(db)) {
            String banner = Banner.text(service);
            assertThat(banner).contains("ingest keys create");
            assertThat(tryIt(banner, token)).isEqualTo(200);
        }
        assertThat(db.queryLong("SELECT count(*) FROM notes")).isEqualTo(1);
    }
}

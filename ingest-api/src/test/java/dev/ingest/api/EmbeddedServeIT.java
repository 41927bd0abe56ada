package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.server.IngestService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The newcomer's path: no database URL, an embedded PostgreSQL whose data survives a restart. */
@Timeout(180)
class EmbeddedServeIT {
    private static final String EXAMPLE = "[{\"event_id\":\"4b3e1c2a-8f6d-4a1b-9c3e-2d5f6a7b8c9d\",\"ts\":\"2026-01-01T12:00:00Z\","
            + "\"source\":\"web\",\"kind\":\"click\",\"user_id\":42,\"value\":1.5,\"payload\":{\"page\":\"/home\"}}]";

    @Test
    void theExampleTableTakesRecordsAndKeepsThemAcrossRestarts() throws Exception {
        Path dir = Files.createTempDirectory("ingest-embedded");
        ServiceConfig config = ConfigResolver.resolve(new ConfigResolver.Flags("127.0.0.1", 0, null, null),
                        Map.of(), ConfigFile.EMPTY);
        config = config.withDataDir(dir.resolve(".ingest"));
        String url;
        try (IngestService first = IngestService.start(config)) {
            assertThat(first.embedded()).isTrue();
            HttpResponse<String> r = post(first, EXAMPLE);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"accepted\":1,\"rejected\":[]}");
            url = first.database().jdbcUrl();
        }
        assertThat(dir.resolve(".ingest/postgres/PG_VERSION")).exists();
        try (IngestService second = IngestService.start(config)) {
            assertThat(second.database().jdbcUrl()).as("same port after restart").isEqualTo(url);
            HttpResponse<String> again = post(second, EXAMPLE.replace("4b3e", "5b3e"));
            assertThat(again.statusCode()).isEqualTo(200);
            try (var c = DriverManager.getConnection(url, "postgres", null); var s = c.createStatement();
                 var rs = s.executeQuery("SELECT count(*), current_setting('synchronous_commit') FROM events")) {
                rs.next();
                assertThat(rs.getLong(1)).as("rows from before the restart are kept").isEqualTo(2);
                assertThat(rs.getString(2)).isEqualTo("on");
            }
        }
    }

    private static HttpResponse<String> post(IngestService service, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + service.port() + "/v1/tables/events/records"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

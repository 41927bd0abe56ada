package dev.ingest.api;

import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.server.IngestService;
import dev.ingest.engine.testing.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A service on a free loopback port, writing to a fresh test database; plus an HTTP client. */
final class ServiceFixture implements AutoCloseable {
    final TestDatabase.Database db;
    final IngestService service;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private ServiceFixture(TestDatabase.Database db, IngestService service) {
        this.db = db;
        this.service = service;
    }

    /** Creates a database, runs {@code ddl} in it, and starts a service on it. */
    static ServiceFixture start(UnaryOperator<ServiceConfig> customize, String... ddl) throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute(ddl);
        ServiceConfig config = ConfigResolver.resolve(
                new ConfigResolver.Flags("127.0.0.1", 0, db.url(), null), Map.of(),
                ConfigFile.EMPTY);
        return new ServiceFixture(db, IngestService.start(customize.apply(config)));
    }

    /** A fixture around a service already started; {@code db} may be null when the test manages its own database. */
    static ServiceFixture attach(TestDatabase.Database db, IngestService service) {
        return new ServiceFixture(db, service);
    }

    /** The DDL of the example {@code events} table that the embedded database starts with. */
    static String eventsTable() {
        try (var in = ServiceFixture.class.getResourceAsStream("/examples/events.sql")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ServiceFixture start(String... ddl) throws Exception {
        return start(c -> c, ddl);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + service.port() + path);
    }

    HttpResponse<String> post(String path, String contentType, byte[] body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJson(String table, String json) throws IOException, InterruptedException {
        return post("/v1/tables/" + table + "/records", "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> postNdjson(String table, String ndjson) throws IOException, InterruptedException {
        return post("/v1/tables/" + table + "/records", "application/x-ndjson", ndjson.getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject json(HttpResponse<String> response) {
        return new JsonObject(response.body());
    }

    /** Rows of a query as lists of column values (as strings, null for SQL NULL). */
    List<List<String>> rows(String sql) throws Exception {
        try (var c = db.connect(); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
            List<List<String>> out = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                out.add(row);
            }
            return out;
        }
    }

    static Path tempDir(String prefix) throws IOException {
        return Files.createTempDirectory(prefix);
    }

    @Override
    public void close() {
        service.close();
    }
}

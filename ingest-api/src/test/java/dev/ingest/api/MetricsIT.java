package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code GET /metrics}: Prometheus text with the engine's, the pool's, the JVM's and HTTP metrics, counting what happened. */
@Timeout(120)
class MetricsIT {
    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(metrics);
        assertThat(m.find()).as("series " + series + " in\n" + metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void metricsCountRecordsCommitsRefusalsAndReplays() throws Exception {
        try (ServiceFixture f = ServiceFixture.start("CREATE TABLE t (v int CHECK (v >= 0))")) {
            HttpResponse<String> r = f.postJson("t", "[{\"v\": 1}, {\"v\": 2}, {\"v\": -1}, {\"v\": \"x\"}]");
            assertThat(r.statusCode()).isEqualTo(200);
            byte[] keyed = "[{\"v\": 3}]".getBytes(UTF_8);
            assertThat(f.post("/v1/tables/t/records", "application/json", keyed, "Idempotency-Key", "k1").statusCode()).isEqualTo(200);
            assertThat(f.post("/v1/tables/t/records", "application/json", keyed, "Idempotency-Key", "k1").statusCode()).isEqualTo(200);
            assertThat(f.postJson("nope", "{}").statusCode()).isEqualTo(404);

            HttpResponse<String> m = f.get("/metrics");
            assertThat(m.statusCode()).isEqualTo(200);
            assertThat(m.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            String text = m.body();
            assertThat(value(text, "ingest_records_accepted_total{table=\"public.t\"}")).isEqualTo(3);
            assertThat(value(text, "ingest_records_rejected_total{table=\"public.t\"}")).isEqualTo(2);
            assertThat(value(text, "ingest_commit_seconds_count{table=\"public.t\"}")).isGreaterThanOrEqualTo(2);
            assertThat(text).contains("ingest_commit_seconds_bucket{table=\"public.t\",le=");
            assertThat(value(text, "ingest_idempotent_replays_total")).isEqualTo(1);
            assertThat(value(text, "ingest_writer_mode{mode=\"auto\",table=\"public.t\"}")).isEqualTo(1);
            assertThat(value(text, "ingest_queue_requests{table=\"public.t\"}")).isZero();
            assertThat(value(text, "ingest_memory_budget_used_bytes")).isZero();
            assertThat(value(text, "ingest_database_reachable")).isEqualTo(1);
            assertThat(value(text, "ingest_db_pool_max_connections")).isEqualTo(10);
            assertThat(text).contains("jvm_memory_used_bytes{").contains("ingest_db_pool_connections{state=\"active\"}");
            // Every answer timed by method and status: the scrape itself is not answered yet.
            assertThat(value(text, "ingest_http_server_requests_seconds_count{method=\"POST\",status=\"200\"}")).isEqualTo(3);
            assertThat(value(text, "ingest_http_server_requests_seconds_count{method=\"POST\",status=\"404\"}")).isEqualTo(1);
            assertThat(value(text, "ingest_http_server_requests_seconds_sum{method=\"POST\",status=\"200\"}")).isPositive();
            assertThat(text).doesNotContain("vertx_http_server_"); // looked up per request: replaced by ours
            assertThat(text).doesNotContain("\"v\"");
        }
    }
}

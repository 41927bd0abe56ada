package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * deploy/grafana/ingest-dashboard.json asks only for metrics the service exports: every metric
 * name in its panels' PromQL appears in {@code /metrics} after some traffic (accepted, refused,
 * an unknown table). A renamed metric fails here rather than as an empty panel.
 */
@Timeout(120)
class DashboardMetricsIT {
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "ingest-dashboard.json");
    /** PromQL functions, aggregations and keywords: the other identifiers of an expression are metric names. */
    private static final Set<String> PROMQL = Set.of("sum", "avg", "min", "max", "count", "rate", "irate", "increase",
            "histogram_quantile", "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
            "clamp_min", "clamp_max", "abs", "delta", "deriv", "topk", "bottomk", "offset");

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws Exception {
        Set<String> names = metricNames(new JsonObject(Files.readString(DASHBOARD)));
        assertThat(names).as("metric names in the dashboard").contains("ingest_records_accepted_total", "ingest_commit_seconds_bucket");
        try (ServiceFixture f = ServiceFixture.start("CREATE TABLE t (v int CHECK (v >= 0))")) {
            assertThat(f.postJson("t", "[{\"v\": 1}, {\"v\": -1}]").statusCode()).isEqualTo(200);
            byte[] keyed = "[{\"v\": 2}]".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 2; i++) {
                assertThat(f.post("/v1/tables/t/records", "application/json", keyed, "Idempotency-Key", "k").statusCode()).isEqualTo(200);
            }
            assertThat(f.postJson("nope", "{}").statusCode()).isEqualTo(404);
            String metrics = f.get("/metrics").body();
            List<String> missing = new ArrayList<>();
            for (String name : names) {
                if (!Pattern.compile("(?m)^" + Pattern.quote(name) + "[{ ]").matcher(metrics).find()) {
                    missing.add(name);
                }
            }
            assertThat(missing).as("dashboard metrics absent from /metrics").isEmpty();
        }
    }

    /** The metric names of every panel's queries. */
    static Set<String> metricNames(JsonObject dashboard) {
        Set<String> names = new TreeSet<>();
        for (Object p : dashboard.getJsonArray("panels")) {
            JsonArray targets = ((JsonObject) p).getJsonArray("targets", new JsonArray());
            for (Object t : targets) {
                String expr = ((JsonObject) t).getString("expr");
                String bare = expr.replaceAll("\\{[^}]*\\}", " ") // label matchers
                        .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", " ") // grouping labels
                        .replaceAll("\\[[^\\]]*\\]", " "); // ranges
                Matcher m = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*").matcher(bare);
                while (m.find()) {
                    if (!PROMQL.contains(m.group())) {
                        names.add(m.group());
                    }
                }
            }
        }
        return names;
    }
}

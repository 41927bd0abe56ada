package dev.ingest.api.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The cached per-table and per-answer meters still count each table, method and status apart, and refusals and replays by kind. */
class ServiceMetricsTest {
    @Test
    void countsPerTableAcrossBatchesWithCachedMeters() {
        ServiceMetrics metrics = new ServiceMetrics();
        metrics.batchCommitted("a", 3, 0, 1_000_000);
        metrics.batchCommitted("a", 2, 1, 2_000_000);
        metrics.batchCommitted("b", 7, 0, 3_000_000);
        metrics.rejectedEarly("b", 4);

        var r = metrics.registry();
        assertThat(r.get("ingest_records_accepted").tag("table", "a").counter().count()).isEqualTo(5);
        assertThat(r.get("ingest_records_accepted").tag("table", "b").counter().count()).isEqualTo(7);
        assertThat(r.get("ingest_records_rejected").tag("table", "a").counter().count()).isEqualTo(1);
        assertThat(r.get("ingest_records_rejected").tag("table", "b").counter().count()).isEqualTo(4);
        assertThat(r.get("ingest_commit").tag("table", "a").timer().count()).isEqualTo(2);
        assertThat(r.get("ingest_batch_rows").tag("table", "b").summary().totalAmount()).isEqualTo(7);
        assertThat(r.find("ingest_records_accepted").counters()).hasSize(2);
    }

    @Test
    void refusalsByStatusFromZeroAndReplaysOnceSeen() {
        ServiceMetrics metrics = new ServiceMetrics();
        var r = metrics.registry();
        assertThat(r.get("ingest_refusals").tag("status", "429").counter().count()).isZero();
        assertThat(r.find("ingest_idempotent_replays").counter()).isNull();

        metrics.answered("POST", 429, 1, false);
        metrics.answered("POST", 429, 1, false);
        metrics.answered("POST", 503, 1, true);
        metrics.answered("POST", 200, 1, true);
        metrics.answered("GET", 500, 1, false);

        assertThat(r.get("ingest_refusals").tag("status", "429").counter().count()).isEqualTo(2);
        assertThat(r.get("ingest_refusals").tag("status", "503").counter().count()).isEqualTo(1);
        assertThat(r.get("ingest_idempotent_replays").counter().count()).isEqualTo(2);
        assertThat(r.find("ingest_refusals").counters()).hasSize(2);
    }

    @Test
    void answersTimedByMethodAndStatusWithOneSeriesForOtherMethods() {
        ServiceMetrics metrics = new ServiceMetrics();
        var r = metrics.registry();
        metrics.answered("POST", 200, 2_000_000, false);
        metrics.answered("POST", 200, 4_000_000, false);
        metrics.answered("GET", 200, 1_000_000, false);
        metrics.answered("POST", 404, 1_000_000, false);
        metrics.answered("PROPFIND", 405, 1_000_000, false);
        metrics.answered("BREW", 405, 1_000_000, false);
        metrics.answered("GET", 999, 1_000_000, false); // outside the cached range: still counted, same series each time
        metrics.answered("GET", 999, 1_000_000, false);

        var post200 = r.get("ingest_http_server_requests").tag("method", "POST").tag("status", "200").timer();
        assertThat(post200.count()).isEqualTo(2);
        assertThat(post200.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(6.0);
        assertThat(r.get("ingest_http_server_requests").tag("method", "GET").tag("status", "200").timer().count()).isEqualTo(1);
        assertThat(r.get("ingest_http_server_requests").tag("method", "POST").tag("status", "404").timer().count()).isEqualTo(1);
        assertThat(r.get("ingest_http_server_requests").tag("method", "OTHER").tag("status", "405").timer().count()).isEqualTo(2);
        assertThat(r.get("ingest_http_server_requests").tag("method", "GET").tag("status", "999").timer().count()).isEqualTo(2);
        assertThat(r.find("ingest_http_server_requests").timers()).hasSize(5);
    }
}

package dev.ingest.api.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The cached per-table meters still count each table apart, and refusals and replays by kind. */
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

        metrics.answered(429, false);
        metrics.answered(429, false);
        metrics.answered(503, true);
        metrics.answered(200, true);
        metrics.answered(500, false);

        assertThat(r.get("ingest_refusals").tag("status", "429").counter().count()).isEqualTo(2);
        assertThat(r.get("ingest_refusals").tag("status", "503").counter().count()).isEqualTo(1);
        assertThat(r.get("ingest_idempotent_replays").counter().count()).isEqualTo(2);
        assertThat(r.find("ingest_refusals").counters()).hasSize(2);
    }
}

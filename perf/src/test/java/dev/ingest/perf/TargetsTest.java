package dev.ingest.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TargetsTest {
    @Test
    void verdictsAreComputedFromTheFigures() {
        var rows = new Targets()
                .ratioAtLeast("bulk", "÷ psql", 300_000.0, 280_000.0, 1.0)
                .ratioAtLeast("small", "÷ pgbench", 30_000.0, 20_000.0, 2.0)
                .atMost("small", "p99", 19.5, 20, "ms")
                .atMost("small", "p99", 23.0, 20, "ms")
                .ratioAtLeast("cli", "÷ pgloader", null, 1000.0, 10)
                .fraction("bulk", "÷ binary", 100.0, 0.0)
                .rows();
        assertThat(rows).extracting(Targets.Row::verdict).containsExactly(Targets.Verdict.PASS, Targets.Verdict.FAIL,
                Targets.Verdict.PASS, Targets.Verdict.FAIL, Targets.Verdict.NOT_MEASURED, Targets.Verdict.NOT_MEASURED);
        assertThat(rows.get(0).measured()).isEqualTo("1.07");
        assertThat(new Targets().ratioAtLeast("b", "r", 1.0, 1.0, 1.0).markdown()).contains("| 1.00 | ≥ 1.0 | PASS |");
    }

    @Test
    void pgbenchSummaryIsParsed() {
        String out = """
                pgbench (15.8 (Debian 15.8-0+deb12u1))
                transaction type: /tmp/pgbench-insert.sql
                number of clients: 64
                latency average = 3.052 ms
                initial connection time = 120.334 ms
                tps = 20971.412345 (without initial connection time)
                """;
        var s = References.parsePgbench(out);
        assertThat(s.tps()).isEqualTo(20971.412345);
        assertThat(s.averageMs()).isEqualTo(3.052);
        assertThatThrownBy(() -> References.parsePgbench("connection refused")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pgbenchLogLineGivesLatencyMicros() {
        assertThat(References.pgbenchLatencyMicros("12 345 2870 0 1764664000 123456")).isEqualTo(2870);
        assertThatThrownBy(() -> References.pgbenchLatencyMicros("garbage")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wrkRateIsParsed() {
        assertThat(References.parseWrkRate("  Requests/sec:  97123.45\nTransfer/sec: 7.1MB\n")).isEqualTo(97123.45);
    }
}

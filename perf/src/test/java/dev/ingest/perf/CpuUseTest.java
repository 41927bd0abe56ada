package dev.ingest.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class CpuUseTest {
    @Test
    void perRecordSplitsTheMachineIntoServicePostgresAndTheRest() {
        CpuUse.Snapshot before = new CpuUse.Snapshot(10.0, 2.0, 3.0);
        CpuUse.Snapshot after = new CpuUse.Snapshot(12.0, 2.5, 4.0);
        CpuUse.PerRecord r = CpuUse.perRecord(before, after, 100_000);
        assertThat(r.service()).isCloseTo(5.0, Offset.offset(1e-9));
        assertThat(r.postgres()).isCloseTo(10.0, Offset.offset(1e-9));
        assertThat(r.rest()).isCloseTo(5.0, Offset.offset(1e-9));
        assertThat(r.total()).isCloseTo(20.0, Offset.offset(1e-9));
    }

    @Test
    void thisProcessSpendsCpuThatProcReports() throws IOException {
        assumeTrue(CpuUse.available(), "no /proc here");
        Path self = Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "stat");
        assertThat(CpuUse.name(self)).isEqualTo("java");
        double before = CpuUse.processSeconds(self);
        long x = 0;
        long end = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < end) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        assertThat(x).isNotNegative();
        assertThat(CpuUse.processSeconds(self)).isGreaterThan(before);
        assertThat(CpuUse.machineSeconds()).isPositive();
    }

    @Test
    void aProcessThatHasGoneSpentNothing() {
        assertThat(CpuUse.processSeconds(Path.of("/proc/not-a-pid/stat"))).isZero();
        assertThat(CpuUse.name(Path.of("/proc/not-a-pid/stat"))).isNull();
    }
}

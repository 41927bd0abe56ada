package dev.ingest.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class CpuUseTest {
    @Test
    void perRecordSplitsTheMachineIntoServicePostgresTheHarnessAndTheRest() {
        CpuUse.Snapshot before = new CpuUse.Snapshot(10.0, 2.0, 1.0, 3.0, 5.0);
        CpuUse.Snapshot after = new CpuUse.Snapshot(12.0, 2.5, 1.1, 4.0, 5.2);
        CpuUse.PerRecord r = CpuUse.perRecord(before, after, 100_000);
        assertThat(r.service()).isCloseTo(5.0, Offset.offset(1e-9));
        assertThat(r.serviceJit()).isCloseTo(1.0, Offset.offset(1e-9));
        assertThat(r.postgres()).isCloseTo(10.0, Offset.offset(1e-9));
        assertThat(r.harness()).isCloseTo(2.0, Offset.offset(1e-9));
        assertThat(r.rest()).isCloseTo(3.0, Offset.offset(1e-9));
        assertThat(r.total()).isCloseTo(20.0, Offset.offset(1e-9));
    }

    @Test
    void theJitThreadsOfThisJvmAreFound() throws IOException {
        assumeTrue(CpuUse.available(), "no /proc here");
        Path self = Path.of("/proc", Long.toString(ProcessHandle.current().pid()));
        // A JVM that has started JUnit has spent more than a clock tick (10 ms) compiling.
        assertThat(CpuUse.jitSeconds(self)).isPositive();
        assertThat(CpuUse.jitSeconds(self)).isLessThanOrEqualTo(CpuUse.processSeconds(self.resolve("stat")));
        assertThat(CpuUse.jitSeconds(Path.of("/proc/not-a-pid"))).isZero();
    }

    @Test
    void thisProcessSpendsCpuThatProcReports() throws IOException {
        assumeTrue(CpuUse.available(), "no /proc here");
        Path self = Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "stat");
        assertThat(CpuUse.name(self)).isEqualTo("java");
        double before = CpuUse.processSeconds(self);
        double after = before;
        long x = 0;
        // Work until /proc counts a clock tick more (10 ms of CPU); bounded, so a /proc that never moves fails.
        for (long i = 1; i < 20_000_000_000L && after <= before; i++) {
            x += Long.numberOfTrailingZeros(x + i);
            if ((i & 0xFFFFF) == 0) {
                after = CpuUse.processSeconds(self);
            }
        }
        assertThat(x).isNotNegative();
        assertThat(after).isGreaterThan(before);
        assertThat(CpuUse.machineSeconds()).isPositive();
    }

    @Test
    void aProcessThatHasGoneSpentNothing() {
        assertThat(CpuUse.processSeconds(Path.of("/proc/not-a-pid/stat"))).isZero();
        assertThat(CpuUse.name(Path.of("/proc/not-a-pid/stat"))).isNull();
    }
}

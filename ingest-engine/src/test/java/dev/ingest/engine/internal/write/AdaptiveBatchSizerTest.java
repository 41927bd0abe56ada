package dev.ingest.engine.internal.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AdaptiveBatchSizerTest {
    private static final long TARGET = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long FAST = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long SLOW = TimeUnit.MILLISECONDS.toNanos(80);

    @Test
    void startsAtAQuarterOfTheCap() {
        assertThat(new AdaptiveBatchSizer(64, 8000, TARGET).limit()).isEqualTo(2000);
        assertThat(new AdaptiveBatchSizer(64, 100, TARGET).limit()).isEqualTo(64);
    }

    @Test
    void fullBatchesUnderTheTargetGrowTheLimitAdditivelyUpToTheCap() {
        AdaptiveBatchSizer s = new AdaptiveBatchSizer(64, 8000, TARGET);
        s.onBatch(2000, FAST);
        assertThat(s.limit()).isEqualTo(2500);
        s.onBatch(2500, FAST);
        assertThat(s.limit()).isEqualTo(3000);
        for (int i = 0; i < 100; i++) {
            s.onBatch(s.limit(), FAST);
        }
        assertThat(s.limit()).isEqualTo(8000);
    }

    @Test
    void slowBatchesShrinkTheLimitMultiplicativelyDownToTheFloor() {
        AdaptiveBatchSizer s = new AdaptiveBatchSizer(64, 8000, TARGET);
        s.onBatch(2000, SLOW);
        assertThat(s.limit()).isEqualTo(1400);
        s.onBatch(10, SLOW); // slow even when small: still a signal to back off
        assertThat(s.limit()).isEqualTo(980);
        for (int i = 0; i < 100; i++) {
            s.onBatch(1, SLOW);
        }
        assertThat(s.limit()).isEqualTo(64);
    }

    @Test
    void batchesThatWereNotFullLeaveTheLimitAlone() {
        AdaptiveBatchSizer s = new AdaptiveBatchSizer(64, 8000, TARGET);
        s.onBatch(5, FAST);
        s.onBatch(1999, FAST);
        assertThat(s.limit()).isEqualTo(2000);
    }

    @Test
    void convergesBelowTheTargetWhenLatencyGrowsWithBatchSize() {
        // A database whose commit takes 5 ms plus 20 µs per row: the target of 50 ms is met
        // up to 2,250 rows. The limit must settle around there, oscillating as AIMD does.
        AdaptiveBatchSizer s = new AdaptiveBatchSizer(64, 8000, TARGET);
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int i = 0; i < 1000; i++) {
            int rows = s.limit();
            s.onBatch(rows, TimeUnit.MICROSECONDS.toNanos(5000 + 20L * rows));
            if (i > 500) {
                min = Math.min(min, s.limit());
                max = Math.max(max, s.limit());
            }
        }
        assertThat(max).isBetween(2250, 2250 + 500);
        assertThat(min).isBetween((int) (2250 * 0.7) - 1, 2250);
    }

    @Test
    void refusesAnEmptyRange() {
        assertThatThrownBy(() -> new AdaptiveBatchSizer(0, 10, TARGET)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AdaptiveBatchSizer(10, 5, TARGET)).isInstanceOf(IllegalArgumentException.class);
    }
}

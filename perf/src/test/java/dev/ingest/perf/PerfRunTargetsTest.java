package dev.ingest.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bulk and `ingest load` targets compare with psql's runs next to theirs where there are any. */
class PerfRunTargetsTest {
    private static Stats of(String name, double... values) {
        return new Stats(name, java.util.Arrays.stream(values).boxed().toList());
    }

    private static List<Targets.Row> rows(Stats atStart, Stats nextToBulk, Stats nextToCli) {
        Stats bulk = of("bulk", 90_000, 92_000, 91_000);
        Stats cli = of("cli", 70_000, 71_000, 69_000);
        return PerfRun.targets(atStart, nextToBulk, nextToCli, null, null, bulk, Map.of(), cli, null, null, null, null, null, null,
                null, null, null).rows();
    }

    @Test
    void theReferenceNextToTheRunsDecidesWhereThereIsOne() {
        Stats atStart = of("psql at the start", 100_000, 101_000, 99_000);
        List<Targets.Row> alone = rows(atStart, null, null);
        assertThat(alone.get(0).measured()).isEqualTo("0.91");
        assertThat(alone.get(0).figure()).isEqualTo("rows/s ÷ psql \\copy CSV x2");
        assertThat(alone.get(1).measured()).isEqualTo("0.70");

        List<Targets.Row> paired = rows(atStart, of("next to bulk", 88_000, 90_000, 89_000), of("next to cli", 72_000, 70_000, 71_000));
        assertThat(paired.get(0).measured()).isEqualTo("1.02");
        assertThat(paired.get(0).verdict()).isEqualTo(Targets.Verdict.PASS);
        assertThat(paired.get(0).figure()).isEqualTo("rows/s ÷ psql \\copy CSV x2, each run next to one");
        assertThat(paired.get(1).measured()).isEqualTo("0.99");
        assertThat(paired.get(1).verdict()).isEqualTo(Targets.Verdict.FAIL);
    }
}

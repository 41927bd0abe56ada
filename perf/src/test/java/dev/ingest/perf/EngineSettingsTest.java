package dev.ingest.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineSettingsTest {
    private static final Map<String, String> WRITERS = new LinkedHashMap<>(Map.of("writers_per_table", "4"));

    @Test
    void noSettingLeavesTheScenarioConfigAlone() {
        assertThat(PerfRun.withEngineSettings("engine:\n  writer_mode: copy\n", Map.of())).isEqualTo("engine:\n  writer_mode: copy\n");
    }

    @Test
    void aDefaultConfigurationGetsAnEngineSection() {
        assertThat(PerfRun.withEngineSettings("", WRITERS)).isEqualTo("engine:\n  writers_per_table: 4\n");
    }

    @Test
    void aScenarioKeepsItsOwnSettingAndGetsTheOthers() {
        Map<String, String> two = new LinkedHashMap<>(WRITERS);
        two.put("linger_ms", "2");
        assertThat(PerfRun.withEngineSettings("engine:\n  writers_per_table: 1\n  max_batch_rows: 1\n", two))
                .isEqualTo("engine:\n  writers_per_table: 1\n  linger_ms: 2\n  max_batch_rows: 1\n");
    }
}

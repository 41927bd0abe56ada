package dev.ingest.perf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingest.api.formats.CsvGrammar;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadTest {
    private final Workload workload = new Workload(42);

    @Test
    void rowsArePureFunctionsOfSeedAndNumber() {
        assertThat(new Workload(42).row(12345)).containsExactly(workload.row(12345));
        assertThat(new Workload(43).row(12345)[0]).isNotEqualTo(workload.row(12345)[0]);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 50_000; i++) {
            ids.add(workload.row(i)[0]);
        }
        assertThat(ids).as("event ids are unique").hasSize(50_000);
    }

    @Test
    void csvAndNdjsonCarryTheSameValues() throws Exception {
        String[] row = workload.row(7);
        byte[] line = workload.csvLine(7).getBytes(StandardCharsets.UTF_8);
        CsvGrammar csv = new CsvGrammar(); // the service's own CSV grammar
        assertThat(csv.frame(line, 0, line.length, true)).isEqualTo(CsvGrammar.Framing.RECORD);
        List<String> fields = csv.row(line).fields();
        assertThat(fields).containsExactly(row);
        JsonNode json = new ObjectMapper().readTree(workload.ndjsonLine(7));
        assertThat(json.get("event_id").asText()).isEqualTo(row[0]);
        assertThat(json.get("user_id").asLong()).isEqualTo(7);
        assertThat(json.get("payload").get("n").asLong()).isEqualTo(7);
        assertThat(workload.jsonObject(7)).isEqualTo(workload.ndjsonLine(7).strip());
    }

    @Test
    void rowsAreAboutTheSizeBenchmarksMdDescribes() {
        long csv = 0;
        long ndjson = 0;
        for (int i = 0; i < 1000; i++) {
            csv += workload.csvLine(i).length();
            ndjson += workload.ndjsonLine(i).length();
        }
        assertThat(csv / 1000).isBetween(150L, 230L);
        assertThat(ndjson / 1000).isBetween(220L, 280L);
    }

    @Test
    void bodiesSplitRowsWithoutLosingAny() {
        List<byte[]> bodies = workload.ndjsonBodies(0, 2500, 1000);
        assertThat(bodies).hasSize(3);
        long lines = bodies.stream().mapToLong(b -> new String(b).lines().count()).sum();
        assertThat(lines).isEqualTo(2500);
    }

    @Test
    void medianAndSpread() {
        Stats odd = new Stats("x", List.of(3.0, 1.0, 2.0));
        Stats even = new Stats("y", List.of(4.0, 1.0, 3.0, 2.0));
        assertThat(odd.median()).isEqualTo(2.0);
        assertThat(even.median()).isEqualTo(2.5);
        assertThat(even.min()).isEqualTo(1.0);
        assertThat(even.max()).isEqualTo(4.0);
        assertThat(odd.describe()).isEqualTo("2 (1–3, n=3)");
    }
}

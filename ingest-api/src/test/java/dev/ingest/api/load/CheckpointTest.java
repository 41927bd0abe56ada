package dev.ingest.api.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint files stay readable across versions: the same JSON as Jackson's data binding of the record. */
class CheckpointTest {
    private static final ObjectMapper BINDING = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @TempDir
    Path dir;

    private final Checkpoint sample = new Checkpoint("file:/data/a \"b\".csv|1024|17", "csv", 8 << 20, 9_876_543_210L, 42, 1_000_000, 3,
            false);

    @Test
    void aCheckpointIsWrittenAsDataBindingWritesTheRecordAndReadBack() throws Exception {
        Path file = dir.resolve("state/load-1.json");
        sample.write(file);
        assertThat(Files.readString(file)).isEqualTo(BINDING.writeValueAsString(sample));
        assertThat(Checkpoint.read(file)).isEqualTo(sample);
        Checkpoint done = new Checkpoint("stdin", "ndjson", 1, 5, 2, 4, 0, true);
        done.write(file);
        assertThat(Checkpoint.read(file)).isEqualTo(done);
        assertThat(Files.list(file.getParent())).containsExactly(file);
    }

    @Test
    void aFileOfAnEarlierOrLaterVersionIsRead() throws Exception {
        Path file = dir.resolve("old.json");
        Files.writeString(file, BINDING.writeValueAsString(sample));
        assertThat(Checkpoint.read(file)).isEqualTo(sample);
        Files.writeString(file, "{\"format\":\"csv\",\"identity\":\"x\",\"extra\":{\"a\":[1,2]},\"offset\":7,\"complete\":true}");
        assertThat(Checkpoint.read(file)).isEqualTo(BINDING.readValue(file.toFile(), Checkpoint.class))
                .isEqualTo(new Checkpoint("x", "csv", 0, 7, 0, 0, 0, true));
    }

    /** Values of another JSON type are not read as the field's (data binding turned 1.5 into 1 and 1 into true). */
    @Test
    void aFileThatIsNotACheckpointReadsAsNone() throws Exception {
        assertThat(Checkpoint.read(dir.resolve("missing.json"))).isNull();
        Path file = dir.resolve("bad.json");
        for (String text : new String[] {"", "{", "[]", "{\"offset\":\"seven\"}", "{\"complete\":1}", "{\"offset\":1.5}",
                "{\"identity\":[\"x\"]}", "{} trailing", "null"}) {
            Files.writeString(file, text);
            assertThat(Checkpoint.read(file)).as(text).isNull();
        }
    }
}

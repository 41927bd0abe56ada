package dev.ingest.api.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.HttpConfig;
import dev.ingest.api.config.StreamingConfig;
import org.junit.jupiter.api.Test;

/**
 * The configuration tree documents values that some classes still hard-code, until they take
 * them from the tree: the two must agree. Remove each line when its constant goes.
 */
class PendingConfigWiringTest {
    @Test
    void theTreesDefaultsAreTheConstantsStillInTheCode() {
        assertThat(StreamingConfig.DEFAULTS.segmentRows()).isEqualTo(StreamingUpload.SEGMENT_ROWS);
        assertThat(StreamingConfig.DEFAULTS.segmentBytes()).isEqualTo(StreamingUpload.SEGMENT_BYTES);
        assertThat(HttpConfig.DEFAULTS.answerSliceBytes()).isEqualTo(AnswerWriter.SLICE_BYTES);
    }
}

package dev.ingest.api.load;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import org.junit.jupiter.api.Test;

/** The progress bar, drawn by the library on an 80-column console: the counts that matter stay visible. */
class ProgressBarTest {
    private static final String LONG_NAME = "/var/data/exports/2026/12/01/events-exported-by-the-nightly-job-of-the-shop.csv.gz";

    /** The frames drawn (each starts with a carriage return), without the colour codes. */
    private static List<String> frames(String name, long size, long bytes, long rows, long rejected) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Progress.Bar bar = new Progress.Bar(name, size, new ConsoleProgressBarConsumer(new PrintStream(out, true, UTF_8), 80));
        bar.update(bytes, rows, rejected);
        bar.close();
        return Arrays.stream(out.toString(UTF_8).split("[\r\n]")).map(s -> s.replaceAll("\u001b\\[[0-9;]*m", ""))
                .filter(s -> !s.isBlank()).toList();
    }

    @Test
    void rowsAndRejectedCountsFitIn80ColumnsWithALongNameAndBigNumbers() {
        List<String> frames = frames(LONG_NAME, 10L << 30, 3L << 30, 123_456_789, 1_234_567);
        assertThat(frames).isNotEmpty().allSatisfy(f -> assertThat(f.length()).as(f).isLessThanOrEqualTo(80));
        assertThat(frames.get(frames.size() - 1)).contains("123,456,789 rows").contains("1,234,567 rejected").contains("30%");
    }

    @Test
    void standardInputOfUnknownSizeShowsTheCountsToo() {
        List<String> frames = frames("-", -1, 5L << 20, 42_000, 7);
        assertThat(frames).isNotEmpty().allSatisfy(f -> assertThat(f.length()).as(f).isLessThanOrEqualTo(80));
        assertThat(frames.get(frames.size() - 1)).contains("42,000 rows").contains("7 rejected");
    }

    @Test
    void theLineKeepsTheEssentialsAtAnyWidth() {
        for (int width = 20; width <= 200; width++) {
            String line = BarLine.line(LONG_NAME, 1, 3, 9_876_543, 12_345, 45_678, 12.0, null, width);
            assertThat(line.length()).as(line).isLessThan(width);
            if (width >= 40) {
                assertThat(line).contains("9,876,543 rows, 12,345 rejected");
            }
            if (width >= 80) {
                assertThat(line).contains("rows/s").contains("ETA");
            }
        }
        assertThat(BarLine.line("events.csv.gz", 1, 2, 10, 0, 5, 1.0, "HTTP 429: busy; retrying in 1000 ms", 80))
                .contains("10 rows, 0 rejected").contains("HTTP 429");
    }
}

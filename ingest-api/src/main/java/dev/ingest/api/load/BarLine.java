package dev.ingest.api.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressState;

/**
 * The progress bar's line, fitted to the terminal's width: the counts that matter (rows, rejected
 * records, the percentage) stay visible in 80 columns whatever the file name or the numbers; the
 * ETA, rate and bytes come next; the bar itself and the file name give way first.
 *
 * <p>Why our own renderer: the library's default puts the task name and the bar before the
 * extra message and cuts the line at the terminal's width, which cut off the rejected count.
 */
final class BarLine implements ProgressBarRenderer {
    private static final int MIN_BAR = 5;
    private static final int MIN_NAME = 8;
    private static final int MAX_BAR = 30;

    /** What the line shows; read at each render. */
    interface Counts {
        long rows();

        long rejected();

        double rowsPerSecond();

        /** A note to show instead of the rate and bytes (a retry), or null. */
        String note();
    }

    private final String name;
    private final Counts counts;

    BarLine(String name, Counts counts) {
        this.name = name;
        this.counts = counts;
    }

    @Override
    public String render(ProgressState state, int width) {
        long max = state.isIndefinite() ? -1 : state.getMax();
        double elapsed = state.getTotalElapsed().toMillis() / 1000.0;
        return line(name, state.getCurrent(), max, counts.rows(), counts.rejected(), counts.rowsPerSecond(), elapsed, counts.note(),
                width);
    }

    /**
     * The line for {@code bytes} of {@code size} (-1: unknown) read, at most {@code width} characters.
     */
    static String line(String name, long bytes, long size, long rows, long rejected, double rowsPerSecond, double elapsedSeconds,
            String note, int width) {
        double fraction = size > 0 ? Math.min(1, (double) bytes / size) : -1;
        String essential = String.format(Locale.ROOT, "%,d rows, %,d rejected", rows, rejected);
        String percent = fraction >= 0 ? String.format(Locale.ROOT, "%3.0f%%", 100 * fraction) : "";
        // Optional parts, most useful first; each is dropped, from the last, until the line fits.
        List<String> optional = new ArrayList<>();
        if (note != null && !note.isBlank()) {
            optional.add(note);
        } else {
            if (fraction > 0 && fraction < 1) {
                long left = (long) (elapsedSeconds / fraction - elapsedSeconds);
                optional.add("ETA " + Progress.duration(Duration.ofSeconds(left)));
            }
            optional.add(Progress.rate(rowsPerSecond) + " rows/s");
            optional.add(Progress.bytes(bytes) + (size > 0 ? " of " + Progress.bytes(size) : ""));
        }
        String shortName = fileName(name);
        while (true) {
            String tail = essential + (optional.isEmpty() ? "" : ", " + String.join(", ", optional));
            int fixed = (percent.isEmpty() ? 0 : percent.length() + 1) + tail.length();
            int room = width - 1 - fixed; // what is left for the name and the bar
            int barWidth = fraction >= 0 ? Math.min(MAX_BAR, room - Math.min(shortName.length(), MIN_NAME) - 3) : 0;
            if (fraction >= 0 && barWidth >= MIN_BAR || fraction < 0 && room >= Math.min(shortName.length(), MIN_NAME) + 1) {
                int nameRoom = room - (fraction >= 0 ? barWidth + 4 : 1); // the bar's two edges and the spaces around it
                return fit(shortName, nameRoom) + " " + (fraction >= 0 ? percent + " " + bar(fraction, barWidth) + " " : "") + tail;
            }
            if (optional.isEmpty()) {
                // Only the essentials are left: they come first, the rest is cut.
                String line = (percent.isEmpty() ? "" : percent + " ") + essential;
                return line.length() <= width - 1 ? line : line.substring(0, Math.max(0, width - 1));
            }
            optional.remove(optional.size() - 1);
        }
    }

    private static String bar(double fraction, int width) {
        int filled = (int) Math.round(fraction * width);
        return "\u2502" + "\u2588".repeat(filled) + " ".repeat(width - filled) + "\u2502";
    }

    private static String fileName(String name) {
        int slash = name.lastIndexOf('/');
        return slash >= 0 && slash < name.length() - 1 ? name.substring(slash + 1) : name;
    }

    /** {@code name} in at most {@code room} characters: cut in the middle, so that the start and the extension show. */
    private static String fit(String name, int room) {
        if (name.length() <= room) {
            return name;
        }
        if (room <= 3) {
            return name.substring(0, Math.max(0, room));
        }
        int head = (room - 1) / 2;
        int tail = room - 1 - head;
        return name.substring(0, head) + "~" + name.substring(name.length() - tail);
    }
}

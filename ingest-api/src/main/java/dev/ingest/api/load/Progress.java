package dev.ingest.api.load;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * What a load shows while it runs: on a terminal, a live bar (bytes of the input read, with rows,
 * rows/s and rejected records beside it, and the ETA); elsewhere (cron, a pipe) a plain line every
 * {@code plainInterval} ({@code progressInterval} of the client's configuration). Called from the
 * loader's threads; {@link #update} is cheap.
 */
abstract class Progress implements AutoCloseable {
    /** The counters now: bytes of the input read (as stored), records committed, records refused. */
    abstract void update(long bytesRead, long loaded, long rejected);

    /** A message that must not be lost in the bar (a retry, say). */
    abstract void note(String message);

    @Override
    public abstract void close();

    static Progress of(boolean terminal, Duration plainInterval, String name, long size, PrintStream err,
            LongSupplier nanoClock) {
        return terminal ? new Bar(name, size, err) : new Plain(name, size, err, nanoClock, plainInterval.toNanos());
    }

    static String rate(double perSecond) {
        return perSecond >= 10_000 ? String.format(Locale.ROOT, "%.0fk", perSecond / 1000)
                : String.format(Locale.ROOT, "%.0f", perSecond);
    }

    static String bytes(long n) {
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / (1024.0 * 1024 * 1024));
    }

    static String duration(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** me.tongfei progressbar on standard error, over the bytes of the input, drawn by {@link BarLine}. */
    static final class Bar extends Progress implements BarLine.Counts {
        private final ProgressBar bar;
        private final long started = System.nanoTime();
        private volatile long rows;
        private volatile long rejected;
        private volatile double rowsPerSecond;
        private volatile String note;

        Bar(String name, long size, PrintStream err) {
            this(name, size, new ConsoleProgressBarConsumer(err));
        }

        /** With a console of a fixed width (for tests: {@code new ConsoleProgressBarConsumer(out, 80)}). */
        Bar(String name, long size, ConsoleProgressBarConsumer console) {
            bar = new ProgressBarBuilder()
                    .setTaskName(name)
                    .setInitialMax(size > 0 ? size : -1)
                    .setRenderer(new BarLine(name, this))
                    .setConsumer(console)
                    .setUpdateIntervalMillis(250)
                    .build();
        }

        @Override
        synchronized void update(long bytesRead, long loaded, long rejected) {
            double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
            this.rows = loaded;
            this.rejected = rejected;
            this.rowsPerSecond = loaded / seconds;
            this.note = null;
            bar.stepTo(bytesRead);
        }

        @Override
        synchronized void note(String message) {
            note = message;
        }

        @Override
        public long rows() {
            return rows;
        }

        @Override
        public long rejected() {
            return rejected;
        }

        @Override
        public double rowsPerSecond() {
            return rowsPerSecond;
        }

        @Override
        public String note() {
            return note;
        }

        @Override
        public synchronized void close() {
            bar.close();
        }
    }

    /** A line every {@code intervalNanos} at most, for logs: no carriage returns, no colours. */
    private static final class Plain extends Progress {
        private final String name;
        private final long size;
        private final PrintStream err;
        private final LongSupplier nanoClock;
        private final long intervalNanos;
        private final long started;
        private long lastLine;

        Plain(String name, long size, PrintStream err, LongSupplier nanoClock, long intervalNanos) {
            this.name = name;
            this.size = size;
            this.err = err;
            this.nanoClock = nanoClock;
            this.intervalNanos = intervalNanos;
            this.started = nanoClock.getAsLong();
            this.lastLine = started;
            err.println("ingest load: " + name + ": started" + (size >= 0 ? " (" + bytes(size) + ")" : ""));
        }

        @Override
        synchronized void update(long bytesRead, long loaded, long rejected) {
            long now = nanoClock.getAsLong();
            if (now - lastLine < intervalNanos) {
                return;
            }
            lastLine = now;
            double seconds = Math.max(1e-3, (now - started) / 1e9);
            StringBuilder line = new StringBuilder("ingest load: ").append(name).append(": ")
                    .append(String.format(Locale.ROOT, "%,d rows, %s rows/s, %,d rejected, %s read", loaded,
                            rate(loaded / seconds), rejected, bytes(bytesRead)));
            if (size > 0 && bytesRead > 0) {
                double fraction = Math.min(1, (double) bytesRead / size);
                long left = (long) (seconds / fraction - seconds);
                line.append(String.format(Locale.ROOT, " (%.0f%%, ETA %s)", 100 * fraction, duration(Duration.ofSeconds(left))));
            }
            err.println(line);
        }

        @Override
        synchronized void note(String message) {
            err.println("ingest load: " + name + ": " + message);
        }

        @Override
        public void close() {
            err.flush();
        }
    }
}

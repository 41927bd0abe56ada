package dev.ingest.engine.internal.write;

import java.util.function.LongSupplier;

/**
 * A nanosecond clock that moves only when told (Kafka's {@code MockTime}): the writer's waits move
 * it through {@link ScriptedQueue}, a commit through {@link ClockedDataSource}. Not thread-safe: a
 * test drives the writer on its own thread.
 */
final class ManualClock implements LongSupplier {
    private long now;

    ManualClock(long start) {
        this.now = start;
    }

    @Override
    public long getAsLong() {
        return now;
    }

    void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time does not go back: " + nanos);
        }
        now += nanos;
    }
}

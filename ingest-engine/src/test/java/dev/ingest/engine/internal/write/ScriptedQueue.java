package dev.ingest.engine.internal.write;

import dev.ingest.engine.internal.admit.InFlight;
import dev.ingest.engine.internal.queue.RequestSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link RequestSource} on a {@link ManualClock}: where {@code RequestQueue} parks the writer's
 * thread, this one moves the clock to the end of the wait, or to the next scripted event
 * ({@link #at}: a request arriving, the writer being abandoned) if that comes first, runs the
 * event and returns, as the real queue returns when an offer or {@code wake()} unparks it (an
 * event ends a {@link #sleep} too: early returns are in the contract, and the writer re-checks the
 * time). So a test drives a writer's linger and backoff in no time, on the test's own thread.
 *
 * <p>Keeps the real queue's contract where it matters: {@link #await} returns at once while a
 * request is queued. A consumer that calls it in a loop without taking the request would spin
 * with the clock standing still; this queue says so (an {@link IllegalStateException}) instead of
 * hanging the test.
 */
final class ScriptedQueue implements RequestSource<InFlight> {
    /** Manual time past which a writer is taken to wait for something the script never brings. */
    private static final long HORIZON_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final int MAX_INSTANT_AWAITS = 1000;

    private record Event(long at, long order, Runnable action) {
    }

    private final ManualClock clock;
    private final long start;
    private final ArrayDeque<InFlight> queued = new ArrayDeque<>();
    private final PriorityQueue<Event> events = new PriorityQueue<>(Comparator.comparingLong(Event::at)
            .thenComparingLong(Event::order));
    private final List<Long> waits = new ArrayList<>();
    private long scripted;
    private int instantAwaits;

    ScriptedQueue(ManualClock clock) {
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /** Queues a request now. */
    void add(InFlight request) {
        queued.add(request);
    }

    /** Runs {@code action} when a wait reaches {@code at} on the clock (at once in the next wait if that is past). */
    void at(long at, Runnable action) {
        events.add(new Event(at, scripted++, action));
    }

    /** How long each wait of the writer lasted on the clock, in order (a wait that returned at once is 0). */
    List<Long> waits() {
        return List.copyOf(waits);
    }

    @Override
    public void bindConsumer(Thread thread) {
        // No thread to unpark: the test's thread is the consumer.
    }

    @Override
    public InFlight poll() {
        instantAwaits = 0;
        return queued.poll();
    }

    @Override
    public InFlight peek() {
        return queued.peek();
    }

    @Override
    public void await(long nanos) {
        if (!queued.isEmpty()) {
            waits.add(0L);
            if (++instantAwaits > MAX_INSTANT_AWAITS) {
                throw new IllegalStateException("the consumer spins: await returned at once " + instantAwaits
                        + " times in a row, a request queued and the clock standing still");
            }
            return;
        }
        pass(nanos);
    }

    @Override
    public void sleep(long nanos) {
        pass(nanos);
    }

    private void pass(long nanos) {
        instantAwaits = 0;
        long from = clock.getAsLong();
        long until = from + nanos;
        Event next = events.peek();
        if (next != null && next.at() <= until) {
            clock.advance(Math.max(0, next.at() - from));
            while (!events.isEmpty() && events.peek().at() <= clock.getAsLong()) {
                events.poll().action().run();
            }
        } else {
            clock.advance(nanos);
        }
        waits.add(clock.getAsLong() - from);
        if (clock.getAsLong() - start > HORIZON_NANOS) {
            throw new IllegalStateException("the writer is still waiting an hour into the script, with nothing left to happen");
        }
    }

    @Override
    public void wake() {
        // Each wait returns after the events it ran (abandon() among them): nothing to cut short.
    }

    @Override
    public boolean isEmpty() {
        return queued.isEmpty();
    }

    @Override
    public int size() {
        return queued.size();
    }
}

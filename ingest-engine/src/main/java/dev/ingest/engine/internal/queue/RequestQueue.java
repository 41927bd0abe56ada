package dev.ingest.engine.internal.queue;

import dev.ingest.engine.internal.admit.InFlight;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscArrayQueue;

/**
 * A bounded multi-producer, single-consumer queue of requests for one table, with parking for the
 * consumer. Producers are request threads (event loops); the one consumer is the table's writer,
 * which sees it as a {@link RequestSource}.
 *
 * <p>{@link #offer} never blocks: it returns false iff the queue is full. The consumer parks in
 * {@link #await} when idle and is unparked by the next offer, so an idle writer costs no CPU.
 */
public final class RequestQueue implements RequestSource<InFlight> {
    private final MpscArrayQueue<InFlight> queue;
    private final AtomicLong rows = new AtomicLong();
    private volatile Thread consumer;
    private volatile boolean consumerWaiting;

    public RequestQueue(int capacity) {
        this.queue = new MpscArrayQueue<>(capacity);
    }

    /** Binds the consumer thread; must be called by that thread before it first awaits. */
    public void bindConsumer(Thread thread) {
        this.consumer = thread;
    }

    /** Adds a request; false iff the queue is full. Safe from any thread. */
    public boolean offer(InFlight request) {
        int n = request.request().rows().size();
        rows.addAndGet(n); // before the offer, so that the consumer's poll never takes it below zero
        if (!queue.offer(request)) {
            rows.addAndGet(-n);
            return false;
        }
        if (consumerWaiting) {
            LockSupport.unpark(consumer);
        }
        return true;
    }

    /** Takes one request, or null when empty. Consumer thread only. */
    public InFlight poll() {
        InFlight r = queue.relaxedPoll();
        if (r != null) {
            rows.addAndGet(-r.request().rows().size());
        }
        return r;
    }

    /** The next request without taking it, or null when empty. Consumer thread only. */
    public InFlight peek() {
        return queue.relaxedPeek();
    }

    /**
     * Parks the consumer until a request arrives, {@link #wake} is called, or {@code nanos} pass.
     * May return early (spurious wake-up); callers re-check their condition. Consumer thread only.
     */
    public void await(long nanos) {
        consumerWaiting = true;
        try {
            if (queue.isEmpty()) {
                LockSupport.parkNanos(this, Math.max(nanos, TimeUnit.MICROSECONDS.toNanos(1)));
            }
        } finally {
            consumerWaiting = false;
        }
    }

    /**
     * Parks the consumer for {@code nanos} or until {@link #wake}; offers do not unpark it, since
     * it does not say it is waiting. May return early. Consumer thread only.
     */
    public void sleep(long nanos) {
        LockSupport.parkNanos(this, Math.max(nanos, TimeUnit.MICROSECONDS.toNanos(1)));
    }

    /** Unparks the consumer, e.g. so that it notices shutdown. */
    public void wake() {
        Thread t = consumer;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }

    public int size() {
        return queue.size();
    }

    /** Records of the waiting requests (not of a batch being written). Safe from any thread; a moment's view. */
    public long rows() {
        return rows.get();
    }
}

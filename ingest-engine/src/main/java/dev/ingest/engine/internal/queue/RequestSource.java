package dev.ingest.engine.internal.queue;

/**
 * The consumer's side of a request queue: what a writer takes its requests from, and how it waits
 * for the next one. {@link RequestQueue} is the production one (parks the consumer thread); a
 * test drives a writer through one whose waits move a manual clock instead, so that
 * linger and backoff are tested without waiting (as Kafka's {@code SenderTest} does with
 * {@code MockTime}).
 *
 * <p>All methods but {@link #wake} are for the one consumer thread.
 *
 * @param <R> what the queue holds
 */
public interface RequestSource<R> {
    /** Binds the consumer thread; called by that thread before it first awaits. */
    void bindConsumer(Thread thread);

    /** Takes one request, or null when empty. */
    R poll();

    /** The next request without taking it, or null when empty. */
    R peek();

    /**
     * Waits until a request arrives, {@link #wake} is called, or {@code nanos} pass; returns at
     * once when a request is queued. May return early: callers re-check their condition.
     */
    void await(long nanos);

    /**
     * Waits {@code nanos}, or until {@link #wake} is called, whatever is queued meanwhile: a
     * backoff, which arrivals must not cut short (nor turn into a spin, as {@link #await} would
     * with a request queued). May return early: callers re-check the time.
     */
    void sleep(long nanos);

    /** Makes the consumer's current (else its next) wait return, e.g. so that it notices shutdown. Any thread. */
    void wake();

    boolean isEmpty();

    /** Requests queued; safe from any thread (an estimate while producers add). */
    int size();
}

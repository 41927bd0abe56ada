package dev.ingest.engine;

/**
 * Memory that a caller holds in the engine's budget for bytes that are not records yet or any
 * more: a JSON body while it arrives, an encoded answer until the socket takes it. Holding it
 * makes the engine refuse or pause new work instead of the heap growing. Opened with
 * {@link IngestEngine#hold()}; every byte is given back by {@link #release(long)} or
 * {@link #close()}.
 *
 * <p>Confined to one thread (or used under the caller's own ordering).
 */
public interface MemoryHold extends AutoCloseable {
    /**
     * Takes {@code bytes} more if they fit.
     *
     * @return {@link Admission#ACCEPTED}, or {@link Admission#BUDGET_FULL} /
     *         {@link Admission#DATABASE_DOWN} (full while the database is unreachable), taking nothing
     */
    Admission tryTake(long bytes);

    /**
     * Takes {@code bytes} more whether or not they fit: for what cannot be refused any more (the
     * answer about committed records); admission of new work is what keeps the total bounded.
     */
    void take(long bytes);

    /** Gives back up to {@code bytes} of what is held. */
    void release(long bytes);

    /** Gives back everything it holds; it may be used again after. */
    @Override
    void close();
}

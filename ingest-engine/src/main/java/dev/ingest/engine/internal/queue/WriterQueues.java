package dev.ingest.engine.internal.queue;

import dev.ingest.engine.internal.admit.InFlight;
import java.util.List;

/**
 * The writer queues of one table, filled in turn rather than evenly: a request goes to the first
 * writer (in a fixed order) with fewer than {@link #SPILL_ROWS} records waiting, else to the one
 * with the fewest waiting, else to any with room.
 *
 * <p>Why in turn: small requests spread evenly over two writers made two batches of half the
 * size, each paying its own statements, marker and fsync, where one writer keeps up with them
 * (one-record requests at 64 connections cost the machine a quarter less CPU each with one
 * writer). A second writer starts taking requests once the first has a good batch's worth
 * waiting, as bulk loads do at once, so that PostgreSQL still writes two large batches at a time.
 * A writer whose batches grow slow gets a smaller batch limit, its queue fills past the mark
 * sooner, and the next writer takes the overflow.
 */
public final class WriterQueues {
    /**
     * Records waiting for one writer from which requests go to the next: enough for a batch whose
     * commit (its statements, the marker and the fsync, about what 60 rows of COPY cost
     * PostgreSQL) is a small part of its cost.
     */
    public static final int SPILL_ROWS = 512;

    private final RequestQueue[] queues;
    private final List<RequestQueue> all;

    public WriterQueues(List<RequestQueue> queues) {
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("a table needs at least one writer queue");
        }
        this.all = List.copyOf(queues);
        this.queues = all.toArray(RequestQueue[]::new);
    }

    /** Every queue, in the order they are filled. */
    public List<RequestQueue> all() {
        return all;
    }

    /**
     * Queues {@code request} as described above. Safe from any thread; the counts it reads are a
     * moment's view, so under a race a request may land one queue off, never be lost.
     *
     * @return false iff every queue is full
     */
    public boolean offer(InFlight request) {
        for (RequestQueue q : queues) {
            if (q.rows() < SPILL_ROWS) {
                return q.offer(request) || offerToAny(request);
            }
        }
        RequestQueue fewest = queues[0];
        for (int i = 1; i < queues.length; i++) {
            if (queues[i].rows() < fewest.rows()) {
                fewest = queues[i];
            }
        }
        return fewest.offer(request) || offerToAny(request);
    }

    private boolean offerToAny(InFlight request) {
        for (RequestQueue q : queues) {
            if (q.offer(request)) {
                return true;
            }
        }
        return false;
    }
}

package dev.ingest.engine.internal.write;

import dev.ingest.engine.IngestException;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.IngestResult;
import dev.ingest.engine.Rejection;
import dev.ingest.engine.internal.queue.RequestQueue;
import dev.ingest.engine.internal.sql.SqlStates;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of one table: the single consumer of its {@link RequestQueue}. Each turn of the loop
 * gathers queued requests into a batch (up to {@code maxBatchRows}, waiting at most {@code linger}
 * for more once it has some), writes the batch in one transaction, and only then completes each
 * request's future. Requests that arrive while a commit is in flight form the next batch, which
 * is how many small concurrent requests come to share one commit.
 *
 * <p>Connection failures keep the batch and retry it with capped exponential backoff until it is
 * written or the writer is {@linkplain #abandon() abandoned}; see {@link SqlStates#classify}.
 * Runs on its own thread ({@link #run}); {@link #shutdown} and {@link #abandon} are thread-safe.
 */
public final class BatchWriter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final String table;
    private final RequestQueue queue;
    private final DataSource dataSource;
    private final BatchInserter inserter;
    private final int maxBatchRows;
    private final long lingerNanos;
    private final long backoffMinNanos;
    private final long backoffMaxNanos;
    private final LongSupplier nanoClock;

    private volatile boolean running = true;
    private volatile boolean abandoned;

    public BatchWriter(String table, RequestQueue queue, DataSource dataSource, WriterSettings settings, LongSupplier nanoClock) {
        this.table = table;
        this.queue = queue;
        this.dataSource = dataSource;
        this.inserter = new BatchInserter(settings.maxBatchRows());
        this.maxBatchRows = settings.maxBatchRows();
        this.lingerNanos = settings.lingerNanos();
        this.backoffMinNanos = settings.backoffMinNanos();
        this.backoffMaxNanos = settings.backoffMaxNanos();
        this.nanoClock = nanoClock;
    }

    @Override
    public void run() {
        queue.bindConsumer(Thread.currentThread());
        while (running) {
            runOnce();
        }
        // Shutting down: write what is queued (no new requests arrive once the engine is closed).
        while (!queue.isEmpty() && !abandoned) {
            runOnce();
        }
        failRemaining();
    }

    /** Gathers one batch and writes it; parks briefly when there is nothing to do. */
    void runOnce() {
        List<IngestRequest> batch = gather();
        if (batch.isEmpty()) {
            if (running) {
                queue.await(IDLE_PARK_NANOS);
            }
            return;
        }
        try {
            write(batch);
        } catch (RuntimeException | Error e) {
            // A defect, not a database answer: never leave a client waiting on it.
            log.error("writer failed unexpectedly: table={} requests={}", table, batch.size(), e);
            fail(batch, new IngestException("XX000", "internal error while writing: " + e, true, e));
        }
    }

    private List<IngestRequest> gather() {
        List<IngestRequest> batch = new ArrayList<>();
        IngestRequest first = queue.poll();
        if (first == null) {
            return batch;
        }
        batch.add(first);
        int rows = first.rows().size();
        long deadline = nanoClock.getAsLong() + lingerNanos;
        while (rows < maxBatchRows) {
            IngestRequest next = queue.poll();
            if (next != null) {
                batch.add(next);
                rows += next.rows().size();
                continue;
            }
            long left = deadline - nanoClock.getAsLong();
            if (left <= 0 || !running) {
                break;
            }
            queue.await(left);
        }
        return batch;
    }

    private void write(List<IngestRequest> batch) {
        long backoff = backoffMinNanos;
        while (true) {
            try (Connection c = dataSource.getConnection()) {
                Map<IngestRequest, List<Rejection>> refused = inserter.write(c, batch);
                complete(batch, refused);
                return;
            } catch (SQLException e) {
                SqlStates.Kind kind = SqlStates.classify(e);
                if (kind != SqlStates.Kind.TRANSIENT) {
                    log.warn("batch refused: table={} sqlstate={} message={}", table, e.getSQLState(), SqlStates.describe(e));
                    fail(batch, new IngestException(SqlStates.stateOf(e), SqlStates.describe(e), false, e));
                    return;
                }
                if (abandoned) {
                    fail(batch, new IngestException(SqlStates.stateOf(e), "service stopping while the database is unavailable", true, e));
                    return;
                }
                log.warn("database unavailable, will retry: table={} sqlstate={} message={} retryInMs={} queued={}",
                        table, e.getSQLState(), e.getMessage(), TimeUnit.NANOSECONDS.toMillis(backoff), queue.size());
                pause(backoff);
                backoff = Math.min(backoffMaxNanos, backoff * 2);
            }
        }
    }

    /** Waits out a backoff; new requests unpark the queue's consumer, so re-park until due. */
    private void pause(long nanos) {
        long deadline = nanoClock.getAsLong() + nanos;
        long left;
        while (!abandoned && (left = deadline - nanoClock.getAsLong()) > 0) {
            queue.await(left);
        }
    }

    private static void complete(List<IngestRequest> batch, Map<IngestRequest, List<Rejection>> refused) {
        for (IngestRequest request : batch) {
            List<Rejection> db = refused.getOrDefault(request, List.of());
            List<Rejection> all = new ArrayList<>(request.refusedEarly().size() + db.size());
            all.addAll(request.refusedEarly());
            all.addAll(db);
            request.result().complete(new IngestResult(request.rows().size() - db.size(), all));
        }
    }

    private static void fail(List<IngestRequest> batch, IngestException e) {
        for (IngestRequest request : batch) {
            request.result().completeExceptionally(e);
        }
    }

    private void failRemaining() {
        IngestException closed = new IngestException("57P01", "service is shutting down", true, null);
        IngestRequest r;
        while ((r = queue.poll()) != null) {
            r.result().completeExceptionally(closed);
        }
    }

    /** Asks the writer to finish what is queued and stop. */
    public void shutdown() {
        running = false;
        queue.wake();
    }

    /** Stops retrying: a batch waiting for the database is failed (retryable) instead. */
    public void abandon() {
        abandoned = true;
        running = false;
        queue.wake();
    }
}

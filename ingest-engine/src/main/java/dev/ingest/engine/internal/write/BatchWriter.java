package dev.ingest.engine.internal.write;

import dev.ingest.engine.Catalog;
import dev.ingest.engine.DatabaseHealth;
import dev.ingest.engine.EngineListener;
import dev.ingest.engine.IngestException;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.IngestResult;
import dev.ingest.engine.PoolerHint;
import dev.ingest.engine.Rejection;
import dev.ingest.engine.WriterMode;
import dev.ingest.engine.internal.admit.InFlight;
import dev.ingest.engine.internal.queue.RequestQueue;
import dev.ingest.engine.internal.queue.RequestSource;
import dev.ingest.engine.internal.sql.SqlStates;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A writer of one table: the single consumer of one {@link RequestSource} (in production a
 * {@link RequestQueue}). Each turn of the loop gathers queued requests into a batch of at most
 * {@link AdaptiveBatchSizer#limit()} rows (waiting at most {@code linger} for more once it has
 * some), writes the batch in one transaction, and only then completes each request
 * ({@link InFlight}, which releases its bytes from the memory budget). Requests that arrive while
 * a commit is in flight form the next batch, which is how many small concurrent requests come to
 * share one commit. A request is never split: one larger than the limit is a batch of its own.
 *
 * <p>Connection failures keep the batch and retry it with capped exponential backoff until it is
 * written or the writer is {@linkplain #abandon() abandoned}; see {@link SqlStates#classify}.
 * DDL is met the same way: before each attempt the batch is moved onto the catalog's latest
 * version of the table, the commit is made conditional on the table still having those columns,
 * and an error that means the statements are stale ({@link SqlStates.Kind#STALE}) makes the writer
 * read the catalog again, forget the connection's prepared statements and try again, so that no
 * client sees it and no value is converted with a type its column no longer has.
 * Runs on its own thread ({@link #run}); the other methods are thread-safe.
 *
 * <p>Time is the injected {@code nanoClock}, and every wait (linger, backoff, idling) is the
 * source's {@link RequestSource#await}, so a test drives the loop one {@link #runOnce} at a time
 * on a manual clock, as Kafka's {@code SenderTest} drives its {@code Sender} with {@code MockTime}.
 */
public final class BatchWriter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);

    private final String table;
    private final RequestSource<InFlight> queue;
    private final DataSource dataSource;
    private final Catalog catalog;
    private final BatchInserter inserter;
    private final AdaptiveBatchSizer sizer;
    private final WriterSettings settings;
    private final LongSupplier nanoClock;
    private final DatabaseHealth health;
    private final Supplier<EngineListener> listener;

    private volatile boolean running = true;
    private volatile boolean abandoned;

    // Written by the writer thread only; read by stats().
    private volatile long rowsCommitted;
    private volatile long rowsDeadLettered;
    private volatile long queuedRecordsLost;
    private volatile long batchesCommitted;
    private volatile int lastBatchRows;
    private volatile long lastCommitNanos;
    // Writer thread only: whether the sizer's limit ended the last gather (see AdaptiveBatchSizer).
    private boolean lastGatherBound;

    /**
     * @param columns the table's column count, which caps a batch at 65535 parameters
     */
    public BatchWriter(String table, int columns, WriterMode mode, RequestSource<InFlight> queue, DataSource dataSource,
            Catalog catalog, DatabaseHealth health, WriterSettings settings, LongSupplier nanoClock,
            Supplier<EngineListener> listener) {
        this.catalog = catalog;
        this.listener = listener;
        this.health = health;
        this.table = table;
        this.queue = queue;
        this.dataSource = dataSource;
        this.inserter = new BatchInserter(mode);
        int cap = Math.max(1, Math.min(settings.maxBatchRows(), ValuesInsert.maxRows(columns)));
        this.sizer = new AdaptiveBatchSizer(Math.min(settings.minBatchRows(), cap), cap, settings.latencyTargetNanos(), nanoClock);
        this.settings = settings;
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
        List<InFlight> batch = gather(sizer.limit());
        if (batch.isEmpty()) {
            if (running) {
                queue.await(settings.idleParkNanos());
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

    /**
     * Takes requests while they fit in {@code limit} rows (the first always does). Peeks before
     * taking, because JCTools' batch drain bounds a count of elements and a batch is bounded in rows.
     */
    private List<InFlight> gather(int limit) {
        List<InFlight> batch = new ArrayList<>();
        int rows = 0;
        long deadline = 0;
        lastGatherBound = false;
        while (true) {
            InFlight next = queue.peek();
            if (next != null) {
                if (!batch.isEmpty() && rows + next.request().rows().size() > limit) {
                    lastGatherBound = true;
                    return batch;
                }
                queue.poll();
                if (batch.isEmpty()) {
                    deadline = nanoClock.getAsLong() + settings.lingerNanos();
                }
                batch.add(next);
                rows += next.request().rows().size();
                if (rows >= limit) {
                    lastGatherBound = true;
                    return batch;
                }
                continue;
            }
            long left = deadline - nanoClock.getAsLong();
            if (batch.isEmpty() || left <= 0 || !running) {
                return batch;
            }
            queue.await(left);
        }
    }

    /** One way of writing a batch in one transaction. */
    private interface Writing {
        Attempt write(Connection c, List<IngestRequest> batch) throws SQLException;
    }

    private void write(List<InFlight> batch) {
        write(batch, inserter::write, true);
    }

    /**
     * Writes the batch, retrying while the database is unavailable.
     *
     * @param deadLetterOnRejection when the database refuses the batch as a whole, write the records
     *                            of dead-letter requests to {@code ingest.rejects} instead of failing them
     */
    private void write(List<InFlight> batch, Writing writing, boolean deadLetterOnRejection) {
        long backoff = settings.backoffMinNanos();
        int staleRetries = 0;
        while (true) {
            sizer.batchStarted();
            inserter.newWrite();
            List<IngestRequest> toWrite = retarget(batch);
            SQLException stale = null;
            try (Connection c = dataSource.getConnection()) {
                Attempt attempt;
                try {
                    attempt = writing.write(c, toWrite);
                } catch (SQLException e) {
                    // A storm of DDL, not one change, makes the error the answer.
                    if (staleRetries >= settings.staleSchemaRetries() || SqlStates.classify(e) != SqlStates.Kind.STALE) {
                        throw e;
                    }
                    forgetPreparedStatements(c, e);
                    stale = e;
                    attempt = null;
                }
                if (attempt != null) {
                    committed(batch, toWrite, attempt);
                    return;
                }
            } catch (SQLException e) {
                SqlStates.Kind kind = SqlStates.classify(e);
                if (kind != SqlStates.Kind.TRANSIENT) {
                    String state = SqlStates.stateOf(e);
                    String message = SqlStates.describe(e);
                    log.warn("batch refused: table={} sqlstate={} message={}", table, state, message);
                    List<InFlight> deadLetters = deadLetterOnRejection
                            ? batch.stream().filter(f -> f.request().deadLetter()).toList() : List.of();
                    fail(batch.stream().filter(r -> !deadLetters.contains(r)).toList(),
                            new IngestException(state, message, false, e));
                    if (!deadLetters.isEmpty()) {
                        write(deadLetters, (conn, requests) -> inserter.writeRejected(conn, requests, state, message), false);
                    }
                    return;
                }
                health.down();
                Attempt attempt = inserter.lastAttempt();
                if (attempt != null && attempt.commitSent) {
                    // The connection failed with COMMIT in flight: it may have happened.
                    Boolean committed = committed(attempt);
                    if (committed == null) {
                        fail(batch, new IngestException("08006", "service stopping; whether the batch committed is unknown", true, e));
                        return;
                    }
                    if (committed) {
                        log.info("commit confirmed after connection loss: table={} batch={}", table, attempt.batchId);
                        committed(batch, toWrite, attempt);
                        return;
                    }
                }
                if (abandoned) {
                    fail(batch, new IngestException(SqlStates.stateOf(e), "service stopping while the database is unavailable", true, e));
                    return;
                }
                log.warn("database unavailable, will retry: table={} sqlstate={} message={}{} retryInMs={} queued={}",
                        table, e.getSQLState(), e.getMessage(), PoolerHint.after(e.getSQLState(), e.getMessage()),
                        TimeUnit.NANOSECONDS.toMillis(backoff), queue.size());
                pause(backoff);
                backoff = Math.min(settings.backoffMaxNanos(), backoff * 2);
            }
            if (stale != null) {
                staleRetries++;
                log.info("table changed while writing, reading the catalog again: table={} sqlstate={} message={}", table,
                        SqlStates.stateOf(stale), SqlStates.primaryMessage(stale));
                refreshCatalog();
                if (catalog.find(table).isEmpty()) {
                    staleRetries = settings.staleSchemaRetries(); // the table is gone: the next error is the answer
                }
            }
        }
    }

    /**
     * The batch is committed (answered by COMMIT, or confirmed by its marker after the answer was
     * lost): the database is up, the commit counts in the stats and metrics, and each request is
     * answered.
     */
    private void committed(List<InFlight> batch, List<IngestRequest> written, Attempt attempt) {
        int rows = rowsOf(written);
        long took = sizer.batchCommitted(rows, lastGatherBound);
        health.up();
        int rejectedByDatabase = rejectedCount(attempt.rejected);
        recordCommit(rows - rejectedByDatabase, took, attempt.deadLettered);
        listener.get().batchCommitted(table, rows - rejectedByDatabase, rejectedByDatabase + rejectedEarly(written), took);
        complete(batch, attempt);
    }

    /**
     * Moves each request onto the catalog's latest version of its table (a map lookup when nothing
     * changed); the requests to write in this attempt.
     */
    private List<IngestRequest> retarget(List<InFlight> batch) {
        List<IngestRequest> requests = new ArrayList<>(batch.size());
        for (InFlight f : batch) {
            f.writing(catalog.find(f.request().table().qualifiedName()).orElse(null));
            requests.add(f.request());
        }
        return requests;
    }

    /** Reads the catalog again and waits for it; a failure leaves the old snapshot (the next attempt will tell). */
    private void refreshCatalog() {
        try {
            catalog.refresh().get(settings.catalogRefreshTimeoutNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("catalog refresh after a schema change failed: table={} cause={}", table, e.getCause() == null ? e : e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Drops the connection's server-side prepared statements: their parameter types were fixed
     * when they were prepared and may name a type that is gone. pgjdbc sees the DEALLOCATE ALL
     * command tag and prepares its statements anew.
     */
    private static void forgetPreparedStatements(Connection c, SQLException cause) {
        try (Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            s.execute("DEALLOCATE ALL");
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Whether the attempt's marker is in the database: asks until the database answers. Null
     * when the writer is abandoned first.
     */
    private Boolean committed(Attempt attempt) {
        long backoff = settings.backoffMinNanos();
        while (!abandoned) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                return Bookkeeping.wasCommitted(c, attempt.batchId);
            } catch (SQLException e) {
                log.warn("cannot yet tell whether batch {} committed: sqlstate={} message={}", attempt.batchId, e.getSQLState(),
                        e.getMessage());
                pause(backoff);
                backoff = Math.min(settings.backoffMaxNanos(), backoff * 2);
            }
        }
        return null;
    }

    private static int rejectedEarly(List<IngestRequest> batch) {
        int n = 0;
        for (IngestRequest r : batch) {
            n += r.rejectedEarly().size();
        }
        return n;
    }

    private static int rowsOf(List<IngestRequest> batch) {
        int rows = 0;
        for (IngestRequest r : batch) {
            rows += r.rows().size();
        }
        return rows;
    }

    private static int rejectedCount(Map<IngestRequest, List<Rejection>> refused) {
        int n = 0;
        for (List<Rejection> list : refused.values()) {
            n += list.size();
        }
        return n;
    }

    private void recordCommit(int rows, long nanos, int deadLettered) {
        rowsCommitted += rows;
        rowsDeadLettered += deadLettered;
        batchesCommitted++;
        lastBatchRows = rows;
        lastCommitNanos = nanos;
    }

    /**
     * Waits out a backoff, whatever arrives meanwhile ({@link #abandon} ends it). Sleeps rather
     * than awaits: an await returns at once while a request is queued, and requests queue up
     * while the database is down, so awaiting here would spin for the whole backoff.
     */
    private void pause(long nanos) {
        long deadline = nanoClock.getAsLong() + nanos;
        long left;
        while (!abandoned && (left = deadline - nanoClock.getAsLong()) > 0) {
            queue.sleep(left);
        }
    }

    private void complete(List<InFlight> batch, Attempt attempt) {
        for (InFlight f : batch) {
            IngestRequest request = f.request();
            f.complete(attempt.duplicates.contains(request) ? IngestResult.duplicateOfEarlier() : Bookkeeping.answer(request, attempt));
        }
    }

    private void fail(List<InFlight> batch, IngestException e) {
        int lost = 0;
        for (InFlight f : batch) {
            if (f.done()) {
                continue; // answered before a defect broke the loop (see runOnce)
            }
            f.fail(e);
            if (f.request().deadLetter()) {
                lost += f.request().rows().size() + f.request().rejectedEarly().size();
            }
        }
        if (lost > 0) {
            // Their client was answered 202 and is not waiting: nobody else will hear of it.
            queuedRecordsLost += lost;
            log.error("queued records not written: table={} records={} sqlstate={} reason={}", table, lost, e.sqlstate(),
                    e.getMessage());
        }
    }

    private void failRemaining() {
        IngestException closed = new IngestException("57P01", "service is shutting down", true, null);
        InFlight r;
        List<InFlight> left = new ArrayList<>();
        while ((r = queue.poll()) != null) {
            left.add(r);
        }
        fail(left, closed);
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

    /** A snapshot of this writer's counters. */
    public WriterStats stats() {
        return new WriterStats(queue.size(), sizer.limit(), lastBatchRows, lastCommitNanos, batchesCommitted, rowsCommitted,
                rowsDeadLettered, queuedRecordsLost);
    }
}

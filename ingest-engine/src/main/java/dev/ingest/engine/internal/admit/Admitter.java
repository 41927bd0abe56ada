package dev.ingest.engine.internal.admit;

import dev.ingest.engine.Admission;
import dev.ingest.engine.DatabaseHealth;
import dev.ingest.engine.EngineConfig;
import dev.ingest.engine.EngineListener;
import dev.ingest.engine.EngineStats;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.IngestResult;
import dev.ingest.engine.MemoryHold;
import dev.ingest.engine.SegmentOptions;
import dev.ingest.engine.Submission;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.UploadSession;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The engine's admission, and the one owner of its {@link MemoryBudget} (as Kafka's
 * RecordAccumulator owns its BufferPool): takes a request's bytes from the budget, wraps it in an
 * {@link InFlight} and offers it to the writers' {@link Queues}, giving the bytes back when they
 * refuse; waits for room on behalf of threads that may block; hands out the
 * {@link UploadSession}s and {@link MemoryHold}s that reserve, true up and release for streams
 * and raw bytes; and derives {@code Retry-After} and the budget's figures. Every refusal is an
 * {@link Admission}, {@link Admission#DATABASE_DOWN} whenever the writers cannot reach the
 * database (room does not come back then).
 *
 * <p>Open until {@link #close()}; after that every submission is refused with
 * {@link Admission#CLOSED}. Thread-safe; only {@link #submit(IngestRequest, Duration)} blocks.
 */
public final class Admitter {
    /** The writers' queues of a request's table, as admission sees them. */
    @FunctionalInterface
    public interface Queues {
        /** Offers {@code inFlight} to a writer of its request's table; false when the queue is full. Never blocks. */
        boolean offer(InFlight inFlight);
    }

    private final MemoryBudget budget;
    private final DatabaseHealth health;
    private final LongSupplier nanoClock;
    private final Queues queues;
    private final Supplier<EngineListener> listener;
    // Submissions hold the read lock; close() takes the write lock once, so that no request can
    // slip into a queue after its writer has drained it for the last time.
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private boolean closed;

    /** @param listener who is told of records refused before any writer saw them (read at each such request) */
    public Admitter(EngineConfig config, DatabaseHealth health, LongSupplier nanoClock, Queues queues,
            Supplier<EngineListener> listener) {
        this.budget = new MemoryBudget(config.memoryBudgetBytes(), nanoClock, config.budgetRateWindow().toNanos(),
                (int) config.retryAfterMax().toSeconds());
        this.health = health;
        this.nanoClock = nanoClock;
        this.queues = queues;
        this.listener = listener;
    }

    /** As {@code IngestEngine.submit(IngestRequest)}: takes the request's bytes, then queues it. Never blocks. */
    public Submission submit(IngestRequest request) {
        if (request.needsNoWriter()) {
            return answeredAtOnce(request);
        }
        ReentrantReadWriteLock.ReadLock lock = gate.readLock();
        lock.lock();
        try {
            if (closed) {
                return refused(Admission.CLOSED);
            }
            if (!budget.tryAcquire(request.bytes())) {
                return refused(unlessDatabaseDown(Admission.BUDGET_FULL));
            }
            Submission s = enqueue(request, request.bytes());
            if (!s.accepted()) {
                budget.release(request.bytes());
            }
            return s;
        } finally {
            lock.unlock();
        }
    }

    /**
     * As {@link #submit(IngestRequest)}, trying again at each release until {@code maxBlock} has
     * passed.
     *
     * @return accepted, {@link Admission#CLOSED} at once, or the last refusal when no room came in time
     * @throws InterruptedException when interrupted while waiting (nothing was queued)
     */
    public Submission submit(IngestRequest request, Duration maxBlock) throws InterruptedException {
        long deadline = nanoClock.getAsLong() + maxBlock.toNanos();
        while (true) {
            // Registered before trying, so that room made between the try and the wait is not missed.
            CompletableFuture<Void> released = budget.whenReleased();
            Submission s = submit(request);
            long left = deadline - nanoClock.getAsLong();
            if (s.accepted() || s.admission() == Admission.CLOSED || left <= 0) {
                budget.forget(released);
                return s;
            }
            try {
                released.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                budget.forget(released);
                return s;
            } catch (ExecutionException e) {
                throw new IllegalStateException("a release signal failed", e); // never completed exceptionally
            }
        }
    }

    /**
     * Queues a segment whose {@code reservedBytes} a {@link BudgetedUpload} holds in the budget
     * already. On acceptance the reservation passes to the request, which releases it when answered;
     * otherwise the session still holds it.
     */
    Submission submitReserved(IngestRequest request, long reservedBytes) {
        if (request.needsNoWriter()) {
            budget.release(reservedBytes);
            return answeredAtOnce(request);
        }
        ReentrantReadWriteLock.ReadLock lock = gate.readLock();
        lock.lock();
        try {
            return closed ? refused(Admission.CLOSED) : enqueue(request, reservedBytes);
        } finally {
            lock.unlock();
        }
    }

    /** Under the read lock, with the budget taken. */
    private Submission enqueue(IngestRequest request, long reservedBytes) {
        InFlight inFlight = new InFlight(request, budget, reservedBytes);
        if (queues.offer(inFlight)) {
            return new Submission(Admission.ACCEPTED, inFlight.result());
        }
        return refused(unlessDatabaseDown(Admission.QUEUE_FULL));
    }

    /**
     * Nothing reaches the database: answered without a writer round trip. (A keyed request with
     * refused records still goes to a writer, to store its answer, and so does a request that keeps
     * its rejects, to store its refused records.)
     */
    private Submission answeredAtOnce(IngestRequest request) {
        if (!request.rejectedEarly().isEmpty()) {
            listener.get().rejectedEarly(request.table().qualifiedName(), request.rejectedEarly().size());
        }
        return new Submission(Admission.ACCEPTED, CompletableFuture.completedFuture(new IngestResult(0, request.rejectedEarly())));
    }

    /** A refusal for lack of room, or {@link Admission#DATABASE_DOWN} while the writers cannot reach the database. */
    private Admission unlessDatabaseDown(Admission full) {
        return health.isUp() ? full : Admission.DATABASE_DOWN;
    }

    private static Submission refused(Admission why) {
        return new Submission(why, null);
    }

    /** A new upload session for one streamed body: see {@link UploadSession}. */
    public UploadSession open(TableSchema table, SegmentOptions options) {
        return new BudgetedUpload(this, budget, health, table, options);
    }

    /** An empty hold on the budget: see {@link MemoryHold}. */
    public MemoryHold hold() {
        return new BudgetHold(budget, health);
    }

    /** See {@link MemoryBudget#retryAfterSeconds}. */
    public int retryAfterSeconds(long bytes) {
        return budget.retryAfterSeconds(bytes);
    }

    /** The engine's stats: the budget's figures now, with the writers' {@code tables}. */
    public EngineStats stats(List<EngineStats.Table> tables) {
        return new EngineStats(budget.used(), budget.limit(), budget.drainBytesPerSecond(), tables);
    }

    /**
     * Stops admitting: waits for submissions under way to be queued or refused; every later one is
     * refused with {@link Admission#CLOSED}.
     *
     * @return true for the call that closed it, false when it was closed already
     */
    public boolean close() {
        ReentrantReadWriteLock.WriteLock lock = gate.writeLock();
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        } finally {
            lock.unlock();
        }
    }
}

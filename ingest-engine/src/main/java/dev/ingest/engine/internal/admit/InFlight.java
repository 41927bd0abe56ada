package dev.ingest.engine.internal.admit;

import dev.ingest.engine.IngestException;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.IngestResult;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.internal.convert.Retarget;
import java.util.concurrent.CompletableFuture;

/**
 * A request the engine has admitted, from its queue to its answer: the request (moved onto newer
 * table versions as DDL commits), the memory it holds in the {@link MemoryBudget}, the future its
 * submitter waits on, and where it is:
 * <pre>
 *   QUEUED --take--> WRITING --complete--> COMMITTED
 *      |                |
 *      +------fail------+----------------> FAILED
 * </pre>
 * Reaching COMMITTED or FAILED releases the memory and completes the future, exactly once; a
 * second completion is a defect and throws.
 *
 * <p>Created by the submitting thread; after that owned by one writer thread, except that
 * {@link #result()} may be read anywhere.
 */
public final class InFlight {
    /** Where an admitted request is. */
    public enum State {
        /** In a writer's queue. */
        QUEUED,
        /** Taken by a writer, in a batch being written (perhaps retried). */
        WRITING,
        /** Committed and answered. */
        COMMITTED,
        /** Answered with an {@link IngestException}: nothing of it is committed. */
        FAILED
    }

    private final MemoryBudget budget;
    private final long reservedBytes;
    private final CompletableFuture<IngestResult> result = new CompletableFuture<>();
    private volatile IngestRequest request;
    private volatile State state = State.QUEUED;

    /** @param reservedBytes what the request holds in {@code budget}, released when it is answered */
    public InFlight(IngestRequest request, MemoryBudget budget, long reservedBytes) {
        this.request = request;
        this.budget = budget;
        this.reservedBytes = reservedBytes;
    }

    public IngestRequest request() {
        return request;
    }

    /** Whether it is answered (committed or failed). */
    public boolean done() {
        return state == State.COMMITTED || state == State.FAILED;
    }

    /** Completes after the request's rows are committed; exceptionally with {@link IngestException}. */
    public CompletableFuture<IngestResult> result() {
        return result;
    }

    /** A writer took it into a batch; before each attempt, moves it onto {@code now} (see {@link Retarget}). */
    public void writing(TableSchema now) {
        if (done()) {
            throw new IllegalStateException("request is " + state + " already");
        }
        state = State.WRITING;
        if (now != null && now != request.table()) {
            request = Retarget.onto(request, now);
        }
    }

    /** Committed: gives back its memory and answers. */
    public void complete(IngestResult answer) {
        finish(State.COMMITTED);
        result.complete(answer);
    }

    /** Not written at all: gives back its memory and answers with {@code e}. */
    public void fail(IngestException e) {
        finish(State.FAILED);
        result.completeExceptionally(e);
    }

    private void finish(State end) {
        if (done()) {
            throw new IllegalStateException("request is " + state + " already, cannot become " + end);
        }
        state = end;
        budget.release(reservedBytes);
    }
}

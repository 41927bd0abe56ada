package dev.ingest.engine;

import dev.ingest.engine.internal.admit.MemoryBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * One body decoded as it streams and committed in segments, with its memory accounted for by the
 * engine: before a chunk is decoded the session reserves an estimate from the budget, after it
 * trues the reservation up to what the decoded records take, and a submitted segment carries its
 * reservation to the writers, which release it on commit. Every decoded record is thus within the
 * budget, and when the budget is full the caller is told so and pauses its input until
 * {@link #whenWritable()}, instead of buffering.
 *
 * <p>States: open (decoding, flushing) until {@link #finish()} or {@link #abandon()}; while open a
 * flushed segment may wait for queue room (then {@link #flush()} offers it again). Confined to
 * one thread; the futures it returns complete on engine threads.
 */
public final class UploadSession {
    /** What a caller decodes into the session's current segment. */
    @FunctionalInterface
    public interface Decoding<E extends Exception> {
        void into(RecordSink sink) throws E;
    }

    /**
     * How one submitted segment went: committed with {@code result}, or not written at all with
     * {@code failure}.
     *
     * @param firstIndex the body index of its first record
     */
    public record SegmentOutcome(int firstIndex, IngestResult result, IngestException failure) {
    }

    private enum State { OPEN, WAITING_FOR_QUEUE, ENDED }

    private record Submitted(int firstIndex, CompletableFuture<IngestResult> result) {
    }

    private final IngestEngine engine;
    private final MemoryBudget budget;
    private final DatabaseHealth health;
    private final SegmentOptions options;
    private final List<Submitted> submitted = new ArrayList<>();
    private TableSchema table;
    private RequestBuilder current;
    private long reserved; // budget bytes held for the records in current
    private State state = State.OPEN;
    private IngestRequest waiting; // WAITING_FOR_QUEUE: a segment refused for queue room, holding its bytes
    private long waitingBytes;
    private CompletableFuture<Void> room; // WAITING_FOR_QUEUE: the next release after the refusal
    private long refusedEstimate; // the estimate of the last decode refused for memory

    UploadSession(IngestEngine engine, MemoryBudget budget, DatabaseHealth health, TableSchema table, SegmentOptions options) {
        this.engine = engine;
        this.budget = budget;
        this.health = health;
        this.table = table;
        this.options = options;
        this.current = options.apply(IngestRequest.builder(table, 0));
    }

    /**
     * Reserves {@code estimateBytes} and runs {@code decoding} into the current segment, then makes
     * the reservation exactly what the decoded records take (also when decoding throws).
     *
     * @return {@link Admission#ACCEPTED} when decoded; {@link Admission#BUDGET_FULL} or
     *         {@link Admission#DATABASE_DOWN} when the estimate does not fit (nothing is decoded:
     *         wait for {@link #whenWritable()})
     */
    public <E extends Exception> Admission decode(long estimateBytes, Decoding<E> decoding) throws E {
        requireOpen();
        if (!budget.tryAcquire(estimateBytes)) {
            refusedEstimate = estimateBytes;
            return health.isUp() ? Admission.BUDGET_FULL : Admission.DATABASE_DOWN;
        }
        reserved += estimateBytes;
        decodeRest(decoding);
        return Admission.ACCEPTED;
    }

    /**
     * Runs {@code decoding} without reserving first, then trues the reservation up: for what
     * cannot wait (the end of the body, which completes at most one record, or a replay after
     * {@link #restart}).
     */
    public <E extends Exception> void decodeRest(Decoding<E> decoding) throws E {
        requireOpen();
        try {
            decoding.into(current);
        } finally {
            trueUp();
        }
    }

    /**
     * Starts the body again for {@code now} (a newer version of the table): the records decoded so
     * far are dropped. Only before the first segment is submitted.
     */
    public void restart(TableSchema now) {
        requireOpen();
        if (!submitted.isEmpty() || state != State.OPEN) {
            throw new IllegalStateException("restart is only possible before the first segment is submitted");
        }
        table = now;
        current = options.apply(IngestRequest.builder(now, 0));
        trueUp();
    }

    /**
     * Submits the records held as a segment (nothing when it holds none). A segment refused earlier
     * for queue room is offered first, and until it is taken nothing more is submitted.
     *
     * @return {@link Admission#ACCEPTED}; {@link Admission#QUEUE_FULL} or {@link Admission#DATABASE_DOWN}
     *         when the segment waits for queue room (the session keeps it and its memory: pause, wait
     *         for {@link #whenWritable()}, flush again); {@link Admission#CLOSED} when the engine is
     *         shutting down (the segment's memory is given back)
     */
    public Admission flush() {
        requireOpen();
        if (state == State.WAITING_FOR_QUEUE) {
            IngestRequest segment = waiting;
            long bytes = waitingBytes;
            waiting = null;
            waitingBytes = 0;
            room = null;
            state = State.OPEN;
            Admission a = offer(segment, bytes);
            if (!a.accepted()) {
                return a;
            }
        }
        if (!current.holdsRecords()) {
            return Admission.ACCEPTED;
        }
        options.seal(current);
        IngestRequest segment = current.build();
        long bytes = reserved;
        reserved = 0; // the segment carries it now
        current = options.apply(IngestRequest.builder(table, current.nextIndex()));
        return offer(segment, bytes);
    }

    private Admission offer(IngestRequest segment, long bytes) {
        CompletableFuture<Void> released = budget.whenReleased(); // before the offer: no lost wake-up
        Submission s = engine.submitReserved(segment, bytes);
        switch (s.admission()) {
            case ACCEPTED -> submitted.add(new Submitted(segment.firstIndex(), s.result()));
            case CLOSED -> budget.release(bytes);
            default -> {
                state = State.WAITING_FOR_QUEUE;
                waiting = segment;
                waitingBytes = bytes;
                room = released;
                return s.admission();
            }
        }
        budget.forget(released);
        return s.admission();
    }

    /**
     * Completes when the session may take more: when a segment waits for queue room, at the next
     * release by the writers (then {@link #flush()} again); otherwise once the budget has room for
     * the estimate last refused.
     * The room may be taken by others first: the next call may be refused again.
     */
    public CompletionStage<Void> whenWritable() {
        return state == State.WAITING_FOR_QUEUE ? room : budget.whenAvailable(refusedEstimate);
    }

    /** The body index the next record will have. */
    public int nextIndex() {
        return current.nextIndex();
    }

    /** Whether the current segment holds records (added or refused, skipped ones aside). */
    public boolean holdsRecords() {
        return current.holdsRecords();
    }

    /** Records counted into the current segment, skipped ones included. */
    public int segmentRecords() {
        return current.count();
    }

    /** The estimated memory of the current segment's records. */
    public long segmentBytes() {
        return current.bytes();
    }

    /** How many segments were submitted. */
    public int submitted() {
        return submitted.size();
    }

    /** The table version records are decoded for. */
    public TableSchema table() {
        return table;
    }

    /**
     * Ends the upload after its last {@link #flush()} was accepted: completes when every submitted
     * segment has, with their outcomes in body order.
     */
    public CompletableFuture<List<SegmentOutcome>> finish() {
        requireOpen();
        if (state == State.WAITING_FOR_QUEUE || current.holdsRecords()) {
            throw new IllegalStateException("records are not submitted yet: flush until accepted before finish");
        }
        return end();
    }

    /**
     * Stops for good: gives back every reservation still held here (a segment waiting for queue
     * room is dropped); segments already submitted still commit. Completes as {@link #finish()}.
     * Does nothing more when called again.
     */
    public CompletableFuture<List<SegmentOutcome>> abandon() {
        if (state == State.WAITING_FOR_QUEUE) {
            budget.release(waitingBytes);
            waiting = null;
            waitingBytes = 0;
            room = null;
        }
        return end();
    }

    private CompletableFuture<List<SegmentOutcome>> end() {
        state = State.ENDED;
        if (reserved > 0) {
            budget.release(reserved);
            reserved = 0;
        }
        List<Submitted> all = List.copyOf(submitted);
        return CompletableFuture.allOf(all.stream().map(Submitted::result).toArray(CompletableFuture[]::new))
                .handle((ok, e) -> outcomes(all));
    }

    private static List<SegmentOutcome> outcomes(List<Submitted> all) {
        List<SegmentOutcome> out = new ArrayList<>(all.size());
        for (Submitted s : all) {
            try {
                out.add(new SegmentOutcome(s.firstIndex(), s.result().join(), null));
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                out.add(new SegmentOutcome(s.firstIndex(), null, cause instanceof IngestException ie ? ie
                        : new IngestException("XX000", cause.toString(), true, cause)));
            }
        }
        return out;
    }

    /** Makes the reservation exactly the decoded records' bytes. */
    private void trueUp() {
        long actual = current.bytes();
        if (actual > reserved) {
            budget.forceAcquire(actual - reserved);
        } else if (actual < reserved) {
            budget.release(reserved - actual);
        }
        reserved = actual;
    }

    private void requireOpen() {
        if (state == State.ENDED) {
            throw new IllegalStateException("the upload session has ended");
        }
    }
}

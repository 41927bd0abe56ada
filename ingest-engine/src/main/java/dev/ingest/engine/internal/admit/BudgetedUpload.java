package dev.ingest.engine.internal.admit;

import dev.ingest.engine.Admission;
import dev.ingest.engine.DatabaseHealth;
import dev.ingest.engine.IngestException;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.IngestResult;
import dev.ingest.engine.RequestBuilder;
import dev.ingest.engine.SegmentOptions;
import dev.ingest.engine.Submission;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.UploadSession;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The {@link UploadSession} of the engine: before a chunk is decoded it reserves the caller's
 * estimate from the {@link MemoryBudget}, after it trues the reservation up to the decoded
 * records' bytes, and a flushed segment hands its reservation to the {@link Admitter}, whose
 * {@link InFlight} releases it when answered. A segment refused for queue room stays here with its
 * reservation until it is offered again or the session is abandoned.
 *
 * <p>States: {@code OPEN} (decoding, flushing), {@code WAITING_FOR_QUEUE} (a flushed segment
 * waits for queue room; nothing more is submitted before it), {@code ENDED}. Confined to one
 * thread, as its interface says.
 */
final class BudgetedUpload implements UploadSession {
    private enum State { OPEN, WAITING_FOR_QUEUE, ENDED }

    private record Submitted(int firstIndex, CompletableFuture<IngestResult> result) {
    }

    private final Admitter admitter;
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

    BudgetedUpload(Admitter admitter, MemoryBudget budget, DatabaseHealth health, TableSchema table, SegmentOptions options) {
        this.admitter = admitter;
        this.budget = budget;
        this.health = health;
        this.table = table;
        this.options = options;
        this.current = options.apply(IngestRequest.builder(table, 0));
    }

    @Override
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

    @Override
    public <E extends Exception> void decodeRest(Decoding<E> decoding) throws E {
        requireOpen();
        try {
            decoding.into(current);
        } finally {
            trueUp();
        }
    }

    @Override
    public void restart(TableSchema now) {
        requireOpen();
        if (!submitted.isEmpty() || state != State.OPEN) {
            throw new IllegalStateException("restart is only possible before the first segment is submitted");
        }
        table = now;
        current = options.apply(IngestRequest.builder(now, 0));
        trueUp();
    }

    @Override
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
        Submission s = admitter.submitReserved(segment, bytes);
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

    @Override
    public CompletionStage<Void> whenWritable() {
        return state == State.WAITING_FOR_QUEUE ? room : budget.whenAvailable(refusedEstimate);
    }

    @Override
    public int nextIndex() {
        return current.nextIndex();
    }

    @Override
    public boolean holdsRecords() {
        return current.holdsRecords();
    }

    @Override
    public int segmentRecords() {
        return current.count();
    }

    @Override
    public long segmentBytes() {
        return current.bytes();
    }

    @Override
    public int submitted() {
        return submitted.size();
    }

    @Override
    public TableSchema table() {
        return table;
    }

    @Override
    public CompletableFuture<List<SegmentOutcome>> finish() {
        requireOpen();
        if (state == State.WAITING_FOR_QUEUE || current.holdsRecords()) {
            throw new IllegalStateException("records are not submitted yet: flush until accepted before finish");
        }
        return end();
    }

    @Override
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

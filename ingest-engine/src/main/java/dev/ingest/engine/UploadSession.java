package dev.ingest.engine;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One body decoded as it streams and committed in segments, with its memory accounted for by the
 * engine: before a chunk is decoded the session reserves an estimate from the budget, after it
 * trues the reservation up to what the decoded records take, and a submitted segment carries its
 * reservation to the writers, which release it on commit. Every decoded record is thus within the
 * budget, and when the budget is full the caller is told so and pauses its input until
 * {@link #whenWritable()}, instead of buffering. Opened with {@link IngestEngine#open}.
 *
 * <p>States: open (decoding, flushing) until {@link #finish()} or {@link #abandon()}; while open a
 * flushed segment may wait for queue room (then {@link #flush()} offers it again). Confined to
 * one thread; the futures it returns complete on engine threads.
 */
public interface UploadSession {
    /** What a caller decodes into the session's current segment. */
    @FunctionalInterface
    interface Decoding<E extends Exception> {
        void into(RecordSink sink) throws E;
    }

    /**
     * How one submitted segment went: committed with {@code result}, or not written at all with
     * {@code failure}.
     *
     * @param firstIndex the body index of its first record
     */
    record SegmentOutcome(int firstIndex, IngestResult result, IngestException failure) {
    }

    /**
     * Reserves {@code estimateBytes} and runs {@code decoding} into the current segment, then makes
     * the reservation exactly what the decoded records take (also when decoding throws).
     *
     * @return {@link Admission#ACCEPTED} when decoded; {@link Admission#BUDGET_FULL} or
     *         {@link Admission#DATABASE_DOWN} when the estimate does not fit (nothing is decoded:
     *         wait for {@link #whenWritable()})
     */
    <E extends Exception> Admission decode(long estimateBytes, Decoding<E> decoding) throws E;

    /**
     * Runs {@code decoding} without reserving first, then trues the reservation up: for what
     * cannot wait (the end of the body, which completes at most one record, or a replay after
     * {@link #restart}).
     */
    <E extends Exception> void decodeRest(Decoding<E> decoding) throws E;

    /**
     * Starts the body again for {@code now} (a newer version of the table): the records decoded so
     * far are dropped. Only before the first segment is submitted.
     */
    void restart(TableSchema now);

    /**
     * Submits the records held as a segment (nothing when it holds none). A segment refused earlier
     * for queue room is offered first, and until it is taken nothing more is submitted.
     *
     * @return {@link Admission#ACCEPTED}; {@link Admission#QUEUE_FULL} or {@link Admission#DATABASE_DOWN}
     *         when the segment waits for queue room (the session keeps it and its memory: pause, wait
     *         for {@link #whenWritable()}, flush again); {@link Admission#CLOSED} when the engine is
     *         shutting down (the segment's memory is given back)
     */
    Admission flush();

    /**
     * Completes when the session may take more: when a segment waits for queue room, at the next
     * release by the writers (then {@link #flush()} again); otherwise once the budget has room for
     * the estimate last refused.
     * The room may be taken by others first: the next call may be refused again.
     */
    CompletionStage<Void> whenWritable();

    /** The body index the next record will have. */
    int nextIndex();

    /** Whether the current segment holds records (added or refused, skipped ones aside). */
    boolean holdsRecords();

    /** Records counted into the current segment, skipped ones included. */
    int segmentRecords();

    /** The estimated memory of the current segment's records. */
    long segmentBytes();

    /** How many segments were submitted. */
    int submitted();

    /** The table version records are decoded for. */
    TableSchema table();

    /**
     * Ends the upload after its last {@link #flush()} was accepted: completes when every submitted
     * segment has, with their outcomes in body order.
     */
    CompletableFuture<List<SegmentOutcome>> finish();

    /**
     * Stops for good: gives back every reservation still held here (a segment waiting for queue
     * room is dropped); segments already submitted still commit. Completes as {@link #finish()}.
     * Does nothing more when called again.
     */
    CompletableFuture<List<SegmentOutcome>> abandon();
}

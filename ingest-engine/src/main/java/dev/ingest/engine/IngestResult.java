package dev.ingest.engine;

import java.util.Comparator;
import java.util.List;

/**
 * What happened to the records of one request once they were committed.
 *
 * @param accepted  how many records are committed
 * @param rejected  the refused records, ordered by index
 * @param duplicate true when nothing was written because a request with the same idempotency key
 *                  (and table) committed first: its stored answer is the answer
 * @param conflicts for {@link OnConflict#IGNORE} and {@link OnConflict#UPDATE}: how the accepted
 *                  records went (inserted, updated, ignored); null otherwise
 */
public record IngestResult(int accepted, List<Rejection> rejected, boolean duplicate, Conflicts conflicts) {
    public IngestResult {
        rejected = rejected.stream().sorted(Comparator.comparingInt(Rejection::index)).toList();
    }

    public IngestResult(int accepted, List<Rejection> rejected) {
        this(accepted, rejected, false, null);
    }

    /** How the accepted records of an upsert went; they sum to {@code accepted}. */
    public record Conflicts(long inserted, long updated, long ignored) {
    }

    /** The answer for a request whose key was already used. */
    public static IngestResult duplicateOfEarlier() {
        return new IngestResult(0, List.of(), true, null);
    }

    /** True when the request had records and every one of them was refused. */
    public boolean allRejected() {
        return accepted == 0 && !rejected.isEmpty();
    }

    /** This result as the answer stored under the request's key (every rejection listed). */
    public RequestAnswer answer() {
        return new RequestAnswer(accepted, rejected, rejected.size(), conflicts);
    }
}

package dev.ingest.engine;

import java.util.List;

/**
 * What the records of a request came to: how many are committed, which were refused and why, and
 * for an upsert how the committed ones went. One shape for every side: the engine stores it under
 * the request's idempotency key, the service answers it (and sums the stored answers of a body
 * sent in parts), scheduled imports and the {@code ingest load} client read it back. Its one JSON
 * form is {@link RequestAnswerJson}. Immutable.
 *
 * @param accepted      how many records are committed
 * @param rejected      the refused records, as listed: all of them, or the first ones of a long list
 * @param rejectedCount how many records were refused; more than {@code rejected.size()} when the list is cut
 * @param conflicts     for {@link OnConflict#IGNORE} and {@link OnConflict#UPDATE}: inserted, updated,
 *                      ignored; null otherwise
 */
public record RequestAnswer(long accepted, List<Rejection> rejected, long rejectedCount, IngestResult.Conflicts conflicts) {
    public RequestAnswer {
        rejected = List.copyOf(rejected);
        if (rejectedCount < rejected.size()) {
            throw new IllegalArgumentException("rejectedCount " + rejectedCount + " is below the " + rejected.size() + " listed");
        }
    }

    /** How the request went as a whole. */
    public enum Outcome {
        /** What was accepted is committed (perhaps nothing, for a request without records). */
        COMMITTED(200),
        /** The request had records and every one of them was refused. */
        ALL_REJECTED(422);

        private final int storedCode;

        Outcome(int storedCode) {
            this.storedCode = storedCode;
        }

        /**
         * The code kept for this outcome in {@code ingest.idempotency_keys.status}. The values are
         * those of the HTTP answers of the time the column was made, kept so that rows stored
         * before and after read alike; they are storage codes, not statuses: the service maps
         * outcomes to HTTP answers itself.
         */
        public int storedCode() {
            return storedCode;
        }
    }

    public Outcome outcome() {
        return accepted == 0 && rejectedCount > 0 ? Outcome.ALL_REJECTED : Outcome.COMMITTED;
    }

    /** True when fewer rejections are listed than there were. */
    public boolean truncated() {
        return rejectedCount > rejected.size();
    }
}

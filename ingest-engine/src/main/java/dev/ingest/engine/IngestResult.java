package dev.ingest.engine;

import java.util.Comparator;
import java.util.List;

/**
 * What happened to the records of one request once they were committed.
 *
 * @param accepted how many records are committed
 * @param rejected the refused records, ordered by index
 */
public record IngestResult(int accepted, List<Rejection> rejected) {
    public IngestResult {
        rejected = rejected.stream().sorted(Comparator.comparingInt(Rejection::index)).toList();
    }

    /** True when the request had records and every one of them was refused. */
    public boolean allRejected() {
        return accepted == 0 && !rejected.isEmpty();
    }
}

package dev.ingest.engine.internal.write;

import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.OnConflict;
import dev.ingest.engine.Rejection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One attempt at writing a batch: its marker id, the records the database rejected, and the
 * requests left out because their idempotency key was taken. Kept until the writer knows whether
 * the attempt committed, since a connection can fail while its COMMIT is in flight.
 */
final class Attempt {
    final UUID batchId = UUID.randomUUID();
    final Map<IngestRequest, List<Rejection>> rejected = new IdentityHashMap<>();
    final Set<IngestRequest> duplicates = Collections.newSetFromMap(new IdentityHashMap<>());
    /** What the statements of upsert requests did, per request. */
    final Map<IngestRequest, Written> written = new IdentityHashMap<>();

    void wrote(RowGroup g, Written w) {
        statements++;
        if (g.onConflict != OnConflict.ERROR) {
            written.merge(g.owners.get(0), w, Written::plus);
        }
    }
    /** Records the database rejected, for {@link #rejected}'s lists, in the order found. */
    void reject(IngestRequest r, Rejection rejection) {
        rejected.computeIfAbsent(r, k -> new ArrayList<>()).add(rejection);
        rejections++;
    }

    /** Records rejected by {@link #reject} so far. */
    int rejections;
    /** Statements sent for rows (fast path, isolation and probes), to show what isolation costs. */
    int statements;
    /** Records written to the dead-letter table. */
    int deadLettered;

    /** Set just before COMMIT is sent: from then on, only the marker tells whether it happened. */
    boolean commitSent;
}

package dev.ingest.engine.internal.write;

import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.OnConflict;
import dev.ingest.engine.Rejection;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.WriterMode;
import dev.ingest.engine.internal.sql.SqlStates;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes one batch in one transaction and isolates the records the database refuses.
 * Refused records of requests that {@linkplain IngestRequest#keepsRejects() keep them} are written
 * to {@code ingest.rejects} in the same transaction.
 *
 * <p>The fast path sends each row group in as few statements as its {@link RowWriter} allows (one
 * COPY or UNNEST insert; multi-row VALUES inserts within the parameter limit) and commits. If a statement fails on the data of some record ({@link SqlStates.Kind#DATA}), the
 * transaction is rolled back and the batch is written again with savepoints, each request's
 * records in slices of their own, and the records of failing slices are isolated by the
 * {@link RejectionIsolator}: duplicate keys found in one statement, other errors bisected, at most
 * an {@link IsolationBudget} of statements per request. Every good record is still committed in
 * the same single transaction. Other errors propagate to the caller, which
 * decides between retrying and failing (see {@link SqlStates#classify}).
 *
 * <p>Every attempt writes a marker row ({@code ingest.commits}) in its transaction, so that when a
 * connection fails while COMMIT is in flight the writer can tell whether it committed, instead of
 * writing the batch twice.
 *
 * <p>Not thread-safe: one instance per writer thread.
 */
final class BatchInserter {
    private final WriterMode mode;

    BatchInserter(WriterMode mode) {
        this.mode = mode;
    }

    private Attempt last;

    /**
     * The attempt of the current write, for the writer to learn whether a failed COMMIT happened
     * after all; null when the write failed before it began (no connection could be had).
     */
    Attempt lastAttempt() {
        return last;
    }

    /**
     * Forgets the previous attempt: called before each write, so that a write that fails before
     * it begins is never taken for an earlier one whose COMMIT was sent (that batch committed;
     * this one was not written at all).
     */
    void newWrite() {
        last = null;
    }

    /**
     * Writes and commits the batch on {@code c}: claims idempotency keys (requests whose key is
     * taken write nothing), inserts the rows, stores the keyed requests' answers, and marks the
     * batch committed, all in one transaction.
     *
     * @return the attempt that committed, with the records the database refused
     * @throws SQLException for anything but a data error; the transaction is then rolled back
     */
    Attempt write(Connection c, List<IngestRequest> batch) throws SQLException {
        c.setAutoCommit(false);
        Attempt fast = new Attempt();
        last = fast;
        try {
            List<IngestRequest> live = claimKeys(c, batch, fast);
            List<RowGroup> groups = RowGroup.of(live);
            TableSchema table = batch.get(0).table();
            if (marksInOneRoundTrip(groups, live, table)) {
                fast.wrote(groups.get(0), UnnestInsert.INSTANCE.writeMarked(c, groups.get(0), fast.batchId, table));
                commit(c, fast);
                return fast;
            }
            for (RowGroup g : groups) {
                RowWriter w = writerFor(g, g.size());
                for (int from = 0, step; from < g.size(); from += step) {
                    step = w.nextChunk(g, g.size() - from);
                    fast.wrote(g, w.write(c, g, from, from + step));
                }
            }
            finish(c, live, fast, table);
            return fast;
        } catch (SQLException e) {
            rollbackQuietly(c, e);
            if (fast.commitSent || SqlStates.classify(e) != SqlStates.Kind.DATA) {
                throw e;
            }
        }
        return writeIsolating(c, batch, fast.statements + 1);
    }

    private Attempt writeIsolating(Connection c, List<IngestRequest> batch, int statementsBefore) throws SQLException {
        Attempt careful = new Attempt();
        careful.statements = statementsBefore;
        last = careful;
        try {
            List<IngestRequest> live = claimKeys(c, batch, careful);
            RejectionIsolator isolator = new RejectionIsolator(c, careful);
            for (RowGroup g : RowGroup.of(live)) {
                // Slices never span two requests: each request's records are tried on their own,
                // so a good request is decided in a statement and a bad one isolates only itself.
                for (int run = 0, end; run < g.size(); run = end) {
                    end = g.ownerRunEnd(run);
                    RowWriter w = writerFor(g, end - run);
                    for (int from = run, step; from < end; from += step) {
                        step = w.nextChunk(g, end - from);
                        isolator.write(w, g, from, from + step);
                    }
                }
            }
            for (List<Rejection> refused : careful.rejected.values()) {
                refused.sort(Comparator.comparingInt(Rejection::index)); // found out of order by the probe
            }
            finish(c, live, careful, batch.get(0).table());
            return careful;
        } catch (SQLException e) {
            rollbackQuietly(c, e);
            throw e;
        }
    }

    /**
     * Whether the batch's rows and its marker can go in one round trip
     * ({@link UnnestInsert#writeMarked}): one group, which this mode sends by unnest, with no
     * upsert (whose rows come back) and nothing else to store before the marker (no keyed or
     * dead-letter request), into a table read from the catalog (whose shape the marker checks).
     * The usual batch of small requests; with the rows and the marker sent one after the other,
     * its writer spent a sixth of its time waiting for the marker's answer.
     */
    boolean marksInOneRoundTrip(List<RowGroup> groups, List<IngestRequest> live, TableSchema table) {
        if (groups.size() != 1 || table.shape() == null) {
            return false;
        }
        RowGroup g = groups.get(0);
        if (g.onConflict == OnConflict.UPDATE || writerFor(g, g.size()) != UnnestInsert.INSTANCE) {
            return false;
        }
        for (IngestRequest r : live) {
            if (r.idempotencyKey() != null || r.keepsRejects()) {
                return false;
            }
        }
        return true;
    }

    private static List<IngestRequest> claimKeys(Connection c, List<IngestRequest> batch, Attempt attempt) throws SQLException {
        List<IngestRequest> live = new ArrayList<>(batch.size());
        for (IngestRequest r : batch) {
            if (r.idempotencyKey() != null && !Bookkeeping.claim(c, r)) {
                attempt.duplicates.add(r);
            } else {
                live.add(r);
            }
        }
        return live;
    }

    /**
     * Writes none of the requests' rows but refuses every record with the given reason: for
     * dead-letter requests that the database refused as a whole (their table was dropped, say),
     * so that each record still lands in {@code ingest.rejects}, once.
     */
    Attempt writeRejected(Connection c, List<IngestRequest> batch, String sqlstate, String message) throws SQLException {
        c.setAutoCommit(false);
        Attempt attempt = new Attempt();
        last = attempt;
        try {
            List<IngestRequest> live = claimKeys(c, batch, attempt);
            for (IngestRequest r : live) {
                List<Rejection> all = new ArrayList<>(r.rows().size());
                r.rows().forEach(row -> all.add(new Rejection(row.index(), sqlstate, message)));
                attempt.rejected.put(r, all);
            }
            finish(c, live, attempt, null);
            return attempt;
        } catch (SQLException e) {
            rollbackQuietly(c, e);
            throw e;
        }
    }

    /**
     * Stores answers and refused records, writes the marker and commits. With {@code table}, the
     * marker is written only if the table still has the columns the rows were made for (see
     * {@link Bookkeeping#markCommitted(Connection, java.util.UUID, dev.ingest.engine.TableSchema)}).
     */
    private static void finish(Connection c, List<IngestRequest> live, Attempt attempt, TableSchema table)
            throws SQLException {
        for (IngestRequest r : live) {
            if (r.idempotencyKey() != null) {
                Bookkeeping.storeAnswer(c, r, Bookkeeping.answer(r, attempt));
            }
            if (r.keepsRejects()) {
                attempt.deadLettered += Bookkeeping.storeRejects(c, r, attempt);
            }
        }
        if (table == null) {
            Bookkeeping.markCommitted(c, attempt.batchId);
        } else {
            Bookkeeping.markCommitted(c, attempt.batchId, table);
        }
        commit(c, attempt);
    }

    /** Commits, saying first that COMMIT is sent: from then on only the marker tells whether it happened. */
    private static void commit(Connection c, Attempt attempt) throws SQLException {
        attempt.commitSent = true;
        c.commit();
    }

    /**
     * The configured mode's writer for {@code rows} rows of the group, or another for the groups
     * that mode cannot carry.
     */
    RowWriter writerFor(RowGroup g, int rows) {
        return switch (mode) {
            case AUTO -> rows < WriterMode.AUTO_COPY_ROWS ? UnnestInsert.supports(g) ? UnnestInsert.INSTANCE : ValuesInsert.INSTANCE
                    : !CopyFromStdin.supports(g) ? ValuesInsert.INSTANCE
                    : CopyBinary.supports(g) ? CopyBinary.INSTANCE : CopyFromStdin.INSTANCE;
            case COPY -> CopyFromStdin.supports(g) ? CopyFromStdin.INSTANCE
                    : UnnestInsert.supports(g) ? UnnestInsert.INSTANCE : ValuesInsert.INSTANCE;
            case COPY_BINARY -> CopyBinary.supports(g) ? CopyBinary.INSTANCE : CopyFromStdin.supports(g) ? CopyFromStdin.INSTANCE
                    : UnnestInsert.supports(g) ? UnnestInsert.INSTANCE : ValuesInsert.INSTANCE;
            case UNNEST -> UnnestInsert.supports(g) ? UnnestInsert.INSTANCE : ValuesInsert.INSTANCE;
            case VALUES -> ValuesInsert.INSTANCE;
        };
    }

    private static void rollbackQuietly(Connection c, SQLException cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}

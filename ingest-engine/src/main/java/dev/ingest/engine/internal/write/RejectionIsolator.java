package dev.ingest.engine.internal.write;

import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.Rejection;
import dev.ingest.engine.internal.sql.SqlStates;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the slices of a batch that failed on the fast path, each under a savepoint, and finds
 * the records the database rejects, within one transaction. The caller cuts slices at request
 * boundaries, so a request whose records are good costs one statement per slice and never waits
 * on another request's bisection beyond that request's {@link IsolationBudget}.
 *
 * <p>A slice that fails is resolved by, in order: a single record is rejected with its error; a
 * request past its budget has the slice rejected in one step; a unique violation is handed to the
 * {@link DuplicateKeyProbe}, which names the conflicting records in one statement (the rest are
 * written as one slice again); anything else is split in halves, each tried and resolved in turn.
 * With k bad records among n that costs O(k log n) statements, capped by the budget; the
 * all-duplicates case costs a few statements.
 *
 * <p>Invariant: a record is either in a statement that succeeded (committed with the batch) or
 * named in {@link Attempt#refused} with a SQLSTATE, never both, never neither.
 *
 * <p>Not thread-safe: one per isolating transaction.
 */
final class RejectionIsolator {
    private final Connection c;
    private final Attempt attempt;
    private final DuplicateKeyProbe probe = new DuplicateKeyProbe();
    private final Map<IngestRequest, IsolationBudget> budgets = new IdentityHashMap<>();

    RejectionIsolator(Connection c, Attempt attempt) {
        this.c = c;
        this.attempt = attempt;
    }

    /** Writes {@code g.rows[from, to)}, which all belong to one request, isolating rejected records. */
    void write(RowWriter w, RowGroup g, int from, int to) throws SQLException {
        IsolationBudget budget = budgets.computeIfAbsent(g.owners.get(from), r -> IsolationBudget.forRows(r.rows().size()));
        SQLException failure = tryWrite(w, g, from, to, budget);
        if (failure != null) {
            resolve(w, g, from, to, failure, budget);
        }
    }

    /** Tries a slice as a whole; returns its data error, or null when it is written. */
    private SQLException tryWrite(RowWriter w, RowGroup g, int from, int to, IsolationBudget budget) throws SQLException {
        budget.spend();
        Savepoint savepoint = c.setSavepoint();
        try {
            attempt.wrote(g, w.write(c, g, from, to));
            c.releaseSavepoint(savepoint);
            return null;
        } catch (SQLException e) {
            attempt.statements++;
            if (SqlStates.classify(e) != SqlStates.Kind.DATA) {
                throw e;
            }
            c.rollback(savepoint);
            c.releaseSavepoint(savepoint);
            return e;
        }
    }

    /** Tries a part of a slice that failed with {@code enclosing}, then resolves it if it fails too. */
    private void tryThenResolve(RowWriter w, RowGroup g, int from, int to, SQLException enclosing, IsolationBudget budget)
            throws SQLException {
        if (budget.exhausted()) {
            rejectUntried(g, from, to, enclosing, budget);
            return;
        }
        SQLException failure = tryWrite(w, g, from, to, budget);
        if (failure != null) {
            resolve(w, g, from, to, failure, budget);
        }
    }

    /** Decides each record of a slice that failed as a whole with {@code failure}. */
    private void resolve(RowWriter w, RowGroup g, int from, int to, SQLException failure, IsolationBudget budget)
            throws SQLException {
        if (to - from == 1) {
            reject(g, from, SqlStates.stateOf(failure), SqlStates.describe(failure));
            return;
        }
        if (budget.exhausted()) {
            rejectUntried(g, from, to, failure, budget);
            return;
        }
        if (DuplicateKeyProbe.applies(g, failure)) {
            List<DuplicateKeyProbe.Hit> hits = probe.find(c, g, from, to, failure, () -> {
                attempt.statements++;
                budget.spend();
            });
            if (hits != null && !hits.isEmpty()) {
                resolveAround(w, g, from, to, failure, hits, budget);
                return;
            }
        }
        int mid = (from + to) >>> 1;
        tryThenResolve(w, g, from, mid, failure, budget);
        tryThenResolve(w, g, mid, to, failure, budget);
    }

    /**
     * Refuses the records whose key is taken, writes the others, and then decides the records
     * that repeat an earlier record's key: when every other record was written, each repeat
     * conflicts with a committed record and is rejected; otherwise the earlier one may have been
     * rejected, so the repeats are tried again as a slice of their own (as body order would have it).
     */
    private void resolveAround(RowWriter w, RowGroup g, int from, int to, SQLException failure,
            List<DuplicateKeyProbe.Hit> hits, IsolationBudget budget) throws SQLException {
        boolean[] hit = new boolean[to - from];
        List<DuplicateKeyProbe.Hit> repeats = new ArrayList<>();
        for (DuplicateKeyProbe.Hit h : hits) {
            hit[h.position() - from] = true;
            if (h.repeated()) {
                repeats.add(h);
            } else {
                reject(g, h.position(), DuplicateKeyProbe.UNIQUE_VIOLATION, h.message());
            }
        }
        int rejectedBefore = attempt.rejections;
        List<Integer> rest = new ArrayList<>(to - from - hits.size());
        for (int i = from; i < to; i++) {
            if (!hit[i - from]) {
                rest.add(i);
            }
        }
        if (!rest.isEmpty()) {
            RowGroup part = g.part(rest);
            tryThenResolve(w, part, 0, part.size(), failure, budget);
        }
        if (repeats.isEmpty()) {
            return;
        }
        if (attempt.rejections == rejectedBefore) {
            for (DuplicateKeyProbe.Hit h : repeats) {
                reject(g, h.position(), DuplicateKeyProbe.UNIQUE_VIOLATION, h.message());
            }
            return;
        }
        RowGroup again = g.part(repeats.stream().map(DuplicateKeyProbe.Hit::position).toList());
        tryThenResolve(w, again, 0, again.size(), failure, budget);
    }

    private void reject(RowGroup g, int position, String sqlstate, String message) {
        attempt.reject(g.owners.get(position), new Rejection(g.rows.get(position).index(), sqlstate, message));
    }

    /** Past the budget: every record of the slice is rejected in one step, with the slice's error. */
    private void rejectUntried(RowGroup g, int from, int to, SQLException failure, IsolationBudget budget) {
        String message = "not tried alone: this request has more bad records than its isolation budget ("
                + budget.limit() + " statements) can name one by one, and this record's part failed with: "
                + SqlStates.describe(failure) + "; fix the bad records and resend this one";
        String sqlstate = SqlStates.stateOf(failure);
        for (int i = from; i < to; i++) {
            reject(g, i, sqlstate, message);
        }
    }
}

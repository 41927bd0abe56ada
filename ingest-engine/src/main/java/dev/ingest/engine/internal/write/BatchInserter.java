package dev.ingest.engine.internal.write;

import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.Rejection;
import dev.ingest.engine.WriterMode;
import dev.ingest.engine.internal.sql.SqlStates;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one batch in one transaction and isolates the records the database refuses.
 *
 * <p>The fast path sends each row group in as few statements as its {@link RowWriter} allows (one
 * COPY or UNNEST insert; multi-row VALUES inserts within the parameter limit) and commits. If a statement fails on the data of some record ({@link SqlStates.Kind#DATA}), the
 * transaction is rolled back and the batch is written again with savepoints, bisecting each
 * failing statement: a chunk that fails is split in halves until the single bad records are
 * found. With k bad records among n that costs O(k log n) statements, and every good record is
 * still committed in the same single transaction. Other errors propagate to the caller, which
 * decides between retrying and failing (see {@link SqlStates#classify}).
 *
 * <p>Not thread-safe: one instance per writer thread.
 */
final class BatchInserter {
    private final WriterMode mode;

    BatchInserter(WriterMode mode) {
        this.mode = mode;
    }

    /**
     * Writes and commits the batch on {@code c}.
     *
     * @return the records refused by the database, per request (requests with none are absent)
     * @throws SQLException for anything but a data error; the transaction is then rolled back
     */
    Map<IngestRequest, List<Rejection>> write(Connection c, List<IngestRequest> batch) throws SQLException {
        List<RowGroup> groups = RowGroup.of(batch);
        c.setAutoCommit(false);
        try {
            for (RowGroup g : groups) {
                RowWriter w = writerFor(g);
                for (int from = 0, step; from < g.size(); from += step) {
                    step = w.nextChunk(g, g.size() - from);
                    w.write(c, g, from, from + step);
                }
            }
            c.commit();
            return Map.of();
        } catch (SQLException e) {
            rollbackQuietly(c, e);
            if (SqlStates.classify(e) != SqlStates.Kind.DATA) {
                throw e;
            }
        }
        return writeIsolating(c, groups);
    }

    private Map<IngestRequest, List<Rejection>> writeIsolating(Connection c, List<RowGroup> groups) throws SQLException {
        Map<IngestRequest, List<Rejection>> refused = new IdentityHashMap<>();
        try {
            for (RowGroup g : groups) {
                RowWriter w = writerFor(g);
                for (int from = 0, step; from < g.size(); from += step) {
                    step = w.nextChunk(g, g.size() - from);
                    isolate(c, w, g, from, from + step, refused);
                }
            }
            c.commit();
            return refused;
        } catch (SQLException e) {
            rollbackQuietly(c, e);
            throw e;
        }
    }

    private void isolate(Connection c, RowWriter w, RowGroup g, int from, int to,
            Map<IngestRequest, List<Rejection>> refused) throws SQLException {
        Savepoint savepoint = c.setSavepoint();
        try {
            w.write(c, g, from, to);
            c.releaseSavepoint(savepoint);
            return;
        } catch (SQLException e) {
            if (SqlStates.classify(e) != SqlStates.Kind.DATA) {
                throw e;
            }
            c.rollback(savepoint);
            c.releaseSavepoint(savepoint);
            if (to - from == 1) {
                refused.computeIfAbsent(g.owners.get(from), r -> new ArrayList<>())
                        .add(new Rejection(g.rows.get(from).index(), SqlStates.stateOf(e), SqlStates.describe(e)));
                return;
            }
        }
        int mid = (from + to) >>> 1;
        isolate(c, w, g, from, mid, refused);
        isolate(c, w, g, mid, to, refused);
    }

    /** The configured mode's writer, or VALUES for the groups that mode cannot carry. */
    private RowWriter writerFor(RowGroup g) {
        return switch (mode) {
            case COPY -> CopyFromStdin.supports(g) ? CopyFromStdin.INSTANCE : ValuesInsert.INSTANCE;
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

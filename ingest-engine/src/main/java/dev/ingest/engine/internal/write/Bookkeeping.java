package dev.ingest.engine.internal.write;

import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.IngestResult;
import dev.ingest.engine.OnConflict;
import dev.ingest.engine.Rejection;
import dev.ingest.engine.RequestAnswer;
import dev.ingest.engine.RequestAnswerJson;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.internal.catalog.CatalogQuery;
import dev.ingest.engine.internal.convert.RecordJson;
import dev.ingest.engine.internal.sql.Identifiers;
import dev.ingest.engine.internal.sql.StaleSchemaException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The service's own rows written in a batch's transaction (schema {@code ingest}): idempotency
 * keys with their answers, dead letters, and the batch's commit marker.
 */
final class Bookkeeping {
    private Bookkeeping() {
    }

    /**
     * Claims the request's key for the range of the body it covers. False when the key is taken:
     * a transaction that claimed it first has committed (this waits for one still in flight), so
     * the request must write nothing.
     */
    static boolean claim(Connection c, IngestRequest r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ingest.idempotency_keys (scope, table_name, key, first_index, "
                + "end_index, status, result, request_fingerprint, body_bytes, body_sha256) VALUES (?, ?, ?, ?, ?, 0, '{}', ?, ?, ?) "
                + "ON CONFLICT DO NOTHING")) {
            IngestRequest.Fingerprint f = r.fingerprint();
            ps.setString(1, r.idempotencyScope());
            ps.setString(2, r.table().qualifiedName());
            ps.setString(3, r.idempotencyKey());
            ps.setInt(4, r.firstIndex());
            ps.setInt(5, r.endIndex());
            ps.setString(6, f == null ? null : f.request());
            ps.setObject(7, f == null ? null : f.bodyBytes(), Types.BIGINT);
            ps.setString(8, f == null ? null : f.bodySha256());
            return ps.executeUpdate() == 1;
        }
    }

    /** Stores the answer under the key claimed for {@code r}. */
    static void storeAnswer(Connection c, IngestRequest r, IngestResult answer) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE ingest.idempotency_keys SET status = ?, result = ?::jsonb "
                + "WHERE scope = ? AND table_name = ? AND key = ? AND first_index = ?")) {
            RequestAnswer stored = answer.answer();
            ps.setInt(1, stored.outcome().storedCode());
            ps.setString(2, RequestAnswerJson.encode(stored));
            ps.setString(3, r.idempotencyScope());
            ps.setString(4, r.table().qualifiedName());
            ps.setString(5, r.idempotencyKey());
            ps.setInt(6, r.firstIndex());
            ps.executeUpdate();
        }
    }

    /**
     * Writes the request's refused records, early and by the database, to the dead-letter table.
     *
     * @return how many
     */
    static int storeRejects(Connection c, IngestRequest r, Attempt attempt) throws SQLException {
        List<Rejection> byDatabase = attempt.rejected.getOrDefault(r, List.of());
        int n = r.rejectedEarly().size() + byDatabase.size();
        if (n == 0) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ingest.rejects "
                + "(table_name, record_index, idempotency_key, record, sqlstate, message, source) VALUES (?, ?, ?, ?::json, ?, ?, ?)")) {
            List<String> early = r.rejectedEarlyRecords();
            for (int i = 0; i < r.rejectedEarly().size(); i++) {
                addReject(ps, r, r.rejectedEarly().get(i), early.get(i));
            }
            if (!byDatabase.isEmpty()) {
                Map<Integer, IngestRequest.Row> rows = new HashMap<>();
                r.rows().forEach(row -> rows.put(row.index(), row));
                for (Rejection rej : byDatabase) {
                    addReject(ps, r, rej, RecordJson.ofRow(r.table(), rows.get(rej.index()).values()));
                }
            }
            ps.executeBatch();
        }
        return n;
    }

    private static void addReject(PreparedStatement ps, IngestRequest r, Rejection rej, String record) throws SQLException {
        ps.setString(1, r.table().qualifiedName());
        ps.setInt(2, rej.index());
        ps.setString(3, r.idempotencyKey());
        ps.setString(4, record);
        ps.setString(5, rej.sqlstate());
        ps.setString(6, RecordJson.storable(rej.message()));
        ps.setString(7, r.source());
        ps.addBatch();
    }

    static void markCommitted(Connection c, UUID batchId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ingest.commits (batch_id) VALUES (?)")) {
            ps.setObject(1, batchId);
            ps.executeUpdate();
        }
    }

    /**
     * Writes the batch marker only if {@code table} still has the columns {@code shape} describes,
     * in the same statement (no extra round trip). Run after the batch's inserts, whose lock on the
     * table no DDL can pass before COMMIT, so what is compared is what the commit will hold.
     *
     * @throws StaleSchemaException when the columns changed: nothing may be committed
     */
    static void markCommitted(Connection c, UUID batchId, TableSchema table) throws SQLException {
        if (table.shape() == null) {
            markCommitted(c, batchId);
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(MARK_IF_SHAPED)) {
            bindMark(ps, 1, batchId, table);
            checkMarked(ps.executeUpdate(), table);
        }
    }

    /**
     * The marker statement of {@link #markCommitted(Connection, UUID, TableSchema)}: it writes
     * the marker only if the table still has the given shape. Three parameters, bound by
     * {@link #bindMark}; it may follow another statement in the same text (see
     * {@link UnnestInsert#writeMarked}).
     */
    static final String MARK_IF_SHAPED = "INSERT INTO ingest.commits (batch_id) SELECT ? WHERE "
            + CatalogQuery.shapeOf("to_regclass(?)") + " IS NOT DISTINCT FROM ?";

    /** Binds {@link #MARK_IF_SHAPED}'s parameters from parameter {@code first} on. */
    static void bindMark(PreparedStatement ps, int first, UUID batchId, TableSchema table) throws SQLException {
        ps.setObject(first, batchId);
        ps.setString(first + 1, Identifiers.qualified(table.schema(), table.name()));
        ps.setString(first + 2, table.shape());
    }

    /**
     * @param marked the update count of {@link #MARK_IF_SHAPED}
     * @throws StaleSchemaException when it wrote no marker: the columns changed
     */
    static void checkMarked(int marked, TableSchema table) throws StaleSchemaException {
        if (marked == 0) {
            throw new StaleSchemaException(table.qualifiedName());
        }
    }

    static boolean wasCommitted(Connection c, UUID batchId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM ingest.commits WHERE batch_id = ?")) {
            ps.setObject(1, batchId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The answer of a request in a committed attempt. */
    static IngestResult answer(IngestRequest r, Attempt attempt) {
        List<Rejection> rejectedByDatabase = attempt.rejected.getOrDefault(r, List.of());
        List<Rejection> all = new ArrayList<>(r.rejectedEarly().size() + rejectedByDatabase.size());
        all.addAll(r.rejectedEarly());
        all.addAll(rejectedByDatabase);
        int accepted = r.rows().size() - rejectedByDatabase.size();
        IngestResult.Conflicts conflicts = null;
        if (r.onConflict() != OnConflict.ERROR) {
            Written w = attempt.written.getOrDefault(r, Written.NONE);
            conflicts = new IngestResult.Conflicts(w.inserted(), w.updated(), accepted - w.inserted() - w.updated());
        }
        return new IngestResult(accepted, all, false, conflicts);
    }
}

package dev.ingest.api.imports;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The record of imports in schema {@code ingest}: runs ({@code import_runs}) and the files each
 * job has imported completely ({@code import_files}). Thread-safe; each call is its own transaction.
 */
final class ImportHistory {
    private final DataSource db;

    ImportHistory(DataSource db) {
        this.db = db;
    }

    /** What a run did, so far. */
    static final class Counts {
        int files;
        long accepted;
        long rejected;
    }

    long start(String job, String trigger, String instance) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ingest.import_runs (job, trigger, instance, status) VALUES (?, ?, ?, 'running') RETURNING id")) {
            c.setAutoCommit(true);
            ps.setString(1, job);
            ps.setString(2, trigger);
            ps.setString(3, instance);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    void finish(long runId, String status, Counts counts, String error) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE ingest.import_runs SET "
                + "finished_at = now(), status = ?, files = ?, rows_accepted = ?, rows_rejected = ?, error = ? WHERE id = ?")) {
            c.setAutoCommit(true);
            ps.setString(1, status);
            ps.setInt(2, counts.files);
            ps.setLong(3, counts.accepted);
            ps.setLong(4, counts.rejected);
            ps.setString(5, error);
            ps.setLong(6, runId);
            ps.executeUpdate();
        }
    }

    /** Whether the job imported this version of a file before. */
    boolean imported(String job, String fileId) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM ingest.import_files WHERE job = ? AND file_id = ?")) {
            c.setAutoCommit(true);
            ps.setString(1, job);
            ps.setString(2, fileId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    void fileImported(String job, String fileId, SourceFiles.SourceFile file, String contentSha256, long runId, long accepted,
            long rejected) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO ingest.import_files "
                + "(job, file_id, source, size, content_sha256, run_id, rows_accepted, rows_rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING")) {
            c.setAutoCommit(true);
            ps.setString(1, job);
            ps.setString(2, fileId);
            ps.setString(3, file.name());
            ps.setLong(4, file.size());
            ps.setString(5, contentSha256);
            ps.setLong(6, runId);
            ps.setLong(7, accepted);
            ps.setLong(8, rejected);
            ps.executeUpdate();
        }
    }

    /** The job's latest runs, newest first. */
    List<ImportRun> recent(String job, int limit) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT id, job, trigger, instance, "
                + "started_at, finished_at, status, files, rows_accepted, rows_rejected, error FROM ingest.import_runs "
                + "WHERE job = ? ORDER BY id DESC LIMIT ?")) {
            c.setAutoCommit(true);
            ps.setString(1, job);
            ps.setInt(2, limit);
            List<ImportRun> runs = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    runs.add(new ImportRun(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), instant(rs.getTimestamp(5)),
                            instant(rs.getTimestamp(6)), rs.getString(7), rs.getInt(8), rs.getLong(9), rs.getLong(10), rs.getString(11)));
                }
            }
            return runs;
        }
    }

    /** Runs still marked running that no instance is running (their instance stopped or crashed). */
    void abandonStale() throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            // A run holds its job's advisory lock while it runs: a running row whose lock is free is stale.
            s.executeUpdate("UPDATE ingest.import_runs r SET status = 'failed', finished_at = now(), "
                    + "error = coalesce(error, 'the instance running it stopped before it finished; the next run goes on') "
                    + "WHERE status = 'running' AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' "
                    + "AND l.classid = hashtext('ingest.import')::oid AND l.objid = hashtext(r.job)::oid AND l.granted)");
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}

package dev.ingest.engine.internal.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires the service's bookkeeping: idempotency keys older than their retention, and commit
 * markers older than any writer could still ask about. Deletes in small batches, each its own
 * transaction, touching only schema {@code ingest}, so it never holds locks that ingestion waits on.
 */
public final class Housekeeper implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Housekeeper.class);

    private final DataSource dataSource;
    private final Duration keyRetention;
    private final Duration markerRetention;
    private final int batchRows;

    /**
     * @param keyRetention    how long idempotency keys are kept
     * @param markerRetention how long commit markers are kept (a writer asks about its marker within
     *                        seconds of a failed COMMIT)
     * @param batchRows       rows deleted per transaction
     */
    public Housekeeper(DataSource dataSource, Duration keyRetention, Duration markerRetention, int batchRows) {
        this.dataSource = dataSource;
        this.keyRetention = keyRetention;
        this.markerRetention = markerRetention;
        this.batchRows = batchRows;
    }

    /** Expired rows deleted by one pass. */
    public record Expired(long keys, long markers) {
    }

    @Override
    public void run() {
        try {
            Expired e = runOnce();
            if (e.keys() + e.markers() > 0) {
                log.info("expired bookkeeping: idempotencyKeys={} commitMarkers={}", e.keys(), e.markers());
            }
        } catch (SQLException e) {
            log.warn("housekeeping failed, will try again: sqlstate={} message={}", e.getSQLState(), e.getMessage());
        }
    }

    public Expired runOnce() throws SQLException {
        long keys = expire("ingest.idempotency_keys", "created_at", keyRetention);
        long markers = expire("ingest.commits", "committed_at", markerRetention);
        return new Expired(keys, markers);
    }

    private long expire(String table, String column, Duration age) throws SQLException {
        String sql = "DELETE FROM " + table + " WHERE ctid = ANY (ARRAY(SELECT ctid FROM " + table + " WHERE " + column
                + " < now() - make_interval(secs => ?) LIMIT " + batchRows + "))";
        long total = 0;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            c.setAutoCommit(true);
            int n;
            do {
                ps.setDouble(1, age.toMillis() / 1000.0);
                n = ps.executeUpdate();
                total += n;
            } while (n == batchRows);
        }
        return total;
    }
}

package dev.ingest.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The engine's configuration: immutable and validated. Build one with {@link #builder(String)};
 * everything but the database has a default.
 *
 * @param jdbcUrl            {@code jdbc:postgresql://...} of the target database
 * @param user               database role, or null to take it from the URL
 * @param password           its password, or null
 * @param schemas            schemas whose tables are ingestible, searched in order for bare names
 * @param poolSize           JDBC connections at most (writers borrow one per batch)
 * @param writersPerTable    writer threads per table, each with its own queue
 * @param queueCapacity      queued requests per writer before {@link Admission#QUEUE_FULL}
 * @param memoryBudgetBytes  bytes of queued and in-flight records across all tables before
 *                           {@link Admission#QUEUE_FULL}
 * @param maxBatchRows       rows per transaction at most (also capped by 65535 parameters)
 * @param minBatchRows       the adaptive batch size never goes below this
 * @param batchLatencyTarget the commit latency the adaptive batch size steers toward
 * @param linger             how long a started batch waits for more requests
 * @param writerMode         how rows are sent, unless {@code tableWriterModes} says otherwise
 * @param tableWriterModes   writer mode per table, keyed by {@code schema.table} or bare name
 * @param idempotencyRetention how long idempotency keys (and their stored answers) are kept
 * @param shutdownGrace      how long {@link IngestEngine#close()} lets writers finish queued work
 * @param retryBackoffMax    longest pause between retries while the database is unavailable
 */
public record EngineConfig(
        String jdbcUrl,
        String user,
        String password,
        List<String> schemas,
        int poolSize,
        int writersPerTable,
        int queueCapacity,
        long memoryBudgetBytes,
        int maxBatchRows,
        int minBatchRows,
        Duration batchLatencyTarget,
        Duration linger,
        WriterMode writerMode,
        Map<String, WriterMode> tableWriterModes,
        Duration idempotencyRetention,
        Duration shutdownGrace,
        Duration retryBackoffMax) {

    public EngineConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("jdbcUrl must start with jdbc:postgresql: but was " + jdbcUrl);
        }
        schemas = List.copyOf(schemas);
        if (schemas.isEmpty()) {
            throw new IllegalArgumentException("schemas must name at least one schema");
        }
        positive("poolSize", poolSize);
        positive("writersPerTable", writersPerTable);
        positive("queueCapacity", queueCapacity);
        positive("memoryBudgetBytes", memoryBudgetBytes);
        positive("maxBatchRows", maxBatchRows);
        positive("minBatchRows", minBatchRows);
        if (minBatchRows > maxBatchRows) {
            throw new IllegalArgumentException("minBatchRows " + minBatchRows + " exceeds maxBatchRows " + maxBatchRows);
        }
        nonNegative("batchLatencyTarget", batchLatencyTarget);
        nonNegative("linger", linger);
        Objects.requireNonNull(writerMode, "writerMode");
        tableWriterModes = Map.copyOf(tableWriterModes);
        nonNegative("idempotencyRetention", idempotencyRetention);
        nonNegative("shutdownGrace", shutdownGrace);
        nonNegative("retryBackoffMax", retryBackoffMax);
    }

    public static Builder builder(String jdbcUrl) {
        return new Builder(jdbcUrl);
    }

    /** The writer mode for a table. */
    public WriterMode writerModeFor(TableSchema table) {
        WriterMode m = tableWriterModes.get(table.qualifiedName());
        if (m == null) {
            m = tableWriterModes.get(table.name());
        }
        return m == null ? writerMode : m;
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive but was " + value);
        }
    }

    private static void nonNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative but was " + value);
        }
    }

    @Override
    public String toString() {
        // Never print the password.
        return "EngineConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", schemas=" + schemas + ", poolSize=" + poolSize
                + ", writersPerTable=" + writersPerTable + ", queueCapacity=" + queueCapacity
                + ", memoryBudgetBytes=" + memoryBudgetBytes + ", batchRows=" + minBatchRows + ".." + maxBatchRows
                + ", batchLatencyTarget=" + batchLatencyTarget + ", linger=" + linger + ", writerMode=" + writerMode
                + ", tableWriterModes=" + tableWriterModes + ", idempotencyRetention=" + idempotencyRetention
                + ", shutdownGrace=" + shutdownGrace
                + ", retryBackoffMax=" + retryBackoffMax + "]";
    }

    /** Defaults suit a small machine; see the README for what each knob trades. */
    public static final class Builder {
        private final String jdbcUrl;
        private String user;
        private String password;
        private List<String> schemas = List.of("public");
        private int poolSize = 10;
        private int writersPerTable = 2;
        private int queueCapacity = 1024;
        private long memoryBudgetBytes = 256L * 1024 * 1024;
        private int maxBatchRows = 10_000;
        private Integer minBatchRows; // default: 64, or maxBatchRows when that is smaller
        private Duration batchLatencyTarget = Duration.ofMillis(50);
        private Duration linger = Duration.ofMillis(1);
        private WriterMode writerMode = WriterMode.VALUES;
        private Map<String, WriterMode> tableWriterModes = Map.of();
        private Duration idempotencyRetention = Duration.ofHours(24);
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private Duration retryBackoffMax = Duration.ofSeconds(5);

        private Builder(String jdbcUrl) {
            this.jdbcUrl = jdbcUrl;
        }

        public Builder credentials(String user, String password) {
            this.user = user;
            this.password = password;
            return this;
        }

        public Builder schemas(List<String> v) {
            schemas = v;
            return this;
        }

        public Builder poolSize(int v) {
            poolSize = v;
            return this;
        }

        public Builder writersPerTable(int v) {
            writersPerTable = v;
            return this;
        }

        public Builder queueCapacity(int v) {
            queueCapacity = v;
            return this;
        }

        public Builder memoryBudgetBytes(long v) {
            memoryBudgetBytes = v;
            return this;
        }

        public Builder maxBatchRows(int v) {
            maxBatchRows = v;
            return this;
        }

        public Builder minBatchRows(int v) {
            minBatchRows = v;
            return this;
        }

        public Builder batchLatencyTarget(Duration v) {
            batchLatencyTarget = v;
            return this;
        }

        public Builder linger(Duration v) {
            linger = v;
            return this;
        }

        public Builder writerMode(WriterMode v) {
            writerMode = v;
            return this;
        }

        public Builder tableWriterModes(Map<String, WriterMode> v) {
            tableWriterModes = v;
            return this;
        }

        public Builder idempotencyRetention(Duration v) {
            idempotencyRetention = v;
            return this;
        }

        public Builder shutdownGrace(Duration v) {
            shutdownGrace = v;
            return this;
        }

        public Builder retryBackoffMax(Duration v) {
            retryBackoffMax = v;
            return this;
        }

        public EngineConfig build() {
            return new EngineConfig(jdbcUrl, user, password, schemas, poolSize, writersPerTable, queueCapacity,
                    memoryBudgetBytes, maxBatchRows, minBatchRows == null ? Math.min(64, maxBatchRows) : minBatchRows,
                    batchLatencyTarget, linger, writerMode,
                    tableWriterModes, idempotencyRetention, shutdownGrace, retryBackoffMax);
        }
    }
}

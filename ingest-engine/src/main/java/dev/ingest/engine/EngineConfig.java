package dev.ingest.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The engine's configuration: immutable and validated. Build one with {@link #builder(String)};
 * everything but the database has a default, stated per component below with its unit. The
 * service builds it from its config file (see the README's configuration section); values that
 * have no key there are the engine's own tunables, fixed at these defaults.
 *
 * @param jdbcUrl            {@code jdbc:postgresql://...} of the target database ({@link #UNBOUND_URL}
 *                           until the service knows it: see {@link #forDatabase})
 * @param user               database role, or null to take it from the URL
 * @param password           its password, or null
 * @param schemas            schemas whose tables are ingestible, searched in order for bare names;
 *                           default {@code [public]}
 * @param poolSize           JDBC connections at most (writers borrow one per batch); default 10
 * @param writersPerTable    writer threads per table, each with its own queue; requests fill the
 *                           queues in turn (see {@code WriterQueues}); default 2
 * @param queueCapacity      queued requests per writer before {@link Admission#QUEUE_FULL}; default 1024
 * @param memoryBudgetBytes  bytes of queued and in-flight records across all tables before
 *                           {@link Admission#QUEUE_FULL}; default 256 MiB
 * @param maxBatchRows       rows per transaction at most (also capped by 65535 parameters); default 10000
 * @param minBatchRows       the adaptive batch size never goes below this; default 64, or
 *                           {@code maxBatchRows} when that is smaller
 * @param batchLatencyTarget the commit latency the adaptive batch size steers toward; default 50 ms
 * @param linger             how long a started batch waits for more requests; default 0: a batch is
 *                           what queued while the writer's previous batch was written
 * @param writerMode         how rows are sent, unless {@code tableWriterModes} says otherwise;
 *                           default {@link WriterMode#AUTO}
 * @param tableWriterModes   writer mode per table, keyed by {@code schema.table} or bare name; default none
 * @param idempotencyRetention how long idempotency keys (and their stored answers) are kept; default 24 h
 * @param shutdownGrace      how long {@link IngestEngine#close()} lets writers finish queued work; default 30 s
 * @param retryBackoffMax    longest pause between retries while the database is unavailable; default 5 s
 * @param retryBackoffMin    first pause between retries while the database is unavailable (doubling up to
 *                           {@code retryBackoffMax}); default 50 ms
 * @param writerStopWait     how long {@link IngestEngine#close()} waits, after {@code shutdownGrace}, for an
 *                           interrupted writer thread to end; default 10 s
 * @param writerIdlePark     how long an idle writer parks before it looks at its queue again; default 100 ms
 * @param staleSchemaRetries attempts of a batch after stale statements (a table changed under it) before the
 *                           error is the answer; default 3
 * @param catalogFreshness   a catalog refresh asked within this time of the last one shares it instead of
 *                           querying again; default 1 s
 * @param catalogRefreshTimeout how long a writer waits for the catalog refresh it asked for after a schema
 *                           change; default 30 s
 * @param housekeepingInterval pause between two runs of the housekeeper (expired idempotency keys, commit
 *                           markers); default 60 s
 * @param housekeepingBatchRows rows the housekeeper deletes per transaction; default 5000
 * @param markerRetention    how long a commit marker is kept for a writer to ask about after a failed
 *                           COMMIT; default 1 h
 * @param connectionTimeout  how long a writer waits for a pooled JDBC connection (HikariCP
 *                           {@code connectionTimeout}); default 5 s
 * @param initializationFailTimeout how long the pool tries to open its first connection at start (HikariCP
 *                           {@code initializationFailTimeout}); default 30 s
 * @param poolMinimumIdle    idle JDBC connections the pool keeps open (HikariCP {@code minimumIdle}); default 1
 * @param preparedStatementCacheMiB pgjdbc's prepared statement cache per connection, in MiB, unless the URL sets
 *                           {@code preparedStatementCacheSizeMiB}; default 16
 * @param budgetRateWindow   the window over which the memory budget measures its drain rate (for
 *                           {@code Retry-After}); default 1 s
 * @param retryAfterMax      the longest {@code Retry-After} the memory budget derives; default 60 s
 * @param partitionsAsTables list the partitions of partitioned tables as ingestible tables of their own
 *                           (records written into a partition directly); default false: a partitioned
 *                           table is one ingestible table, its parent
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
        Duration retryBackoffMax,
        Duration retryBackoffMin,
        Duration writerStopWait,
        Duration writerIdlePark,
        int staleSchemaRetries,
        Duration catalogFreshness,
        Duration catalogRefreshTimeout,
        Duration housekeepingInterval,
        int housekeepingBatchRows,
        Duration markerRetention,
        Duration connectionTimeout,
        Duration initializationFailTimeout,
        int poolMinimumIdle,
        int preparedStatementCacheMiB,
        Duration budgetRateWindow,
        Duration retryAfterMax,
        boolean partitionsAsTables) {

    /** The database of a configuration built before the service knows its own (an embedded one starts later). */
    public static final String UNBOUND_URL = "jdbc:postgresql:unbound";

    /** Every default, for {@link #UNBOUND_URL}. */
    public static final EngineConfig DEFAULTS = builder(UNBOUND_URL).build();

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
        positive("retryBackoffMin", retryBackoffMin);
        nonNegative("writerStopWait", writerStopWait);
        positive("writerIdlePark", writerIdlePark);
        nonNegativeCount("staleSchemaRetries", staleSchemaRetries);
        nonNegative("catalogFreshness", catalogFreshness);
        positive("catalogRefreshTimeout", catalogRefreshTimeout);
        positive("housekeepingInterval", housekeepingInterval);
        positive("housekeepingBatchRows", housekeepingBatchRows);
        nonNegative("markerRetention", markerRetention);
        positive("connectionTimeout", connectionTimeout);
        nonNegative("initializationFailTimeout", initializationFailTimeout);
        nonNegativeCount("poolMinimumIdle", poolMinimumIdle);
        positive("preparedStatementCacheMiB", preparedStatementCacheMiB);
        positive("budgetRateWindow", budgetRateWindow);
        positive("retryAfterMax", retryAfterMax);
    }

    public static Builder builder(String jdbcUrl) {
        return new Builder(jdbcUrl);
    }

    /** A builder holding every value of this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** This configuration for the given database and role, every other value kept. */
    public EngineConfig forDatabase(String jdbcUrl, String user, String password) {
        return toBuilder().database(jdbcUrl).credentials(user, password).build();
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

    private static void nonNegativeCount(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative but was " + value);
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
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
                + ", retryBackoff=" + retryBackoffMin + ".." + retryBackoffMax + ", writerStopWait=" + writerStopWait
                + ", writerIdlePark=" + writerIdlePark + ", staleSchemaRetries=" + staleSchemaRetries
                + ", catalogFreshness=" + catalogFreshness + ", catalogRefreshTimeout=" + catalogRefreshTimeout
                + ", housekeepingInterval=" + housekeepingInterval + ", housekeepingBatchRows=" + housekeepingBatchRows
                + ", markerRetention=" + markerRetention + ", connectionTimeout=" + connectionTimeout
                + ", initializationFailTimeout=" + initializationFailTimeout + ", poolMinimumIdle=" + poolMinimumIdle
                + ", preparedStatementCacheMiB=" + preparedStatementCacheMiB + ", budgetRateWindow=" + budgetRateWindow
                + ", retryAfterMax=" + retryAfterMax + ", partitionsAsTables=" + partitionsAsTables + "]";
    }

    /** Defaults suit a small machine; see the README for what each knob trades. */
    public static final class Builder {
        private String jdbcUrl;
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
        private Duration linger = Duration.ZERO;
        private WriterMode writerMode = WriterMode.AUTO;
        private Map<String, WriterMode> tableWriterModes = Map.of();
        private Duration idempotencyRetention = Duration.ofHours(24);
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private Duration retryBackoffMax = Duration.ofSeconds(5);
        private Duration retryBackoffMin = Duration.ofMillis(50);
        private Duration writerStopWait = Duration.ofSeconds(10);
        private Duration writerIdlePark = Duration.ofMillis(100);
        private int staleSchemaRetries = 3;
        private Duration catalogFreshness = Duration.ofSeconds(1);
        private Duration catalogRefreshTimeout = Duration.ofSeconds(30);
        private Duration housekeepingInterval = Duration.ofSeconds(60);
        private int housekeepingBatchRows = 5000;
        private Duration markerRetention = Duration.ofHours(1);
        private Duration connectionTimeout = Duration.ofSeconds(5);
        private Duration initializationFailTimeout = Duration.ofSeconds(30);
        private int poolMinimumIdle = 1;
        private int preparedStatementCacheMiB = 16;
        private Duration budgetRateWindow = Duration.ofSeconds(1);
        private Duration retryAfterMax = Duration.ofSeconds(60);
        private boolean partitionsAsTables;

        private Builder(String jdbcUrl) {
            this.jdbcUrl = jdbcUrl;
        }

        private Builder(EngineConfig c) {
            jdbcUrl = c.jdbcUrl;
            user = c.user;
            password = c.password;
            schemas = c.schemas;
            poolSize = c.poolSize;
            writersPerTable = c.writersPerTable;
            queueCapacity = c.queueCapacity;
            memoryBudgetBytes = c.memoryBudgetBytes;
            maxBatchRows = c.maxBatchRows;
            minBatchRows = c.minBatchRows;
            batchLatencyTarget = c.batchLatencyTarget;
            linger = c.linger;
            writerMode = c.writerMode;
            tableWriterModes = c.tableWriterModes;
            idempotencyRetention = c.idempotencyRetention;
            shutdownGrace = c.shutdownGrace;
            retryBackoffMax = c.retryBackoffMax;
            retryBackoffMin = c.retryBackoffMin;
            writerStopWait = c.writerStopWait;
            writerIdlePark = c.writerIdlePark;
            staleSchemaRetries = c.staleSchemaRetries;
            catalogFreshness = c.catalogFreshness;
            catalogRefreshTimeout = c.catalogRefreshTimeout;
            housekeepingInterval = c.housekeepingInterval;
            housekeepingBatchRows = c.housekeepingBatchRows;
            markerRetention = c.markerRetention;
            connectionTimeout = c.connectionTimeout;
            initializationFailTimeout = c.initializationFailTimeout;
            poolMinimumIdle = c.poolMinimumIdle;
            preparedStatementCacheMiB = c.preparedStatementCacheMiB;
            budgetRateWindow = c.budgetRateWindow;
            retryAfterMax = c.retryAfterMax;
            partitionsAsTables = c.partitionsAsTables;
        }

        /** The target database, {@code jdbc:postgresql://...}. */
        public Builder database(String v) {
            jdbcUrl = v;
            return this;
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

        public Builder retryBackoffMin(Duration v) {
            retryBackoffMin = v;
            return this;
        }

        public Builder writerStopWait(Duration v) {
            writerStopWait = v;
            return this;
        }

        public Builder writerIdlePark(Duration v) {
            writerIdlePark = v;
            return this;
        }

        public Builder staleSchemaRetries(int v) {
            staleSchemaRetries = v;
            return this;
        }

        public Builder catalogFreshness(Duration v) {
            catalogFreshness = v;
            return this;
        }

        public Builder catalogRefreshTimeout(Duration v) {
            catalogRefreshTimeout = v;
            return this;
        }

        public Builder housekeepingInterval(Duration v) {
            housekeepingInterval = v;
            return this;
        }

        public Builder housekeepingBatchRows(int v) {
            housekeepingBatchRows = v;
            return this;
        }

        public Builder markerRetention(Duration v) {
            markerRetention = v;
            return this;
        }

        public Builder connectionTimeout(Duration v) {
            connectionTimeout = v;
            return this;
        }

        public Builder initializationFailTimeout(Duration v) {
            initializationFailTimeout = v;
            return this;
        }

        public Builder poolMinimumIdle(int v) {
            poolMinimumIdle = v;
            return this;
        }

        public Builder preparedStatementCacheMiB(int v) {
            preparedStatementCacheMiB = v;
            return this;
        }

        public Builder budgetRateWindow(Duration v) {
            budgetRateWindow = v;
            return this;
        }

        public Builder retryAfterMax(Duration v) {
            retryAfterMax = v;
            return this;
        }

        public Builder partitionsAsTables(boolean v) {
            partitionsAsTables = v;
            return this;
        }

        public EngineConfig build() {
            return new EngineConfig(jdbcUrl, user, password, schemas, poolSize, writersPerTable, queueCapacity,
                    memoryBudgetBytes, maxBatchRows, minBatchRows == null ? Math.min(64, maxBatchRows) : minBatchRows,
                    batchLatencyTarget, linger, writerMode,
                    tableWriterModes, idempotencyRetention, shutdownGrace, retryBackoffMax, retryBackoffMin, writerStopWait,
                    writerIdlePark, staleSchemaRetries, catalogFreshness, catalogRefreshTimeout, housekeepingInterval,
                    housekeepingBatchRows, markerRetention, connectionTimeout, initializationFailTimeout, poolMinimumIdle,
                    preparedStatementCacheMiB, budgetRateWindow, retryAfterMax, partitionsAsTables);
        }
    }
}

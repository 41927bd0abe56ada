package dev.ingest.engine;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ingest.engine.internal.admit.Admitter;
import dev.ingest.engine.internal.admit.InFlight;
import dev.ingest.engine.internal.queue.RequestQueue;
import dev.ingest.engine.internal.queue.WriterQueues;
import dev.ingest.engine.internal.schema.Housekeeper;
import dev.ingest.engine.internal.schema.Migrations;
import dev.ingest.engine.internal.session.SessionSettingsDataSource;
import dev.ingest.engine.internal.write.BatchWriter;
import dev.ingest.engine.internal.write.WriterSettings;
import dev.ingest.engine.internal.write.WriterStats;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingestion engine: a catalog of ingestible tables and, per table, a lane of writer threads,
 * each draining its own bounded queue into batched writes. Held records are bounded by a memory
 * budget in bytes shared by all tables, which the engine alone reserves, trues up and releases:
 * callers see an {@link Admission} that says why when there is no room.
 *
 * <p>Typical use: {@link Catalog#resolve} the table, build an {@link IngestRequest}, {@link #submit}
 * it, and answer the client when the {@link Submission#result()} completes, which happens only
 * after the accepted records are committed. A thread that may wait uses
 * {@link #submit(IngestRequest, Duration)}; a body decoded as it streams goes through an
 * {@link UploadSession} ({@link #open}); bytes that are not records yet or any more (a body
 * arriving, an answer being sent) are held with {@link #hold()}.
 *
 * <p>Thread-safe. {@link #submit(IngestRequest)} never blocks.
 */
public final class IngestEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestEngine.class);

    private final EngineConfig config;
    private final HikariDataSource pool;
    private final DataSource dataSource;
    private final Catalog catalog;
    private final Admitter admitter;
    private final DatabaseHealth health;
    private final ExecutorService catalogExecutor;
    private final ScheduledExecutorService maintenance;
    private final Housekeeper housekeeper;
    private final LongSupplier nanoClock;
    private final WriterSettings writerSettings;
    private volatile EngineListener listener = EngineListener.NONE;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    /** The writers of one table. */
    private record Lane(String table, WriterMode mode, WriterQueues queues, BatchWriter[] writers, Thread[] threads) {
    }

    private IngestEngine(EngineConfig config, HikariDataSource pool, DataSource dataSource, LongSupplier nanoClock) {
        this.config = config;
        this.pool = pool;
        this.dataSource = dataSource;
        this.health = new DatabaseHealth(() -> {
            if (pool.getHikariPoolMXBean() != null) {
                pool.getHikariPoolMXBean().softEvictConnections();
            }
        });
        this.nanoClock = nanoClock;
        this.admitter = new Admitter(config, health, nanoClock, this::enqueue, () -> listener);
        this.catalogExecutor = Executors.newSingleThreadExecutor(r -> daemon(r, "ingest-catalog"));
        this.catalog = new Catalog(dataSource, config.schemas(), config.partitionsAsTables(), catalogExecutor, nanoClock,
                config.catalogFreshness());
        this.housekeeper = new Housekeeper(dataSource, config.idempotencyRetention(), config.markerRetention(),
                config.housekeepingBatchRows());
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ingest-housekeeper"));
        long interval = config.housekeepingInterval().toNanos();
        maintenance.scheduleWithFixedDelay(housekeeper, interval, interval, TimeUnit.NANOSECONDS);
        this.writerSettings = WriterSettings.of(config);
    }

    /**
     * Connects, applies the service's migrations, reads the catalog and returns a running engine.
     * Blocks while doing so.
     *
     * @throws SQLException when the database cannot be reached or the catalog cannot be read
     */
    public static IngestEngine start(EngineConfig config) throws SQLException {
        return start(config, SessionDefaults.fromRoleSettings(), ds -> ds);
    }

    /**
     * As {@link #start(EngineConfig)}, with every connection given the session settings that
     * {@code sessionDefaults} learns for it (see {@link SessionDefaults}).
     */
    public static IngestEngine startWith(EngineConfig config, SessionDefaults sessionDefaults) throws SQLException {
        return start(config, sessionDefaults, ds -> ds);
    }

    /** For failure tests: the engine's connections pass through {@code decorate}. */
    static IngestEngine start(EngineConfig config, UnaryOperator<DataSource> decorate) throws SQLException {
        return start(config, SessionDefaults.fromRoleSettings(), decorate);
    }

    private static IngestEngine start(EngineConfig config, SessionDefaults sessionDefaults, UnaryOperator<DataSource> decorate)
            throws SQLException {
        HikariDataSource pool = new HikariDataSource(hikari(config, sessionDefaults));
        try {
            Migrations.apply(pool);
            DataSource dataSource = decorate.apply(pool);
            IngestEngine engine = new IngestEngine(config, pool, dataSource, System::nanoTime);
            engine.catalog.load();
            // The settings a reader of the log needs; the whole configuration only on request.
            log.info("engine started: tables={} writer_mode={} writers_per_table={} memory_budget_mib={} pool_size={}",
                    engine.catalog.tables().size(), config.writerMode().name().toLowerCase(Locale.ROOT),
                    config.writersPerTable(), config.memoryBudgetBytes() >> 20, config.poolSize());
            log.debug("engine configuration: {}", config);
            return engine;
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static HikariConfig hikari(EngineConfig config, SessionDefaults sessionDefaults) {
        HikariConfig h = new HikariConfig();
        h.setPoolName("ingest-writers");
        PGSimpleDataSource driver = new PGSimpleDataSource();
        driver.setUrl(config.jdbcUrl()); // all of pgjdbc's URL forms and parameters, multi-host too
        // Our defaults, unless the URL names its own (as when Hikari passed them to the driver).
        Properties inUrl = Driver.parseURL(config.jdbcUrl(), null);
        if (inUrl == null || !inUrl.containsKey("ApplicationName")) {
            driver.setApplicationName("ingest");
        }
        if (inUrl == null || !inUrl.containsKey("preparedStatementCacheSizeMiB")) {
            // Large multi-row statements: keep the server-side prepared statement cache bounded.
            driver.setPreparedStatementCacheSizeMiB(config.preparedStatementCacheMiB());
        }
        // Every connection, also those opened after a reconnect, gets the database's own
        // TimeZone/DateStyle/IntervalStyle instead of what pgjdbc sent (the JVM's zone).
        h.setDataSource(new SessionSettingsDataSource(driver, sessionDefaults));
        h.setUsername(config.user());
        h.setPassword(config.password());
        h.setMaximumPoolSize(config.poolSize());
        h.setMinimumIdle(config.poolMinimumIdle());
        h.setConnectionTimeout(config.connectionTimeout().toMillis());
        h.setInitializationFailTimeout(config.initializationFailTimeout().toMillis());
        return h;
    }

    public Catalog catalog() {
        return catalog;
    }

    public EngineConfig config() {
        return config;
    }

    /**
     * Queues a request for its table's writers, taking its {@link IngestRequest#bytes()} from the
     * memory budget. Never blocks. A request that needs no writer (nothing to write or store) is
     * answered at once.
     *
     * @return accepted, with the result to wait for; or refused with {@link Admission#BUDGET_FULL},
     *         {@link Admission#QUEUE_FULL}, {@link Admission#DATABASE_DOWN} (either, while the writers
     *         cannot reach the database) or {@link Admission#CLOSED} (after {@link #close()} began)
     */
    public Submission submit(IngestRequest request) {
        return admitter.submit(request);
    }

    /**
     * As {@link #submit(IngestRequest)}, waiting up to {@code maxBlock} for room in the budget or
     * the queues (like Kafka's {@code max.block.ms}): for threads that may block, such as
     * scheduled imports.
     *
     * @return accepted, {@link Admission#CLOSED} at once, or the last refusal when no room came in time
     * @throws InterruptedException when interrupted while waiting (nothing was queued)
     */
    public Submission submit(IngestRequest request, Duration maxBlock) throws InterruptedException {
        return admitter.submit(request, maxBlock);
    }

    /**
     * Opens an upload of one body decoded as it streams, committed in segments: see
     * {@link UploadSession}. {@code options} sets what each segment asks.
     */
    public UploadSession open(TableSchema table, SegmentOptions options) {
        return admitter.open(table, options);
    }

    /** An empty hold on the memory budget, for bytes that are not records: see {@link MemoryHold}. */
    public MemoryHold hold() {
        return admitter.hold();
    }

    /**
     * How long a client refused for lack of room should wait before sending {@code bytes} again,
     * from how fast the writers drain the budget: between 1 second and {@link EngineConfig#retryAfterMax}.
     */
    public int retryAfterSeconds(long bytes) {
        return admitter.retryAfterSeconds(bytes);
    }

    /** Offers an admitted request to a writer of its table (see {@link WriterQueues}), starting the table's writers on first use. */
    private boolean enqueue(InFlight inFlight) {
        TableSchema table = inFlight.request().table();
        return lanes.computeIfAbsent(table.qualifiedName(), k -> startLane(k, table)).queues().offer(inFlight);
    }

    /**
     * Expires idempotency keys past their retention and old commit markers now, on the calling
     * thread (it also runs every minute in the background). Never blocks ingestion.
     */
    public Housekeeper.Expired expireNow() throws SQLException {
        return housekeeper.runOnce();
    }

    /**
     * The engine's connection pool, for the service's own bookkeeping outside the write path
     * (scheduled imports and their history). Not for writing records: submit them.
     */
    public DataSource dataSource() {
        return pool;
    }

    /** Sets who is told of every committed batch (metrics); replaces the previous one. */
    public void setListener(EngineListener value) {
        this.listener = value == null ? EngineListener.NONE : value;
    }

    /** Whether the writers reached the database at their last attempt. */
    public DatabaseHealth health() {
        return health;
    }

    /** Requests queued for a table and not yet taken by its writers. */
    public int queueDepth(TableSchema table) {
        Lane lane = lanes.get(table.qualifiedName());
        int depth = 0;
        if (lane != null) {
            for (RequestQueue q : lane.queues.all()) {
                depth += q.size();
            }
        }
        return depth;
    }

    /** A snapshot of budget and per-table writer counters. */
    public EngineStats stats() {
        List<EngineStats.Table> tables = new ArrayList<>();
        for (Lane lane : lanes.values()) {
            int queued = 0;
            int limit = 0;
            int lastRows = 0;
            long lastNanos = 0;
            long batches = 0;
            long rows = 0;
            long deadLettered = 0;
            long lost = 0;
            for (BatchWriter w : lane.writers) {
                WriterStats s = w.stats();
                queued += s.queuedRequests();
                limit = Math.max(limit, s.batchLimit());
                lastRows = Math.max(lastRows, s.lastBatchRows());
                lastNanos = Math.max(lastNanos, s.lastCommitNanos());
                batches += s.batches();
                rows += s.rows();
                deadLettered += s.deadLettered();
                lost += s.queuedLost();
            }
            tables.add(new EngineStats.Table(lane.table, lane.mode, lane.writers.length, queued, limit, lastRows,
                    lastNanos / 1e6, batches, rows, deadLettered, lost));
        }
        tables.sort((a, b) -> a.table().compareTo(b.table()));
        return admitter.stats(tables);
    }

    private Lane startLane(String key, TableSchema table) {
        int n = config.writersPerTable();
        WriterMode mode = config.writerModeFor(table);
        RequestQueue[] queues = new RequestQueue[n];
        BatchWriter[] writers = new BatchWriter[n];
        Thread[] threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            queues[i] = new RequestQueue(config.queueCapacity());
            writers[i] = new BatchWriter(key, table.columns().size(), mode, queues[i], dataSource, catalog, health,
                    writerSettings, nanoClock, () -> listener);
            threads[i] = new Thread(writers[i], "ingest-writer-" + key + "-" + i);
            threads[i].start();
        }
        log.info("writers started: table={} writers={} mode={}", key, n, mode);
        return new Lane(key, mode, new WriterQueues(List.of(queues)), writers, threads);
    }

    /**
     * Stops taking requests, lets writers commit what is queued for up to the configured grace
     * period, fails whatever is left with a retryable {@link IngestException}, and closes the pool.
     */
    @Override
    public void close() {
        if (!admitter.close()) {
            return; // closed already
        }
        List<Lane> all = List.copyOf(lanes.values());
        all.forEach(l -> {
            for (BatchWriter w : l.writers) {
                w.shutdown();
            }
        });
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        for (Lane lane : all) {
            for (int i = 0; i < lane.threads.length; i++) {
                joinUntil(lane.threads[i], lane.writers[i], deadline, config.writerStopWait());
            }
        }
        catalogExecutor.shutdownNow();
        maintenance.shutdownNow();
        pool.close();
        log.info("engine stopped");
    }

    /** Waits for a writer until {@code deadline}, then abandons it and waits {@code stopWait} more for its thread to end. */
    private static void joinUntil(Thread thread, BatchWriter writer, long deadline, Duration stopWait) {
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (thread.isAlive()) {
                log.warn("writer did not finish within the grace period, abandoning: thread={}", thread.getName());
                writer.abandon();
                thread.join(Math.max(1, stopWait.toMillis()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writer.abandon();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}

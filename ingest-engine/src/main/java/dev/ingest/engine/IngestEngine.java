package dev.ingest.engine;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ingest.engine.internal.queue.RequestQueue;
import dev.ingest.engine.internal.schema.Migrations;
import dev.ingest.engine.internal.write.BatchWriter;
import dev.ingest.engine.internal.write.WriterSettings;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingestion engine: a catalog of ingestible tables and, per table, a bounded queue drained by
 * a writer thread that batches requests into multi-row INSERTs.
 *
 * <p>Typical use: {@link Catalog#resolve} the table, build an {@link IngestRequest}, {@link #submit}
 * it, and answer the client when {@link IngestRequest#result()} completes, which happens only
 * after the accepted records are committed.
 *
 * <p>Thread-safe. {@link #submit} never blocks.
 */
public final class IngestEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestEngine.class);

    private final EngineConfig config;
    private final HikariDataSource dataSource;
    private final Catalog catalog;
    private final ExecutorService catalogExecutor;
    private final LongSupplier nanoClock;
    private final WriterSettings writerSettings;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    // Submissions hold the read lock; close() takes the write lock once, so that no request can
    // slip into a queue after its writer has drained it for the last time.
    private final ReentrantReadWriteLock admission = new ReentrantReadWriteLock();
    private boolean closed;

    private record Lane(RequestQueue queue, BatchWriter writer, Thread thread) {
    }

    private IngestEngine(EngineConfig config, HikariDataSource dataSource, LongSupplier nanoClock) {
        this.config = config;
        this.dataSource = dataSource;
        this.nanoClock = nanoClock;
        this.catalogExecutor = Executors.newSingleThreadExecutor(r -> daemon(r, "ingest-catalog"));
        this.catalog = new Catalog(dataSource, config.schemas(), catalogExecutor, nanoClock, Duration.ofSeconds(1));
        this.writerSettings = new WriterSettings(config.maxBatchRows(), config.linger().toNanos(),
                TimeUnit.MILLISECONDS.toNanos(50), config.retryBackoffMax().toNanos());
    }

    /**
     * Connects, applies the service's migrations, reads the catalog and returns a running engine.
     * Blocks while doing so.
     *
     * @throws SQLException when the database cannot be reached or the catalog cannot be read
     */
    public static IngestEngine start(EngineConfig config) throws SQLException {
        HikariDataSource dataSource = new HikariDataSource(hikari(config));
        try {
            Migrations.apply(dataSource);
            IngestEngine engine = new IngestEngine(config, dataSource, System::nanoTime);
            engine.catalog.load();
            log.info("engine started: tables={} config={}", engine.catalog.tables().size(), config);
            return engine;
        } catch (SQLException | RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    private static HikariConfig hikari(EngineConfig config) {
        HikariConfig h = new HikariConfig();
        h.setPoolName("ingest-writers");
        h.setJdbcUrl(config.jdbcUrl());
        h.setUsername(config.user());
        h.setPassword(config.password());
        h.setMaximumPoolSize(config.poolSize());
        h.setMinimumIdle(1);
        h.setConnectionTimeout(TimeUnit.SECONDS.toMillis(5));
        h.setInitializationFailTimeout(TimeUnit.SECONDS.toMillis(30));
        h.addDataSourceProperty("ApplicationName", "ingest");
        // Large multi-row statements: keep the server-side prepared statement cache bounded.
        h.addDataSourceProperty("preparedStatementCacheSizeMiB", "16");
        return h;
    }

    public Catalog catalog() {
        return catalog;
    }

    public EngineConfig config() {
        return config;
    }

    /**
     * Queues a request for its table's writer. Never blocks.
     *
     * @return {@link Admission#ACCEPTED} when queued (its result will complete),
     *         {@link Admission#QUEUE_FULL} when the table's queue is full, or
     *         {@link Admission#CLOSED} after {@link #close()} began
     */
    public Admission submit(IngestRequest request) {
        if (request.rows().isEmpty()) {
            // Nothing reaches the database: answer at once, without a writer round trip.
            request.result().complete(new IngestResult(0, request.refusedEarly()));
            return Admission.ACCEPTED;
        }
        ReentrantReadWriteLock.ReadLock lock = admission.readLock();
        lock.lock();
        try {
            if (closed) {
                return Admission.CLOSED;
            }
            Lane lane = lanes.computeIfAbsent(key(request.table()), this::startLane);
            return lane.queue.offer(request) ? Admission.ACCEPTED : Admission.QUEUE_FULL;
        } finally {
            lock.unlock();
        }
    }

    /** Requests queued for a table and not yet taken by its writer. */
    public int queueDepth(TableSchema table) {
        Lane lane = lanes.get(key(table));
        return lane == null ? 0 : lane.queue.size();
    }

    private static String key(TableSchema table) {
        return table.schema() + "." + table.name();
    }

    private Lane startLane(String table) {
        RequestQueue queue = new RequestQueue(config.queueCapacity());
        BatchWriter writer = new BatchWriter(table, queue, dataSource, writerSettings, nanoClock);
        Thread thread = new Thread(writer, "ingest-writer-" + table);
        thread.start();
        return new Lane(queue, writer, thread);
    }

    /**
     * Stops taking requests, lets writers commit what is queued for up to the configured grace
     * period, fails whatever is left with a retryable {@link IngestException}, and closes the pool.
     */
    @Override
    public void close() {
        ReentrantReadWriteLock.WriteLock lock = admission.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        List<Lane> all = List.copyOf(lanes.values());
        all.forEach(l -> l.writer.shutdown());
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        for (Lane lane : all) {
            joinUntil(lane, deadline);
        }
        catalogExecutor.shutdownNow();
        dataSource.close();
        log.info("engine stopped");
    }

    private static void joinUntil(Lane lane, long deadline) {
        try {
            lane.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (lane.thread.isAlive()) {
                log.warn("writer did not finish within the grace period, abandoning: thread={} queued={}",
                        lane.thread.getName(), lane.queue.size());
                lane.writer.abandon();
                lane.thread.join(TimeUnit.SECONDS.toMillis(10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lane.writer.abandon();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}

package dev.ingest.api.server.metrics;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.ingest.engine.EngineListener;
import dev.ingest.engine.EngineStats;
import dev.ingest.engine.IngestEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToDoubleFunction;

/**
 * The service's metrics in one Prometheus registry: the engine's (records accepted and refused,
 * batch sizes and commit latency per table, queue depth, memory budget, writer modes), the
 * connection pool's (and, through Vert.x's Micrometer integration, the reactive pool's), the JVM's,
 * and HTTP requests by method and status. Scraped as text by {@code GET /metrics}.
 */
public final class ServiceMetrics implements EngineListener {
    private static final List<String> HTTP_METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    private static final int STATUSES = 500; // 100-599, the codes a timer is kept in the array for
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // At zero from the start, so that rate() and alerts see the first refusal (a counter that
    // appears only when it first counts has no earlier sample to compare with).
    private final Counter refused429 = refusals(429);
    private final Counter refused503 = refusals(503);
    private final Counter answersAbandoned = Counter.builder("ingest_answers_abandoned")
            .description("Answers given up because the client read none of them for the write timeout; their connection was closed")
            .register(registry);
    private IngestEngine engine;
    /** The engine's counters as of the latest scrape: every per-table gauge reads this one snapshot. */
    private volatile EngineStats stats;
    /** Per-table gauges registered so far (table, and table with writer mode): each is registered once. */
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Binds the engine's gauges and listens to its commits. */
    public void bind(IngestEngine engine) {
        this.engine = engine;
        engine.setListener(this);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("ingest_memory_budget_used_bytes", engine, e -> e.stats().budgetUsedBytes())
                .description("Bytes of records held: queued or being written").register(registry);
        Gauge.builder("ingest_memory_budget_limit_bytes", engine, e -> e.config().memoryBudgetBytes())
                .description("The configured memory budget").register(registry);
        Gauge.builder("ingest_database_reachable", engine, e -> e.health().isUp() ? 1 : 0)
                .description("1 when the writers' last attempt reached the database").register(registry);
        if (engine.dataSource() instanceof HikariDataSource hikari) {
            pool("active", hikari, HikariPoolMXBean::getActiveConnections);
            pool("idle", hikari, HikariPoolMXBean::getIdleConnections);
            pool("pending", hikari, HikariPoolMXBean::getThreadsAwaitingConnection);
            Gauge.builder("ingest_db_pool_max_connections", hikari, h -> h.getMaximumPoolSize()).register(registry);
        }
    }

    private Counter refusals(int status) {
        return Counter.builder("ingest_refusals").tag("status", Integer.toString(status))
                .description("Requests refused for overload (429) or an unavailable database (503)").register(registry);
    }

    private void pool(String state, HikariDataSource hikari, ToDoubleFunction<HikariPoolMXBean> value) {
        Gauge.builder("ingest_db_pool_connections", hikari, h -> h.getHikariPoolMXBean() == null ? 0 : value.applyAsDouble(h.getHikariPoolMXBean()))
                .tag("state", state).description("Connections of the writers' pool").register(registry);
    }

    /**
     * A table's meters, looked up once: building and registering a meter per batch costs a
     * registry lookup (and a builder, tags and an id) each time, which a one-record request pays in full.
     */
    private final class TableMeters {
        final Counter accepted;
        final Timer commit;
        final DistributionSummary rows;
        private volatile Counter rejected; // registered when it first counts, as before caching

        TableMeters(String table) {
            accepted = Counter.builder("ingest_records_accepted").tag("table", table).description("Records committed")
                    .register(registry);
            commit = Timer.builder("ingest_commit").tag("table", table).description("Time from a batch's start to its commit")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
            rows = DistributionSummary.builder("ingest_batch_rows").tag("table", table).description("Rows per committed batch")
                    .register(registry);
        }

        Counter rejected(String table) {
            Counter c = rejected;
            if (c == null) {
                c = Counter.builder("ingest_records_rejected").tag("table", table)
                        .description("Records refused, by conversion or by the database").register(registry);
                rejected = c;
            }
            return c;
        }
    }

    private final Map<String, TableMeters> tables = new ConcurrentHashMap<>();
    private volatile Counter replays; // registered at the first replay
    /** Answer timers by method (the standard ones, then OTHER) and status 100-599, filled as they first count. */
    private final AtomicReferenceArray<Timer> answerTimers = new AtomicReferenceArray<>((HTTP_METHODS.size() + 1) * STATUSES);

    private TableMeters meters(String table) {
        TableMeters m = tables.get(table);
        return m != null ? m : tables.computeIfAbsent(table, TableMeters::new);
    }

    @Override
    public void batchCommitted(String table, int rows, int rejected, long nanos) {
        TableMeters m = meters(table);
        m.accepted.increment(rows);
        if (rejected > 0) {
            m.rejected(table).increment(rejected);
        }
        m.commit.record(nanos, TimeUnit.NANOSECONDS);
        m.rows.record(rows);
    }

    @Override
    public void rejectedEarly(String table, int rejected) {
        meters(table).rejected(table).increment(rejected);
    }

    /** An answer the client read none of for the write timeout: given up, its connection closed. */
    public void answerAbandoned() {
        answersAbandoned.increment();
    }

    /**
     * An answer the service sent: timed by method and status ({@code ingest_http_server_requests_seconds},
     * from the request's routing to its answer's headers); counts refusals (429, 503) and idempotent replays.
     *
     * @param method the request's method; any but the standard ones is counted as {@code OTHER}
     */
    public void answered(String method, int status, long nanos, boolean replayed) {
        answerTimer(method, status).record(nanos, TimeUnit.NANOSECONDS);
        if (status == 429) {
            refused429.increment();
        } else if (status == 503) {
            refused503.increment();
        }
        if (replayed) {
            Counter c = replays;
            if (c == null) {
                c = Counter.builder("ingest_idempotent_replays").description("Requests answered from a stored answer, writing nothing")
                        .register(registry);
                replays = c;
            }
            c.increment();
        }
    }

    /**
     * The timer of one method and status, registered at its first answer and then read from an
     * array: a registry lookup per request (what Vert.x's own HTTP metrics do, several per request)
     * builds tags and an id each time, a share of a one-record request's CPU.
     */
    private Timer answerTimer(String method, int status) {
        int m = HTTP_METHODS.indexOf(method);
        if (m < 0) {
            m = HTTP_METHODS.size(); // one series for every other method: clients cannot add series at will
        }
        if (status < 100 || status > 599) {
            return registerAnswerTimer(m, status);
        }
        int slot = m * STATUSES + status - 100;
        Timer t = answerTimers.get(slot);
        if (t == null) {
            t = registerAnswerTimer(m, status); // registering twice answers the same timer: a race is harmless
            answerTimers.set(slot, t);
        }
        return t;
    }

    private Timer registerAnswerTimer(int method, int status) {
        return Timer.builder("ingest_http_server_requests")
                .tag("method", method < HTTP_METHODS.size() ? HTTP_METHODS.get(method) : "OTHER")
                .tag("status", Integer.toString(status))
                .description("HTTP requests answered, from their routing to their answer's headers")
                .register(registry);
    }

    /** The registry in Prometheus text format, with the per-table gauges of tables seen since the last scrape. */
    public String scrape() {
        if (engine != null) {
            stats = engine.stats();
            for (EngineStats.Table t : stats.tables()) {
                String name = t.table();
                String mode = t.writerMode().name().toLowerCase(Locale.ROOT);
                // Registering a gauge again is ignored, and Micrometer warns about it: once each.
                if (registered.add(name)) {
                    Gauge.builder("ingest_queue_requests", this, m -> m.tableStat(name, EngineStats.Table::queuedRequests))
                            .tag("table", name).description("Requests waiting in the table's writer queues").register(registry);
                    Gauge.builder("ingest_batch_limit_rows", this, m -> m.tableStat(name, EngineStats.Table::batchLimit))
                            .tag("table", name).description("The adaptive batch size limit").register(registry);
                }
                if (registered.add(name + "\0" + mode)) {
                    Gauge.builder("ingest_writer_mode", () -> 1).tag("table", name)
                            .tag("mode", mode).description("The table's writer mode").register(registry);
                }
            }
        }
        return registry.scrape();
    }

    private double tableStat(String table, ToDoubleFunction<EngineStats.Table> f) {
        for (EngineStats.Table t : stats.tables()) {
            if (t.table().equals(table)) {
                return f.applyAsDouble(t);
            }
        }
        return 0;
    }
}

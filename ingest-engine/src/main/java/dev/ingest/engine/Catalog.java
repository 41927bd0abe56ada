package dev.ingest.engine;

import dev.ingest.engine.internal.catalog.CatalogQuery;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingestible tables, as last read from the database. Lookups read an immutable snapshot and
 * never block; a miss triggers a {@linkplain #refresh() refresh} on the given executor, shared by
 * all callers waiting at the same time and run at most once per {@code minRefreshInterval} (so a
 * flood of requests for a table that does not exist cannot flood the database). A hit on a
 * snapshot older than that interval answers from it and refreshes in the background, so that a
 * busy service sees committed DDL within about a second without polling an idle database. (The
 * writers do not depend on it: they check the table's columns before each commit.)
 *
 * <p>Thread-safe.
 */
public final class Catalog {
    private static final Logger log = LoggerFactory.getLogger(Catalog.class);

    private final DataSource dataSource;
    private final List<String> schemas;
    private final boolean partitionsAsTables;
    private final Executor executor;
    private final LongSupplier nanoClock;
    private final long minRefreshNanos;

    private volatile Map<String, TableSchema> tables = Map.of();
    private volatile long loadedAt;
    private final Object refreshLock = new Object();
    private CompletableFuture<Void> pending;
    private boolean hasRefreshed;
    private long lastRefreshStart;

    /** @param partitionsAsTables list partitions as tables of their own (see {@link EngineConfig#partitionsAsTables()}) */
    Catalog(DataSource dataSource, List<String> schemas, boolean partitionsAsTables, Executor executor, LongSupplier nanoClock,
            Duration minRefreshInterval) {
        this.dataSource = dataSource;
        this.schemas = List.copyOf(schemas);
        this.partitionsAsTables = partitionsAsTables;
        this.executor = executor;
        this.nanoClock = nanoClock;
        this.minRefreshNanos = minRefreshInterval.toNanos();
    }

    /** Reads the catalog now, on the calling thread. */
    public void load() throws SQLException {
        long started = nanoClock.getAsLong();
        try (Connection c = dataSource.getConnection()) {
            tables = Map.copyOf(CatalogQuery.load(c, schemas, partitionsAsTables));
        }
        loadedAt = started;
    }

    /** The ingestible tables in the last snapshot, ordered by schema and name. */
    public List<TableSchema> tables() {
        List<TableSchema> list = new ArrayList<>(tables.values());
        list.sort((a, b) -> a.qualifiedName().compareTo(b.qualifiedName()));
        return list;
    }

    /**
     * Finds a table in the snapshot. {@code name} is either {@code schema.table} or a bare table
     * name, which is looked up in the configured schemas in order. Names are exact (case-sensitive,
     * as stored in the catalog).
     */
    public Optional<TableSchema> find(String name) {
        Map<String, TableSchema> snapshot = tables;
        TableSchema exact = snapshot.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        for (String schema : schemas) {
            TableSchema t = snapshot.get(schema + "." + name);
            if (t != null) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * Finds a table, refreshing the snapshot first when it is not there (or when
     * {@code forceRefresh}, e.g. after a request named a column the snapshot does not know).
     * The future completes on the catalog executor or, for hits, at once. Refresh failures are
     * logged and answered from the old snapshot.
     */
    public CompletableFuture<Optional<TableSchema>> resolve(String name, boolean forceRefresh) {
        Optional<TableSchema> hit = find(name);
        if (hit.isPresent() && !forceRefresh) {
            if (nanoClock.getAsLong() - loadedAt > minRefreshNanos) {
                refresh(); // for the next callers; this one is answered now
            }
            return CompletableFuture.completedFuture(hit);
        }
        return refresh().handle((ok, error) -> find(name));
    }

    /**
     * Schedules a refresh and returns its future. Callers that arrive while one is scheduled but
     * not yet started share it; a new one starts no sooner than {@code minRefreshInterval} after
     * the previous start. So every caller sees the catalog as it was after it called, and the
     * database sees at most one catalog query per interval, however many callers there are.
     */
    public CompletableFuture<Void> refresh() {
        synchronized (refreshLock) {
            if (pending != null) {
                return pending;
            }
            long now = nanoClock.getAsLong();
            long delay = hasRefreshed ? Math.max(0, lastRefreshStart + minRefreshNanos - now) : 0;
            hasRefreshed = true;
            lastRefreshStart = now + delay;
            CompletableFuture<Void> next = new CompletableFuture<>();
            pending = next;
            Executor when = delay == 0 ? executor : CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS, executor);
            when.execute(() -> runRefresh(next));
            return next;
        }
    }

    private void runRefresh(CompletableFuture<Void> future) {
        synchronized (refreshLock) {
            if (pending == future) {
                pending = null; // callers from now on need a refresh that starts after them
            }
        }
        try {
            load();
            future.complete(null);
        } catch (SQLException | RuntimeException e) {
            log.warn("catalog refresh failed: sqlstate={} message={}",
                    e instanceof SQLException se ? se.getSQLState() : "-", e.getMessage());
            future.completeExceptionally(e);
        }
    }
}

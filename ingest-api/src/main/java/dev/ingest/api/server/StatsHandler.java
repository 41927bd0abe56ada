package dev.ingest.api.server;

import dev.ingest.api.server.auth.Auth;
import dev.ingest.engine.EngineStats;
import dev.ingest.engine.IngestEngine;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;

/**
 * {@code GET /v1/stats}: the engine's counters as JSON (memory budget, heap, and per table: queued
 * requests, adaptive batch size, last batch, commit latency, totals), the tables limited to those
 * the caller is granted. Cheap: no database access.
 */
final class StatsHandler implements Handler<RoutingContext> {
    private final IngestEngine engine;

    StatsHandler(IngestEngine engine) {
        this.engine = engine;
    }

    @Override
    public void handle(RoutingContext ctx) {
        EngineStats s = engine.stats();
        JsonArray tables = new JsonArray();
        for (EngineStats.Table t : s.tables()) {
            if (!Auth.allowed(ctx, engine.catalog(), t.table())) {
                continue; // a key sees the tables it is granted
            }
            tables.add(new JsonObject()
                    .put("table", t.table())
                    .put("writer_mode", t.writerMode().name().toLowerCase(Locale.ROOT))
                    .put("writers", t.writers())
                    .put("queued_requests", t.queuedRequests())
                    .put("batch_limit_rows", t.batchLimit())
                    .put("last_batch_rows", t.lastBatchRows())
                    .put("last_commit_ms", t.lastCommitMillis())
                    .put("batches", t.batches())
                    .put("rows", t.rows())
                    .put("dead_lettered", t.deadLettered())
                    .put("queued_lost", t.queuedLost()));
        }
        Runtime rt = Runtime.getRuntime();
        Responses.json(ctx, 200, new JsonObject()
                .put("time_ms", System.currentTimeMillis())
                .put("database_reachable", engine.health().isUp())
                .put("heap_used_bytes", rt.totalMemory() - rt.freeMemory())
                .put("heap_used_after_gc_bytes", heapAfterLastGc())
                .put("heap_max_bytes", rt.maxMemory())
                .put("budget_used_bytes", s.budgetUsedBytes())
                .put("budget_limit_bytes", s.budgetLimitBytes())
                .put("drain_bytes_per_second", s.drainBytesPerSecond())
                .put("tables", tables));
    }

    /** Heap in use right after the last collection of each pool: what is really retained. */
    private static long heapAfterLastGc() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                used += pool.getCollectionUsage().getUsed();
            }
        }
        return used;
    }
}

package dev.ingest.api.server;

import dev.ingest.api.config.ImportJob;
import dev.ingest.api.imports.ImportRun;
import dev.ingest.api.imports.ImportScheduler;
import dev.ingest.api.server.answer.Answers;
import dev.ingest.api.server.auth.Auth;
import dev.ingest.engine.Catalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/imports}: the jobs of the tables the caller is granted, with their next fire time
 * and recent runs (sources with their credentials redacted).
 * {@code POST /v1/imports/{name}/run}: a run now (202). Database work runs off the event loop.
 */
final class ImportsHandler {
    private static final Logger log = LoggerFactory.getLogger(ImportsHandler.class);
    private static final int RECENT_RUNS = 10;
    private final ImportScheduler imports;
    private final Catalog catalog;

    ImportsHandler(ImportScheduler imports, Catalog catalog) {
        this.imports = imports;
        this.catalog = catalog;
    }

    /** A key sees and runs the jobs of the tables it is granted (a key granted every table: all of them). */
    private boolean visible(RoutingContext ctx, ImportJob job) {
        return Auth.allowed(ctx, catalog, job.table());
    }

    void list(RoutingContext ctx) {
        ctx.vertx().<JsonObject>executeBlocking(() -> {
            JsonArray jobs = new JsonArray();
            for (ImportJob job : imports.jobs()) {
                if (!visible(ctx, job)) {
                    continue;
                }
                JsonArray runs = new JsonArray();
                for (ImportRun r : imports.recentRuns(job.name(), RECENT_RUNS)) {
                    runs.add(new JsonObject().put("id", r.id()).put("trigger", r.trigger()).put("instance", r.instance())
                            .put("started_at", r.startedAt() == null ? null : r.startedAt().toString())
                            .put("finished_at", r.finishedAt() == null ? null : r.finishedAt().toString())
                            .put("status", r.status()).put("files", r.files()).put("rows_accepted", r.rowsAccepted())
                            .put("rows_rejected", r.rowsRejected()).put("error", r.error()));
                }
                jobs.add(new JsonObject().put("name", job.name()).put("cron", job.cron()).put("timezone", job.zone().getId())
                        .put("source", job.displaySource()).put("table", job.table())
                        .put("format", job.format() == null ? null : job.format().name().toLowerCase(Locale.ROOT))
                        .put("on_conflict", job.onConflict()).put("after", job.after().name().toLowerCase(Locale.ROOT))
                        .put("next_run", imports.nextRun(job.name()).map(Object::toString).orElse(null))
                        .put("runs", runs));
            }
            return new JsonObject().put("imports", jobs);
        }, false).onSuccess(body -> Responses.json(ctx, 200, body)).onFailure(e -> unavailable(ctx, e));
    }

    void run(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        if (imports.job(name).filter(job -> visible(ctx, job)).isEmpty()) {
            // A job of a table the key is not granted is not shown to it: not there, as far as it knows.
            Answers.unknownImport(name).send(ctx);
            return;
        }
        ctx.vertx().executeBlocking(() -> imports.runNow(name), false)
                .onSuccess(scheduled -> Responses.json(ctx, 202, new JsonObject().put("job", name).put("scheduled", scheduled)
                        .put("message", scheduled ? "a run starts within a second, on one of the instances"
                                : "a run asked for before is still pending")))
                .onFailure(e -> unavailable(ctx, e));
    }

    /** Infrastructure details go to the log, not to the client. */
    private static void unavailable(RoutingContext ctx, Throwable e) {
        log.warn("imports: database unavailable: {}", e.getMessage());
        Answers.unavailable().send(ctx);
    }
}

package dev.ingest.api.internal.http;

import dev.ingest.api.internal.auth.Auth;
import dev.ingest.api.internal.imports.ImportJob;
import dev.ingest.api.internal.imports.ImportRun;
import dev.ingest.api.internal.imports.ImportScheduler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * {@code GET /v1/imports}: the jobs, with their next fire time and recent runs.
 * {@code POST /v1/imports/{name}/run}: a run now (202). Database work runs off the event loop.
 */
final class ImportsHandler {
    private static final int RECENT_RUNS = 10;
    private final ImportScheduler imports;

    ImportsHandler(ImportScheduler imports) {
        this.imports = imports;
    }

    void list(RoutingContext ctx) {
        ctx.vertx().<JsonObject>executeBlocking(() -> {
            JsonArray jobs = new JsonArray();
            for (ImportJob job : imports.jobs()) {
                JsonArray runs = new JsonArray();
                for (ImportRun r : imports.recentRuns(job.name(), RECENT_RUNS)) {
                    runs.add(new JsonObject().put("id", r.id()).put("trigger", r.trigger()).put("instance", r.instance())
                            .put("started_at", r.startedAt() == null ? null : r.startedAt().toString())
                            .put("finished_at", r.finishedAt() == null ? null : r.finishedAt().toString())
                            .put("status", r.status()).put("files", r.files()).put("rows_accepted", r.rowsAccepted())
                            .put("rows_rejected", r.rowsRejected()).put("error", r.error()));
                }
                jobs.add(new JsonObject().put("name", job.name()).put("cron", job.cron()).put("timezone", job.zone().getId())
                        .put("source", job.source()).put("table", job.table())
                        .put("format", job.format() == null ? null : job.format().name().toLowerCase(Locale.ROOT))
                        .put("on_conflict", job.onConflict()).put("after", job.after().name().toLowerCase(Locale.ROOT))
                        .put("next_run", imports.nextRun(job.name()).map(Object::toString).orElse(null))
                        .put("runs", runs));
            }
            return new JsonObject().put("imports", jobs);
        }, false).onSuccess(body -> Responses.json(ctx, 200, body))
                .onFailure(e -> Responses.retryLater(ctx, 503, "unavailable", "the database is unavailable: " + e.getMessage(), 1));
    }

    void run(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        if (imports.job(name).isEmpty()) {
            Responses.error(ctx, 404, "unknown_import", "no import job \"" + name + "\"");
            return;
        }
        String table = imports.job(name).get().table();
        if (!Auth.allowed(ctx, table)) {
            Responses.error(ctx, 403, "forbidden", "this API key is not granted table \"" + table + "\" of job \"" + name + "\"");
            return;
        }
        ctx.vertx().executeBlocking(() -> imports.runNow(name), false)
                .onSuccess(scheduled -> Responses.json(ctx, 202, new JsonObject().put("job", name).put("scheduled", scheduled)
                        .put("message", scheduled ? "a run starts within a second, on one of the instances"
                                : "a run asked for before is still pending")))
                .onFailure(e -> Responses.retryLater(ctx, 503, "unavailable", "the database is unavailable: " + e.getMessage(), 1));
    }
}

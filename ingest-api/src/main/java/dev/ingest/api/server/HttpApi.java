package dev.ingest.api.server;

import dev.ingest.api.config.HttpConfig;
import dev.ingest.api.config.RejectsPolicy;
import dev.ingest.api.config.StreamingConfig;
import dev.ingest.api.server.answer.Answers;
import dev.ingest.api.server.auth.Auth;
import dev.ingest.api.imports.ImportScheduler;
import dev.ingest.api.server.metrics.ServiceMetrics;
import dev.ingest.engine.IngestEngine;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP routes of the service. Every answer, errors included, is JSON. */
public final class HttpApi {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

    private HttpApi() {
    }

    public static Router router(Vertx vertx, IngestEngine engine, Pool pool, Auth auth, ImportScheduler imports, ServiceMetrics metrics,
            HttpConfig http, StreamingConfig streaming, RejectsPolicy rejects) {
        Router router = Router.router(vertx);
        HealthHandler health = new HealthHandler(pool, engine.health(), http.healthCheckTimeout());

        // Every answer timed by method and status, refusals (429, 503) and idempotent replays counted.
        router.route().handler(ctx -> {
            long routed = System.nanoTime();
            ctx.addHeadersEndHandler(v -> metrics.answered(ctx.request().method().name(), ctx.response().getStatusCode(),
                    System.nanoTime() - routed, "true".equals(ctx.response().headers().get("Idempotent-Replayed"))));
            ctx.next();
        });
        // Everything under /v1, and the metrics, need an API key when authentication is on; health checks do not.
        router.route("/v1/*").handler(auth::authenticate);
        router.get("/metrics").handler(auth::authenticate).handler(HttpApi::everything)
                .handler(ctx -> ctx.vertx().executeBlocking(metrics::scrape, false)
                .onSuccess(text -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text))
                .onFailure(ctx::fail));
        // No BodyHandler: uploads read their bodies themselves, streaming or within the budget.
        router.post("/v1/tables/:table/records").handler(new RecordsHandler(engine, new IdempotencyKeys(pool), http, streaming,
                rejects, metrics));
        router.get("/v1/rejects").handler(new RejectsHandler(pool, engine.catalog()));
        router.get("/v1/stats").handler(new StatsHandler(engine));
        router.get("/v1/tables").handler(new TablesHandler(engine.catalog()));
        router.post("/v1/tables").handler(new CreateTableHandler(pool, engine.catalog(), http.createTableMaxBodyBytes()));
        ImportsHandler importsHandler = new ImportsHandler(imports, engine.catalog());
        router.get("/v1/imports").handler(importsHandler::list);
        router.post("/v1/imports/:name/run").handler(importsHandler::run);
        StatusPage.route(router);
        router.get("/openapi.json").handler(OpenApiDocument.load()::serve); // no key needed, like /health
        // HEAD too: load balancers and uptime checkers probe with it (Vert.x sends the head of GET's answer).
        router.route("/health/live").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(health::live);
        router.route("/health/ready").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(health::ready);

        router.errorHandler(400, ctx -> Answers.badRequest().send(ctx));
        router.errorHandler(404, ctx -> Answers.noSuchEndpoint(ctx.request().path()).send(ctx));
        AllowedMethods allowed = new AllowedMethods(router);
        router.errorHandler(405, ctx -> {
            String methods = allowed.on(ctx.request().path());
            ctx.response().putHeader("Allow", methods);
            Answers.methodNotAllowed(ctx.request().method().toString(), ctx.request().path(), methods).send(ctx);
        });
        router.errorHandler(413, ctx -> Answers.bodyTooLarge(http.maxBodyBytes()).send(ctx));
        router.errorHandler(500, HttpApi::internalError);
        return router;
    }

    /** The metrics cover every table: for a key granted every table (or with authentication off). */
    private static void everything(RoutingContext ctx) {
        if (Auth.allowedEverything(ctx)) {
            ctx.next();
        } else {
            Answers.forbidden("the metrics cover every table: they need a key granted every table (*)").send(ctx);
        }
    }

    /**
     * Prepares each new HTTP connection: how it ends after a refusal, a broken request or the
     * client's half-close (see {@link ConnectionCloser}).
     */
    public static Handler<HttpConnection> connections(HttpConfig http) {
        return connection -> ConnectionCloser.install(connection, http.closeLingerBytes(), http.closeLinger());
    }

    private static void internalError(RoutingContext ctx) {
        // Only a defect lands here; no input is meant to. Log it, answer without details.
        log.error("unhandled error: method={} path={}", ctx.request().method(), ctx.request().path(), ctx.failure());
        Answers.internalError().send(ctx);
    }
}

package dev.ingest.api.server;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /}: a status page with live charts of throughput, queue depth, batch size and commit
 * latency per table, drawn in the browser by Chart.js (served from its WebJar) from
 * {@code /v1/stats}. The page holds no data itself; when API keys are in use it asks for one.
 */
final class StatusPage {
    private final String html;

    private StatusPage(String html) {
        this.html = html;
    }

    static void route(Router router) {
        StatusPage page = new StatusPage(read("status/index.html")); // the build wrote in the WebJar's version
        router.get("/").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-cache").end(page.html));
        router.get("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars").setCachingEnabled(true));
    }

    private static String read(String resource) {
        try (InputStream in = StatusPage.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

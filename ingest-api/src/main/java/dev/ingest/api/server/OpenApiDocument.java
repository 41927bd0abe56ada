package dev.ingest.api.server;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the OpenAPI document of the HTTP API, as shipped in the jar
 * ({@value #RESOURCE}). Served without authentication, like the health checks: it describes the
 * service, not its data. Read once at start; a missing document is a packaging defect and stops
 * the start. Thread-safe (immutable).
 */
final class OpenApiDocument {
    static final String RESOURCE = "openapi.json";
    private final Buffer document;

    private OpenApiDocument(Buffer document) {
        this.document = document;
    }

    static OpenApiDocument load() {
        try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return new OpenApiDocument(Buffer.buffer(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void serve(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-cache").end(document);
    }
}

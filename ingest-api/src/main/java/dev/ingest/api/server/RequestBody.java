package dev.ingest.api.server;

import dev.ingest.api.formats.BodyException;
import dev.ingest.api.formats.BodyInflater;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * The body of one request as an upload reads it: inflated according to its Content-Encoding
 * (checked by {@link RecordsHandler} before), and checked at its end, so that a body that was cut
 * short, whose encoding is corrupt or whose HTTP framing broke is reported to the failure handler
 * and never taken for a complete body. Once the answer has been sent nothing more is inflated:
 * the rest of a refused body costs no work.
 *
 * <p>Event-loop confined. Pausing and resuming stay on the request itself.
 */
final class RequestBody {
    private final RoutingContext ctx;
    private final HttpServerRequest request;
    private final BodyInflater inflater; // null for identity
    private Handler<BodyException> failureHandler = e -> { };
    private boolean failed;

    RequestBody(RoutingContext ctx) {
        this.ctx = ctx;
        this.request = ctx.request();
        this.inflater = BodyInflater.parse(contentEncoding(request)).map(BodyInflater::new).orElse(null);
        if (inflater != null) {
            ctx.addEndHandler(v -> inflater.close()); // the answer is sent, or the connection is gone
        }
    }

    /** All Content-Encoding headers of the request, as one list. */
    static String contentEncoding(HttpServerRequest request) {
        return String.join(",", request.headers().getAll("Content-Encoding"));
    }

    /** Receives the decoded body, piece by piece. */
    RequestBody handler(Handler<Buffer> handler) {
        request.handler(raw -> {
            if (failed || answered()) {
                return;
            }
            if (inflater == null) {
                handler.handle(raw);
                return;
            }
            try {
                inflater.feed(raw.getBytes(), data -> {
                    handler.handle(Buffer.buffer(data));
                    return !failed && !answered();
                });
            } catch (BodyException e) {
                fail(e);
            }
        });
        return this;
    }

    /** Called when the body ended whole: its framing and its encoding complete. */
    RequestBody endHandler(Handler<Void> handler) {
        request.endHandler(v -> {
            if (failed) {
                return;
            }
            String framing = ConnectionCloser.framingError(request);
            if (framing != null) {
                fail(BodyException.malformedRequest(framing));
                return;
            }
            if (inflater != null && !answered()) {
                try {
                    inflater.end();
                } catch (BodyException e) {
                    fail(e);
                    return;
                }
            }
            handler.handle(null);
        });
        return this;
    }

    /** Called (at most once, instead of the end handler) when the body broke off. */
    RequestBody failureHandler(Handler<BodyException> handler) {
        this.failureHandler = handler;
        return this;
    }

    private boolean answered() {
        return ctx.response().ended() || ctx.response().closed();
    }

    private void fail(BodyException e) {
        failed = true;
        if (inflater != null) {
            inflater.close();
        }
        failureHandler.handle(e);
    }
}

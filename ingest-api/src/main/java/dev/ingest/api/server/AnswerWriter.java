package dev.ingest.api.server;

import dev.ingest.api.config.HttpConfig;
import dev.ingest.api.server.answer.Answer;
import dev.ingest.engine.IngestEngine;
import dev.ingest.engine.MemoryHold;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * Sends one upload's JSON answer, which may be large (up to {@value UploadResult#MAX_LISTED}
 * rejections, megabytes), so that a client that does not read it holds neither unbounded
 * memory nor its connection for ever:
 * <ul>
 *   <li>the encoded answer counts against the engine's memory budget (a {@link MemoryHold}) until the socket
 *       has taken it (a slice at a time), so unread answers make the service refuse or pause new
 *       uploads (429, backpressure) instead of growing the heap;</li>
 *   <li>it is written in slices that respect the response's write queue, and when the peer has
 *       taken none of them for the write timeout the connection is closed and the rest dropped.</li>
 * </ul>
 * The answer's bytes are charged with {@link MemoryHold#take}: the records it reports
 * on are committed, so it cannot be refused; the budget's admission of new requests is what keeps
 * the total bounded.
 *
 * <p>Event-loop confined: one instance per answer, used on the request's context.
 */
final class AnswerWriter {
    private enum State { WRITING, WAITING_FOR_PEER, DONE }

    private final RoutingContext ctx;
    private final HttpServerResponse response;
    private final MemoryHold held; // what of the answer the socket has not taken yet
    private final long timeoutNanos;
    private final int sliceBytes;
    private final Runnable abandoned;
    private Buffer answer;
    private int sent; // bytes of answer handed to the response
    private long lastProgress;
    private long timer = -1;
    private State state = State.WRITING;

    private AnswerWriter(RoutingContext ctx, IngestEngine engine, HttpConfig http, Runnable abandoned) {
        this.abandoned = abandoned;
        this.ctx = ctx;
        this.response = ctx.response();
        this.held = engine.hold();
        this.timeoutNanos = http.peerTimeouts().write().toNanos();
        this.sliceBytes = http.answerSliceBytes();
    }

    /**
     * Answers with {@code answer}'s status, and {@code body} followed by its fields ({@link Answer#addTo});
     * does nothing when the response is already ended or closed.
     *
     * @param http      the peer's write timeout and the size of a slice
     * @param abandoned run when the answer is given up because the peer read none of it for the timeout
     */
    static void send(RoutingContext ctx, Answer answer, JsonObject body, IngestEngine engine, HttpConfig http, Runnable abandoned) {
        HttpServerResponse r = ctx.response();
        if (r.ended() || r.closed()) {
            return;
        }
        if (answer.retryAfterSeconds() > 0) {
            r.putHeader("Retry-After", Integer.toString(answer.retryAfterSeconds()));
        }
        new AnswerWriter(ctx, engine, http, abandoned).start(answer.status(), answer.addTo(body).toBuffer());
    }

    private void start(int status, Buffer encoded) {
        answer = encoded;
        held.take(encoded.length());
        response.setStatusCode(status).putHeader("Content-Type", "application/json")
                .putHeader("Content-Length", Integer.toString(encoded.length()));
        response.closeHandler(v -> finish()); // the peer went away, or we closed it: give everything back
        lastProgress = System.nanoTime();
        armTimer(timeoutNanos);
        writeSlices();
    }

    /** Hands slices to the response while its write queue has room; the last one ends it. */
    private void writeSlices() {
        while (state == State.WRITING) {
            int end = Math.min(answer.length(), sent + sliceBytes);
            Buffer slice = answer.slice(sent, end);
            sent = end;
            boolean last = end == answer.length();
            (last ? response.end(slice) : response.write(slice)).onComplete(ar -> taken(slice.length(), last));
            if (last) {
                state = State.WAITING_FOR_PEER;
            } else if (response.writeQueueFull()) {
                state = State.WAITING_FOR_PEER;
                response.drainHandler(v -> {
                    if (state == State.WAITING_FOR_PEER && sent < answer.length()) {
                        state = State.WRITING;
                        lastProgress = System.nanoTime();
                        writeSlices();
                    }
                });
            }
        }
    }

    /** The socket took a slice (or the write failed because the connection closed). */
    private void taken(int bytes, boolean last) {
        lastProgress = System.nanoTime();
        held.release(bytes);
        if (last) {
            finish();
        }
    }

    private void armTimer(long delayNanos) {
        timer = ctx.vertx().setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos)), t -> checkProgress());
    }

    private void checkProgress() {
        timer = -1;
        if (state == State.DONE) {
            return;
        }
        long idle = System.nanoTime() - lastProgress;
        if (idle < timeoutNanos) {
            armTimer(timeoutNanos - idle);
            return;
        }
        // The peer has read nothing for the write timeout: stop holding its answer and its connection.
        finish();
        abandoned.run();
        ctx.request().connection().close();
    }

    private void finish() {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        if (timer >= 0) {
            ctx.vertx().cancelTimer(timer);
            timer = -1;
        }
        held.close();
        answer = null;
    }
}

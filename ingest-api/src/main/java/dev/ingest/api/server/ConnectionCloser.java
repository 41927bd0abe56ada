package dev.ingest.api.server;

import dev.ingest.api.server.answer.Answer;
import dev.ingest.api.server.answer.Answers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Ends HTTP/1.1 connections as RFC 9112 (section 9.6) asks, where Vert.x 5 alone does not. The one
 * class of the service that reaches into Netty: a handler between Vert.x's HTTP codec and its
 * connection handler, installed on every HTTP/1.x connection by {@link #install}.
 *
 * <ul>
 *   <li><b>Close after "close".</b> Once a final response carrying {@code Connection: close} is
 *       written, no further request on the connection is processed (a pipelined one is dropped),
 *       and the connection is closed. An answer sent before the request's body has arrived (an
 *       early refusal: 401, 404, 413, 415...) always carries {@code Connection: close}.</li>
 *   <li><b>Lingering close.</b> If the client is still sending the body of a refused request,
 *       the server half-closes (the client reads the answer, then end of stream), reads and
 *       discards at most {@code closeLingerBytes} bytes or for {@code closeLinger} (HttpConfig: 2 MiB, 5 s), and then
 *       closes: a full close with unread data would make the kernel reset the connection, and
 *       the client could lose the answer. Discarded bytes never reach Vert.x (so a gzip body is
 *       never inflated after its refusal).</li>
 *   <li><b>Malformed framing.</b> A chunked body that cannot be parsed (a size that is not hex,
 *       negative or too large, a chunk not followed by CRLF), or a body cut short by the client's
 *       half-close, ends the request for the application, which then finds the reason in
 *       {@link #framingError} and answers 400; the connection is closed after the answer.</li>
 *   <li><b>HTTP versions.</b> A request of a version other than HTTP/1.0 and 1.1 is answered 505
 *       with a JSON error here, and the connection closed.</li>
 *   <li><b>Half-closure.</b> A client may shut down its sending side after its last request and
 *       still read the answers ({@link ChannelOption#ALLOW_HALF_CLOSURE}); the connection is
 *       closed once those answers are written.</li>
 *   <li><b>Pipelining.</b> A request that arrives before the previous answer is written is held
 *       here (and reading paused) until that answer is written, so that a "close" answer can
 *       still drop it.</li>
 * </ul>
 *
 * <p>Event-loop confined, like the channel it serves.
 */
final class ConnectionCloser extends ChannelDuplexHandler {
    private static final AttributeKey<String> FRAMING_ERROR = AttributeKey.valueOf("ingest.framingError");

    /** What the connection does with what arrives. */
    private enum Mode {
        /** Requests are handed to Vert.x, one at a time. */
        OPEN,
        /** A request's framing broke: nothing more is handed on; close after the answer. */
        BROKEN,
        /** Answered with "close" while the body still arrives: discard it, then close. */
        LINGERING,
        /** Closing; everything that arrives is dropped. */
        CLOSED
    }

    private Mode mode = Mode.OPEN;
    /** A request's head was handed on and its last content was not yet. */
    private boolean receiving;
    /** A request was handed on and its final answer is not yet written. */
    private boolean answering;
    private boolean inputShutdown;
    private boolean closeAfterAnswer;
    /** A final answer is being written and the write has not completed. */
    private boolean answerPending;
    private boolean closeWhenAnswered;
    private long discarded;
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private final long lingerBytes;
    private final long lingerMillis;

    private ConnectionCloser(long lingerBytes, Duration linger) {
        this.lingerBytes = lingerBytes;
        this.lingerMillis = linger.toMillis();
    }

    /**
     * Installs a closer on the connection; called once per connection, before it reads.
     *
     * @param lingerBytes after an early refusal, the most bytes of the body discarded before closing
     * @param linger      after an early refusal, how long the body is discarded before closing
     */
    static void install(HttpConnection connection, long lingerBytes, Duration linger) {
        if (!(connection instanceof HttpServerConnection server)) {
            return;
        }
        ChannelHandlerContext handler = server.channelHandlerContext();
        if (handler.pipeline().get("httpDecoder") == null) {
            return; // HTTP/2: framed and closed by its own protocol
        }
        handler.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        handler.pipeline().addBefore(handler.name(), "ingestConnectionCloser", new ConnectionCloser(lingerBytes, linger));
    }

    /** Why the body of the request could not be read whole, or null when it could. */
    static String framingError(HttpServerRequest request) {
        if (request.connection() instanceof HttpServerConnection server) {
            return server.channelHandlerContext().channel().attr(FRAMING_ERROR).get();
        }
        return null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (mode == Mode.LINGERING) {
            discard(ctx, msg);
        } else if (mode != Mode.OPEN) {
            ReferenceCountUtil.release(msg);
        } else if (!held.isEmpty() || (msg instanceof HttpRequest && answering)) {
            held.add(msg); // pipelined: waits for the answer before it
            ctx.channel().config().setAutoRead(false);
        } else {
            accept(ctx, msg);
        }
    }

    private void accept(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            if (request.decoderResult().isSuccess() && !supported(request.protocolVersion())) {
                versionNotSupported(ctx, request);
                return;
            }
            receiving = bodyFollows(request);
            answering = true;
        }
        if (msg instanceof HttpContent content && !content.decoderResult().isSuccess()) {
            String reason = content.decoderResult().cause().getMessage();
            content.release();
            broken(ctx, "the chunked body could not be read: " + reason);
            return;
        }
        if (msg instanceof LastHttpContent) {
            receiving = false;
        }
        ctx.fireChannelRead(msg);
    }

    /** Ends the request for the application, which answers 400 with the reason. */
    private void broken(ChannelHandlerContext ctx, String reason) {
        ctx.channel().attr(FRAMING_ERROR).set(reason);
        mode = Mode.BROKEN;
        closeAfterAnswer = true;
        if (receiving) {
            receiving = false;
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    private void discard(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpContent content) {
            discarded += content.content().readableBytes();
        }
        boolean end = msg instanceof LastHttpContent;
        ReferenceCountUtil.release(msg);
        if (end || discarded > lingerBytes) {
            closeOnceAnswered(ctx);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (mode == Mode.LINGERING) {
                closeOnceAnswered(ctx);
            } else if (receiving && mode == Mode.OPEN) {
                broken(ctx, "the client closed its side of the connection before the body was complete");
                ctx.fireChannelReadComplete(); // outside a read: Vert.x flushes its answer on this
            } else if (!answering && !answerPending && held.isEmpty()) {
                close(ctx);
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise voidable) {
        // Vert.x may write with a void promise, which takes no listener.
        if (msg instanceof HttpResponse interim && interim.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            // A 100 Continue is a whole message (Vert.x writes it as a full response) but no answer:
            // the final one is still to come.
            ctx.write(msg, voidable);
            return;
        }
        ChannelPromise promise = msg instanceof LastHttpContent ? voidable.unvoid() : voidable;
        if (msg instanceof HttpResponse response) {
            if (receiving || mode != Mode.OPEN || inputShutdown) {
                // Answered before the body was read, after broken framing, or to a client that has
                // stopped sending: nothing more will be read from this connection.
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            closeAfterAnswer |= response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
            if (msg instanceof LastHttpContent) {
                answered(ctx, promise);
            }
        } else if (msg instanceof LastHttpContent && answering) {
            answered(ctx, promise);
        }
        ctx.write(msg, promise);
    }

    /** The final answer to the current request is being written: decide what comes next. */
    private void answered(ChannelHandlerContext ctx, ChannelPromise promise) {
        answering = false;
        boolean close = closeAfterAnswer || inputShutdown;
        if (close && receiving && mode == Mode.OPEN) {
            mode = Mode.LINGERING; // from now on the rest of the body is discarded here
            dropHeld();
        }
        whenWritten(ctx, promise, close);
    }

    private void whenWritten(ChannelHandlerContext ctx, ChannelPromise promise, boolean close) {
        answerPending = true;
        promise.addListener(f -> {
            answerPending = false;
            if (!close) {
                release(ctx);
            } else if (mode == Mode.LINGERING && !closeWhenAnswered) {
                halfClose(ctx);
            } else {
                close(ctx);
            }
        });
    }

    /** Closes now, or once the answer being written is (closing first would lose it). */
    private void closeOnceAnswered(ChannelHandlerContext ctx) {
        if (answerPending) {
            closeWhenAnswered = true;
        } else {
            close(ctx);
        }
    }

    /** Hands on the requests held while the previous one was answered. */
    private void release(ChannelHandlerContext ctx) {
        boolean released = false;
        while (!held.isEmpty() && mode == Mode.OPEN && !(answering && held.peek() instanceof HttpRequest)) {
            accept(ctx, held.poll());
            released = true;
        }
        if (released) {
            ctx.fireChannelReadComplete(); // outside a read: Vert.x flushes what it writes on this
        }
        if (held.isEmpty()) {
            ctx.channel().config().setAutoRead(true);
            if (inputShutdown && !answering) {
                close(ctx);
            }
        }
    }

    /** Lingering: the client reads the end of the answer; what it still sends is read and dropped, for a while. */
    private void halfClose(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (channel instanceof DuplexChannel duplex && ctx.pipeline().get(SslHandler.class) == null) {
            duplex.shutdownOutput();
        }
        ctx.executor().schedule(() -> close(ctx), lingerMillis, TimeUnit.MILLISECONDS);
        channel.config().setAutoRead(true);
        channel.read();
    }

    private void close(ChannelHandlerContext ctx) {
        if (mode == Mode.CLOSED) {
            return;
        }
        mode = Mode.CLOSED;
        dropHeld();
        ctx.channel().close();
    }

    private void dropHeld() {
        while (!held.isEmpty()) {
            ReferenceCountUtil.release(held.poll());
        }
    }

    /**
     * Whether a body follows the head. Only a body still to come makes an answer early: a request
     * without one (a GET, a HEAD) answered at once keeps its connection, though the decoder's empty
     * last content follows the head.
     */
    private static boolean bodyFollows(HttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            return true; // answered 400 by Vert.x: close after it, as before
        }
        try {
            return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static boolean supported(HttpVersion version) {
        return version.majorVersion() == 1 && (version.minorVersion() == 0 || version.minorVersion() == 1);
    }

    private void versionNotSupported(ChannelHandlerContext ctx, HttpRequest request) {
        String version = request.protocolVersion().text();
        boolean bodyFollows = !(request instanceof LastHttpContent);
        ReferenceCountUtil.release(request);
        mode = bodyFollows ? Mode.LINGERING : Mode.BROKEN; // nothing of it reaches Vert.x
        Answer answer = Answers.httpVersionNotSupported(version);
        ByteBuf body = Unpooled.copiedBuffer(answer.body().encode(), StandardCharsets.UTF_8);
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.status()),
                body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ChannelPromise written = ctx.newPromise();
        whenWritten(ctx, written, true);
        ctx.writeAndFlush(response, written); // straight to the encoder: Vert.x never sees this request
    }
}

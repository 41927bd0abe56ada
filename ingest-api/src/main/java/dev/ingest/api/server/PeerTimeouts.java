package dev.ingest.api.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a peer may stall an upload before the service gives up on it, so that a stalled
 * client holds neither memory nor a connection for long.
 *
 * @param bodyIdle a streamed (NDJSON, CSV) body from which no byte arrives for this long, while
 *                 the service is reading it, is answered 408 (time the service itself pauses the
 *                 stream for backpressure does not count)
 * @param write    a connection whose peer takes no byte of its answer for this long is closed
 */
public record PeerTimeouts(Duration bodyIdle, Duration write) {
    public static final long DEFAULT_BODY_IDLE_SECONDS = 30;
    public static final long DEFAULT_WRITE_SECONDS = 30;
    public static final PeerTimeouts DEFAULTS =
            new PeerTimeouts(Duration.ofSeconds(DEFAULT_BODY_IDLE_SECONDS), Duration.ofSeconds(DEFAULT_WRITE_SECONDS));

    public PeerTimeouts {
        positive("body_idle_timeout_seconds", bodyIdle);
        positive("write_timeout_seconds", write);
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive but was " + d.toSeconds());
        }
    }
}

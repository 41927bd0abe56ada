package dev.ingest.api.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a peer may stall an upload before the service gives up on it, so that a stalled
 * client holds neither memory nor a connection for long.
 *
 * @param bodyIdle a streamed (NDJSON, CSV) body from which no byte arrives for this long, while
 *                 the service is reading it, is answered 408 (time the service itself pauses the
 *                 stream for backpressure does not count); {@code body_idle_timeout_seconds}, default 30 s
 * @param write    a connection whose peer takes no byte of its answer for this long is closed;
 *                 {@code write_timeout_seconds}, default 30 s
 */
public record PeerTimeouts(Duration bodyIdle, Duration write) {
    /** Every default. */
    public static final PeerTimeouts DEFAULTS = new PeerTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30));

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

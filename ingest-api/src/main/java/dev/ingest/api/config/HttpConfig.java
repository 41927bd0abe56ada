package dev.ingest.api.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The HTTP server's settings. The config-file key, flag or environment variable of each is in
 * the README's configuration section; values without one are fixed at their defaults.
 *
 * @param host                 the address to listen on; default {@code 127.0.0.1} (loopback)
 * @param port                 the port to listen on, 0 for any free one; default 8080
 * @param tls                  HTTPS, or null for plain HTTP; default null
 * @param transport            the network transport; default {@link NetworkTransport#AUTO}
 * @param maxBodyBytes         the largest request body accepted, in bytes (after gzip
 *                             decompression); default 64 MiB
 * @param maxRecordsPerRequest the most records one request may carry; default 1 000 000
 * @param requestTimeout       how long a buffered (JSON) body may take to arrive; default 60 s
 * @param peerTimeouts         how long a peer may stall a body or an answer; default 30 s each
 * @param rateLimitPerKey      requests per second and API key, 0 for no limit; default 0
 * @param idleTimeout          a connection without traffic for this long is closed; default 120 s
 * @param createTableMaxBodyBytes the largest table definition ({@code POST /v1/tables}), in bytes;
 *                             default 1 MiB
 * @param healthCheckTimeout   a database that does not answer the readiness check within this is
 *                             unavailable; default 800 ms
 * @param closeLingerBytes     after an early refusal, the most bytes of the body still read and
 *                             discarded before the connection is closed; default 2 MiB
 * @param closeLinger          after an early refusal, how long the rest of the body is discarded
 *                             before the connection is closed; default 5 s
 * @param answerSliceBytes     an answer is written in slices of this many bytes, so that a peer that
 *                             reads slowly is noticed between them; default 64 KiB
 * @param unavailableRetryAfter the {@code Retry-After} of a 503 while the database is unavailable or the
 *                             service stops; default 1 s
 * @param maxHeaderBytes       the largest request head (answered 431 beyond); default 16 KiB
 * @param maxInitialLineBytes  the longest request line (answered 414 beyond); default 8 KiB
 * @param statusPoolSize       connections of the reactive pool that serves look-ups, readiness and status
 *                             queries (writes use the engine's pool); default 2
 * @param startTimeout         how long listening, and the first read of the API keys, may take at start;
 *                             default 30 s
 * @param stopMargin           at stop, how much longer than the engine's shutdown grace the server's
 *                             graceful shutdown may take; default 5 s
 * @param vertxCloseTimeout    at stop, how long closing Vert.x (event loops, pools) may take; default 10 s
 */
public record HttpConfig(
        String host,
        int port,
        Tls tls,
        NetworkTransport transport,
        long maxBodyBytes,
        int maxRecordsPerRequest,
        Duration requestTimeout,
        PeerTimeouts peerTimeouts,
        double rateLimitPerKey,
        Duration idleTimeout,
        int createTableMaxBodyBytes,
        Duration healthCheckTimeout,
        long closeLingerBytes,
        Duration closeLinger,
        int answerSliceBytes,
        Duration unavailableRetryAfter,
        int maxHeaderBytes,
        int maxInitialLineBytes,
        int statusPoolSize,
        Duration startTimeout,
        Duration stopMargin,
        Duration vertxCloseTimeout) {

    /** Every default. */
    public static final HttpConfig DEFAULTS = new HttpConfig("127.0.0.1", 8080, null, NetworkTransport.AUTO, 64L * 1024 * 1024,
            1_000_000, Duration.ofSeconds(60), PeerTimeouts.DEFAULTS, 0, Duration.ofSeconds(120), 1 << 20, Duration.ofMillis(800),
            2 * 1024 * 1024, Duration.ofSeconds(5), 64 * 1024, Duration.ofSeconds(1),
            16 * 1024, 8 * 1024, 2, Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(10));

    public HttpConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535 but was " + port);
        }
        Objects.requireNonNull(transport, "transport");
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("max_body_bytes must be positive but was " + maxBodyBytes);
        }
        if (maxRecordsPerRequest <= 0) {
            throw new IllegalArgumentException("max_records_per_request must be positive but was " + maxRecordsPerRequest);
        }
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request_timeout_seconds must be positive but was " + requestTimeout.toSeconds());
        }
        Objects.requireNonNull(peerTimeouts, "peerTimeouts");
        if (rateLimitPerKey < 0) {
            throw new IllegalArgumentException("rate_limit_per_key must not be negative (0 = no limit) but was " + rateLimitPerKey);
        }
        Positive.duration("idleTimeout", idleTimeout);
        Positive.count("createTableMaxBodyBytes", createTableMaxBodyBytes);
        Positive.duration("healthCheckTimeout", healthCheckTimeout);
        Positive.count("closeLingerBytes", closeLingerBytes);
        Positive.duration("closeLinger", closeLinger);
        Positive.count("answerSliceBytes", answerSliceBytes);
        Positive.duration("unavailableRetryAfter", unavailableRetryAfter);
        Positive.count("maxHeaderBytes", maxHeaderBytes);
        Positive.count("maxInitialLineBytes", maxInitialLineBytes);
        Positive.count("statusPoolSize", statusPoolSize);
        Positive.duration("startTimeout", startTimeout);
        Positive.duration("stopMargin", stopMargin);
        Positive.duration("vertxCloseTimeout", vertxCloseTimeout);
    }

    /** {@link #unavailableRetryAfter} in whole seconds (rounded up), as a {@code Retry-After} says it. */
    public int unavailableRetryAfterSeconds() {
        long seconds = unavailableRetryAfter.toSeconds();
        return (int) (unavailableRetryAfter.equals(Duration.ofSeconds(seconds)) ? seconds : seconds + 1);
    }

    /** These settings with other limits for requests; everything else kept. */
    public HttpConfig withLimits(long maxBody, int maxRecords, Duration request, PeerTimeouts peers, double ratePerKey) {
        return new HttpConfig(host, port, tls, transport, maxBody, maxRecords, request, peers, ratePerKey, idleTimeout,
                createTableMaxBodyBytes, healthCheckTimeout, closeLingerBytes, closeLinger, answerSliceBytes, unavailableRetryAfter,
                maxHeaderBytes, maxInitialLineBytes, statusPoolSize, startTimeout, stopMargin, vertxCloseTimeout);
    }
}

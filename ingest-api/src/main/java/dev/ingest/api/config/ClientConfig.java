package dev.ingest.api.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What the command-line clients of a running service ({@code ingest load}, {@code ingest imports})
 * need to reach it. Only {@code url} and {@code token} have flags and environment variables; the
 * timeouts are tunables fixed at their defaults.
 *
 * @param url                the service; {@code --url}, {@code INGEST_URL}; default {@code http://127.0.0.1:8080}
 * @param token              the bearer token of an API key, or null; {@code --token}, {@code INGEST_TOKEN};
 *                           default null
 * @param connectTimeout     how long connecting to the service may take; default 10 s
 * @param requestTimeout     how long a short request (a listing, a trigger) may take; default 30 s
 * @param chunkTimeout       how long one chunk of {@code ingest load} may take to be answered; default 10 min
 * @param createTableTimeout how long {@code ingest load --create-table}'s request may take; default 60 s
 * @param retryBackoffMin    first pause before a chunk is sent again (doubling, unless the service says
 *                           {@code Retry-After}); default 250 ms
 * @param retryBackoffMax    longest pause before a chunk is sent again; default 30 s
 * @param waitPollInterval   how often {@code ingest imports run --wait} asks whether the run ended; default 500 ms
 * @param checkpointInterval how often {@code ingest load} writes its checkpoint while chunks commit; default 1 s
 * @param progressInterval   how often {@code ingest load} prints a plain progress line (no terminal); default 5 s
 * @param maxChunkRecords    records per chunk of {@code ingest load}, at most (whatever its bytes); default 10000
 * @param maxSampleBytes     bytes of a file read at most to infer column types for {@code --create-table};
 *                           default 16 MiB
 * @param stopWait           on Ctrl-C or SIGTERM, how long {@code ingest load} waits for the chunks in flight
 *                           before it exits; default 60 s
 */
public record ClientConfig(
        String url,
        String token,
        Duration connectTimeout,
        Duration requestTimeout,
        Duration chunkTimeout,
        Duration createTableTimeout,
        Duration retryBackoffMin,
        Duration retryBackoffMax,
        Duration waitPollInterval,
        Duration checkpointInterval,
        Duration progressInterval,
        int maxChunkRecords,
        int maxSampleBytes,
        Duration stopWait) {

    /** The service's address when neither {@code --url} nor {@code INGEST_URL} gives one. */
    public static final String DEFAULT_URL = "http://127.0.0.1:8080";

    /** Every default: the service on loopback, no token. */
    public static final ClientConfig DEFAULTS = new ClientConfig(DEFAULT_URL, null, Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofMinutes(10), Duration.ofSeconds(60), Duration.ofMillis(250), Duration.ofSeconds(30), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(5), 10_000, 16 << 20, Duration.ofSeconds(60));

    public ClientConfig {
        Objects.requireNonNull(url, "url");
        Positive.duration("connectTimeout", connectTimeout);
        Positive.duration("requestTimeout", requestTimeout);
        Positive.duration("chunkTimeout", chunkTimeout);
        Positive.duration("createTableTimeout", createTableTimeout);
        Positive.duration("retryBackoffMin", retryBackoffMin);
        Positive.duration("retryBackoffMax", retryBackoffMax);
        Positive.duration("waitPollInterval", waitPollInterval);
        Positive.duration("checkpointInterval", checkpointInterval);
        Positive.duration("progressInterval", progressInterval);
        Positive.count("maxChunkRecords", maxChunkRecords);
        Positive.count("maxSampleBytes", maxSampleBytes);
        Positive.duration("stopWait", stopWait);
    }

    @Override
    public String toString() {
        // Never print the token.
        return "ClientConfig[url=" + url + ", token=" + (token == null ? "none" : "***") + ", connectTimeout=" + connectTimeout
                + ", requestTimeout=" + requestTimeout + ", chunkTimeout=" + chunkTimeout + "]";
    }

    /** The defaults with this service and token. */
    static ClientConfig of(String url, String token) {
        ClientConfig d = DEFAULTS;
        return new ClientConfig(url, token, d.connectTimeout, d.requestTimeout, d.chunkTimeout, d.createTableTimeout,
                d.retryBackoffMin, d.retryBackoffMax, d.waitPollInterval, d.checkpointInterval, d.progressInterval, d.maxChunkRecords,
                d.maxSampleBytes, d.stopWait);
    }
}

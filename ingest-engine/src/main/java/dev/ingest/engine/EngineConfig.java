package dev.ingest.engine;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The engine's configuration: immutable, validated, with defaults for everything but the database.
 *
 * @param jdbcUrl         {@code jdbc:postgresql://...} of the target database
 * @param user            database role, or null to take it from the URL
 * @param password        its password, or null
 * @param schemas         schemas whose tables are ingestible, searched in order for bare names
 * @param poolSize        JDBC connections at most (writers borrow one per batch)
 * @param queueCapacity   queued requests per table before {@link Admission#QUEUE_FULL}
 * @param maxBatchRows    rows written in one transaction at most
 * @param linger          how long a started batch waits for more requests
 * @param shutdownGrace   how long {@link IngestEngine#close()} lets writers finish queued work
 * @param retryBackoffMax longest pause between retries while the database is unavailable
 */
public record EngineConfig(
        String jdbcUrl,
        String user,
        String password,
        List<String> schemas,
        int poolSize,
        int queueCapacity,
        int maxBatchRows,
        Duration linger,
        Duration shutdownGrace,
        Duration retryBackoffMax) {

    public EngineConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("jdbcUrl must start with jdbc:postgresql: but was " + jdbcUrl);
        }
        schemas = List.copyOf(schemas);
        if (schemas.isEmpty()) {
            throw new IllegalArgumentException("schemas must name at least one schema");
        }
        positive("poolSize", poolSize);
        positive("queueCapacity", queueCapacity);
        positive("maxBatchRows", maxBatchRows);
        nonNegative("linger", linger);
        nonNegative("shutdownGrace", shutdownGrace);
        nonNegative("retryBackoffMax", retryBackoffMax);
    }

    /** A configuration for {@code jdbcUrl} with every other setting at its default. */
    public static EngineConfig defaults(String jdbcUrl, String user, String password) {
        return new EngineConfig(jdbcUrl, user, password, List.of("public"), 10, 1024, 10_000,
                Duration.ofMillis(1), Duration.ofSeconds(30), Duration.ofSeconds(5));
    }

    public EngineConfig withSchemas(List<String> value) {
        return new EngineConfig(jdbcUrl, user, password, value, poolSize, queueCapacity, maxBatchRows, linger, shutdownGrace, retryBackoffMax);
    }

    public EngineConfig withQueueCapacity(int value) {
        return new EngineConfig(jdbcUrl, user, password, schemas, poolSize, value, maxBatchRows, linger, shutdownGrace, retryBackoffMax);
    }

    public EngineConfig withMaxBatchRows(int value) {
        return new EngineConfig(jdbcUrl, user, password, schemas, poolSize, queueCapacity, value, linger, shutdownGrace, retryBackoffMax);
    }

    public EngineConfig withLinger(Duration value) {
        return new EngineConfig(jdbcUrl, user, password, schemas, poolSize, queueCapacity, maxBatchRows, value, shutdownGrace, retryBackoffMax);
    }

    public EngineConfig withShutdownGrace(Duration value) {
        return new EngineConfig(jdbcUrl, user, password, schemas, poolSize, queueCapacity, maxBatchRows, linger, value, retryBackoffMax);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive but was " + value);
        }
    }

    private static void nonNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative but was " + value);
        }
    }

    @Override
    public String toString() {
        // Never print the password.
        return "EngineConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", schemas=" + schemas + ", poolSize=" + poolSize
                + ", queueCapacity=" + queueCapacity + ", maxBatchRows=" + maxBatchRows + ", linger=" + linger
                + ", shutdownGrace=" + shutdownGrace + ", retryBackoffMax=" + retryBackoffMax + "]";
    }
}

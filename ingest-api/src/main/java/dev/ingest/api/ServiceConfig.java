package dev.ingest.api;

import dev.ingest.api.internal.config.ConfigFile;
import dev.ingest.engine.EngineConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Everything {@code ingest serve} needs, resolved in one place from (highest first) command-line
 * flags, environment variables ({@code INGEST_HOST}, {@code INGEST_PORT},
 * {@code INGEST_DATABASE_URL}), the config file, and defaults.
 *
 * @param databaseUrl null to start the embedded PostgreSQL kept in {@code dataDir}
 */
public record ServiceConfig(
        String host,
        int port,
        String databaseUrl,
        Path dataDir,
        List<String> schemas,
        long maxBodyBytes,
        int queueCapacity,
        int maxBatchRows,
        int poolSize,
        Duration linger,
        Duration shutdownGrace) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final long DEFAULT_MAX_BODY_BYTES = 64L * 1024 * 1024;

    public ServiceConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535 but was " + port);
        }
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("max_body_bytes must be positive but was " + maxBodyBytes);
        }
        schemas = List.copyOf(schemas);
    }

    /** The values given on the command line; null where a flag was not given. */
    public record Flags(String host, Integer port, String databaseUrl, Path config) {
    }

    /**
     * Resolves the configuration.
     *
     * @param env  the environment (System::getenv in production)
     * @param file the parsed config file, or {@link ConfigFile#EMPTY}
     */
    public static ServiceConfig resolve(Flags flags, Function<String, String> env, ConfigFile file) {
        ConfigFile.Engine e = file.engineOrEmpty();
        EngineConfig d = EngineConfig.defaults("jdbc:postgresql://unused/", null, null);
        return new ServiceConfig(
                first(flags.host(), env.apply("INGEST_HOST"), file.host(), DEFAULT_HOST),
                first(flags.port(), parsePort(env.apply("INGEST_PORT")), file.port(), DEFAULT_PORT),
                first(flags.databaseUrl(), blankToNull(env.apply("INGEST_DATABASE_URL")), file.databaseUrl(), null),
                Path.of(first(null, null, file.dataDir(), ".ingest")),
                first(null, null, file.schemas(), d.schemas()),
                first(null, null, file.maxBodyBytes(), DEFAULT_MAX_BODY_BYTES),
                first(null, null, e.queueCapacity(), d.queueCapacity()),
                first(null, null, e.maxBatchRows(), d.maxBatchRows()),
                first(null, null, e.poolSize(), d.poolSize()),
                e.lingerMs() == null ? d.linger() : Duration.ofMillis(e.lingerMs()),
                e.shutdownGraceSeconds() == null ? d.shutdownGrace() : Duration.ofSeconds(e.shutdownGraceSeconds()));
    }

    /** The engine's configuration for the given database. */
    public EngineConfig engineConfig(String jdbcUrl, String user, String password) {
        return new EngineConfig(jdbcUrl, user, password, schemas, poolSize, queueCapacity, maxBatchRows,
                linger, shutdownGrace, EngineConfig.defaults(jdbcUrl, user, password).retryBackoffMax());
    }

    public ServiceConfig withPort(int value) {
        return new ServiceConfig(host, value, databaseUrl, dataDir, schemas, maxBodyBytes, queueCapacity, maxBatchRows,
                poolSize, linger, shutdownGrace);
    }

    public ServiceConfig withDatabaseUrl(String value) {
        return new ServiceConfig(host, port, value, dataDir, schemas, maxBodyBytes, queueCapacity, maxBatchRows,
                poolSize, linger, shutdownGrace);
    }

    public ServiceConfig withMaxBodyBytes(long value) {
        return new ServiceConfig(host, port, databaseUrl, dataDir, schemas, value, queueCapacity, maxBatchRows,
                poolSize, linger, shutdownGrace);
    }

    public ServiceConfig withQueueCapacity(int value) {
        return new ServiceConfig(host, port, databaseUrl, dataDir, schemas, maxBodyBytes, value, maxBatchRows,
                poolSize, linger, shutdownGrace);
    }

    @SafeVarargs
    private static <T> T first(T... candidates) {
        for (T c : candidates) {
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    private static Integer parsePort(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("INGEST_PORT is not a number: " + value);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** For tests: a map as the environment. */
    public static Function<String, String> env(Map<String, String> map) {
        return map::get;
    }

    @Override
    public String toString() {
        return "ServiceConfig[host=" + host + ", port=" + port + ", database="
                + (databaseUrl == null ? "embedded in " + dataDir : dev.ingest.api.internal.db.DatabaseUrl.parse(databaseUrl).display())
                + ", schemas=" + schemas + ", maxBodyBytes=" + maxBodyBytes + ", queueCapacity=" + queueCapacity
                + ", maxBatchRows=" + maxBatchRows + ", poolSize=" + poolSize + ", linger=" + linger
                + ", shutdownGrace=" + shutdownGrace + "]";
    }
}

package dev.ingest.api.config;

import dev.ingest.api.server.NetworkTransport;

import dev.ingest.api.server.auth.AuthMode;
import dev.ingest.api.server.PeerTimeouts;
import dev.ingest.api.server.RejectsPolicy;
import dev.ingest.api.imports.ImportJob;
import dev.ingest.api.db.DatabaseUrl;
import dev.ingest.engine.EngineConfig;
import dev.ingest.engine.WriterMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Everything {@code ingest serve} needs, resolved in one place from (highest first) command-line
 * flags, environment variables ({@code INGEST_HOST}, {@code INGEST_PORT},
 * {@code INGEST_DATABASE_URL}), the config file, and defaults. Engine tunables come from the
 * file only; unset ones keep {@link EngineConfig}'s defaults.
 *
 * @param databaseUrl null to start the embedded PostgreSQL kept in {@code dataDir}
 * @param transport   the network transport of the HTTP server
 * @param engine      the file's engine section (values may be null: default)
 * @param tableModes  writer mode per table from the file's {@code tables} section
 * @param auth        when requests need an API key ({@code INGEST_AUTH}, {@code auth:})
 * @param keepRejects the tables whose rejected records are kept in {@code ingest.rejects} for
 *                    every request, as written ({@code INGEST_KEEP_REJECTS}, {@code keep_rejects:})
 * @param databaseStartTimeout how long to wait for a database that does not answer (yet) at start
 */
public record ServiceConfig(
        String host,
        int port,
        String databaseUrl,
        Path dataDir,
        List<String> schemas,
        long maxBodyBytes,
        int maxRecordsPerRequest,
        NetworkTransport transport,
        ConfigFile.Engine engine,
        Map<String, WriterMode> tableModes,
        List<ImportJob> imports,
        Tls tls,
        Duration requestTimeout,
        double rateLimitPerKey,
        AuthMode auth,
        PeerTimeouts peerTimeouts,
        List<String> keepRejects,
        Duration databaseStartTimeout) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final long DEFAULT_MAX_BODY_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_MAX_RECORDS_PER_REQUEST = 1_000_000;
    public static final long DEFAULT_REQUEST_TIMEOUT_SECONDS = 60;
    /** Long enough for a PostgreSQL started alongside (docker compose, systemd) to come up. */
    public static final long DEFAULT_DATABASE_START_TIMEOUT_SECONDS = 60;

    public ServiceConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535 but was " + port);
        }
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("max_body_bytes must be positive but was " + maxBodyBytes);
        }
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request_timeout_seconds must be positive but was " + requestTimeout.toSeconds());
        }
        if (rateLimitPerKey < 0) {
            throw new IllegalArgumentException("rate_limit_per_key must not be negative (0 = no limit) but was " + rateLimitPerKey);
        }
        if (maxRecordsPerRequest <= 0) {
            throw new IllegalArgumentException("max_records_per_request must be positive but was " + maxRecordsPerRequest);
        }
        schemas = List.copyOf(schemas);
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(engine, "engine");
        tableModes = Map.copyOf(tableModes);
        imports = List.copyOf(imports);
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(peerTimeouts, "peerTimeouts");
        keepRejects = List.copyOf(keepRejects);
        RejectsPolicy.of(keepRejects); // fail now on a malformed name
        Objects.requireNonNull(databaseStartTimeout, "databaseStartTimeout");
        if (databaseStartTimeout.isNegative()) {
            throw new IllegalArgumentException("database_start_timeout_seconds must not be negative but was "
                    + databaseStartTimeout.toSeconds());
        }
    }

    /** The values given on the command line; null where a flag was not given. */
    public record Flags(String host, Integer port, String databaseUrl, Path config, Path tlsCert, Path tlsKey, Path dataDir) {
        public Flags(String host, Integer port, String databaseUrl, Path config) {
            this(host, port, databaseUrl, config, null, null, null);
        }

        public Flags(String host, Integer port, String databaseUrl, Path config, Path tlsCert, Path tlsKey) {
            this(host, port, databaseUrl, config, tlsCert, tlsKey, null);
        }
    }

    /**
     * Resolves the configuration; invalid values fail here, with a message naming them.
     *
     * @param env  the environment (System::getenv in production)
     * @param file the parsed config file, or {@link ConfigFile#EMPTY}
     */
    public static ServiceConfig resolve(Flags flags, Function<String, String> env, ConfigFile file) {
        Map<String, WriterMode> modes = new LinkedHashMap<>();
        file.tablesOrEmpty().forEach((table, settings) -> {
            if (settings != null && settings.writerMode() != null) {
                modes.put(table, WriterMode.parse(settings.writerMode()));
            }
        });
        ServiceConfig config = new ServiceConfig(
                first(flags.host(), env.apply("INGEST_HOST"), file.host(), DEFAULT_HOST),
                first(flags.port(), parsePort(env.apply("INGEST_PORT")), file.port(), DEFAULT_PORT),
                first(flags.databaseUrl(), blankToNull(env.apply("INGEST_DATABASE_URL")), file.databaseUrl(), null),
                first(flags.dataDir(), pathOrNull(env.apply("INGEST_DATA_DIR")), pathOrNull(file.dataDir()), Path.of(".ingest")),
                first(file.schemas(), List.of("public")),
                first(file.maxBodyBytes(), DEFAULT_MAX_BODY_BYTES),
                first(file.maxRecordsPerRequest(), DEFAULT_MAX_RECORDS_PER_REQUEST),
                file.transport() == null ? NetworkTransport.AUTO : NetworkTransport.parse(file.transport()),
                file.engineOrEmpty(),
                modes,
                ImportJob.fromConfig(file.importsOrEmpty()),
                tls(flags, env, file),
                Duration.ofSeconds(first(file.requestTimeoutSeconds(), DEFAULT_REQUEST_TIMEOUT_SECONDS)),
                first(file.rateLimitPerKey(), 0.0),
                AuthMode.parse(first(blankToNull(env.apply("INGEST_AUTH")), file.auth(), null)),
                new PeerTimeouts(Duration.ofSeconds(first(file.bodyIdleTimeoutSeconds(), PeerTimeouts.DEFAULT_BODY_IDLE_SECONDS)),
                        Duration.ofSeconds(first(file.writeTimeoutSeconds(), PeerTimeouts.DEFAULT_WRITE_SECONDS))),
                first(names(env.apply("INGEST_KEEP_REJECTS")), file.keepRejects(), List.of()),
                Duration.ofSeconds(first(seconds(env.apply("INGEST_DATABASE_START_TIMEOUT"), "INGEST_DATABASE_START_TIMEOUT"),
                        file.databaseStartTimeoutSeconds(), DEFAULT_DATABASE_START_TIMEOUT_SECONDS)));
        if (config.databaseUrl() != null) {
            DatabaseUrl.parse(config.databaseUrl()); // fail now on a malformed URL
        }
        config.engineConfig("jdbc:postgresql://validation/"); // fail now on an invalid engine value
        return config;
    }

    private static Tls tls(Flags flags, Function<String, String> env, ConfigFile file) {
        String cert = first(flags.tlsCert() == null ? null : flags.tlsCert().toString(), blankToNull(env.apply("INGEST_TLS_CERT")),
                file.tlsCert(), null);
        String key = first(flags.tlsKey() == null ? null : flags.tlsKey().toString(), blankToNull(env.apply("INGEST_TLS_KEY")),
                file.tlsKey(), null);
        if (cert == null && key == null) {
            return null;
        }
        if (cert == null || key == null) {
            throw new IllegalArgumentException("TLS needs both a certificate and a key (--tls-cert and --tls-key)");
        }
        for (String f : List.of(cert, key)) {
            if (!java.nio.file.Files.isReadable(Path.of(f))) {
                throw new IllegalArgumentException("cannot read TLS file " + f);
            }
        }
        return new Tls(Path.of(cert), Path.of(key));
    }

    /** The config file to read: the flag's, else {@code INGEST_CONFIG}'s, else none. */
    public static Path configPath(Path flag, Function<String, String> env) {
        if (flag != null) {
            return flag;
        }
        String value = blankToNull(env.apply("INGEST_CONFIG"));
        return value == null ? null : Path.of(value);
    }

    /** The engine's configuration for the given database. */
    public EngineConfig engineConfig(String jdbcUrl) {
        return engineBuilder(jdbcUrl).build();
    }

    /** The engine's configuration builder with this configuration applied; credentials unset. */
    public EngineConfig.Builder engineBuilder(String jdbcUrl) {
        ConfigFile.Engine e = engine;
        EngineConfig.Builder b = EngineConfig.builder(jdbcUrl).schemas(schemas).tableWriterModes(tableModes);
        if (e.poolSize() != null) {
            b.poolSize(e.poolSize());
        }
        if (e.writersPerTable() != null) {
            b.writersPerTable(e.writersPerTable());
        }
        if (e.queueCapacity() != null) {
            b.queueCapacity(e.queueCapacity());
        }
        if (e.memoryBudgetMb() != null) {
            b.memoryBudgetBytes(e.memoryBudgetMb() * 1024 * 1024);
        }
        if (e.maxBatchRows() != null) {
            b.maxBatchRows(e.maxBatchRows());
        }
        if (e.minBatchRows() != null) {
            b.minBatchRows(e.minBatchRows());
        }
        if (e.batchLatencyTargetMs() != null) {
            b.batchLatencyTarget(Duration.ofMillis(e.batchLatencyTargetMs()));
        }
        if (e.lingerMs() != null) {
            b.linger(Duration.ofMillis(e.lingerMs()));
        }
        if (e.writerMode() != null) {
            b.writerMode(WriterMode.parse(e.writerMode()));
        }
        if (e.idempotencyRetentionHours() != null) {
            b.idempotencyRetention(Duration.ofHours(e.idempotencyRetentionHours()));
        }
        if (e.shutdownGraceSeconds() != null) {
            b.shutdownGrace(Duration.ofSeconds(e.shutdownGraceSeconds()));
        }
        return b;
    }

    /** How long a graceful stop may take. */
    public Duration shutdownGrace() {
        return engineConfig("jdbc:postgresql://unused/").shutdownGrace(); // the file's value or the default
    }

    public ServiceConfig withDatabaseUrl(String value) {
        return new ServiceConfig(host, port, value, dataDir, schemas, maxBodyBytes, maxRecordsPerRequest,
                transport, engine, tableModes, imports, tls, requestTimeout, rateLimitPerKey, auth, peerTimeouts, keepRejects, databaseStartTimeout);
    }

    public ServiceConfig withDataDir(Path value) {
        return new ServiceConfig(host, port, databaseUrl, value, schemas, maxBodyBytes, maxRecordsPerRequest,
                transport, engine, tableModes, imports, tls, requestTimeout, rateLimitPerKey, auth, peerTimeouts, keepRejects, databaseStartTimeout);
    }

    public ServiceConfig withMaxBodyBytes(long value) {
        return new ServiceConfig(host, port, databaseUrl, dataDir, schemas, value, maxRecordsPerRequest,
                transport, engine, tableModes, imports, tls, requestTimeout, rateLimitPerKey, auth, peerTimeouts, keepRejects, databaseStartTimeout);
    }

    public ServiceConfig withMaxRecordsPerRequest(int value) {
        return new ServiceConfig(host, port, databaseUrl, dataDir, schemas, maxBodyBytes, value,
                transport, engine, tableModes, imports, tls, requestTimeout, rateLimitPerKey, auth, peerTimeouts, keepRejects, databaseStartTimeout);
    }

    public ServiceConfig withImports(List<ImportJob> value) {
        return new ServiceConfig(host, port, databaseUrl, dataDir, schemas, maxBodyBytes, maxRecordsPerRequest, transport, engine,
                tableModes, value, tls, requestTimeout, rateLimitPerKey, auth, peerTimeouts, keepRejects, databaseStartTimeout);
    }

    public ServiceConfig withLimits(Duration requestTimeout, double rateLimitPerKey) {
        return new ServiceConfig(host, port, databaseUrl, dataDir, schemas, maxBodyBytes, maxRecordsPerRequest, transport, engine,
                tableModes, imports, tls, requestTimeout, rateLimitPerKey, auth, peerTimeouts, keepRejects, databaseStartTimeout);
    }

    public ServiceConfig withPeerTimeouts(PeerTimeouts value) {
        return new ServiceConfig(host, port, databaseUrl, dataDir, schemas, maxBodyBytes, maxRecordsPerRequest, transport, engine,
                tableModes, imports, tls, requestTimeout, rateLimitPerKey, auth, value, keepRejects, databaseStartTimeout);
    }

    public ServiceConfig withTls(Tls value) {
        return new ServiceConfig(host, port, databaseUrl, dataDir, schemas, maxBodyBytes, maxRecordsPerRequest, transport, engine,
                tableModes, imports, value, requestTimeout, rateLimitPerKey, auth, peerTimeouts, keepRejects, databaseStartTimeout);
    }

    public ServiceConfig withKeepRejects(List<String> value) {
        return new ServiceConfig(host, port, databaseUrl, dataDir, schemas, maxBodyBytes, maxRecordsPerRequest, transport, engine,
                tableModes, imports, tls, requestTimeout, rateLimitPerKey, auth, peerTimeouts, value, databaseStartTimeout);
    }

    /** Which requests keep their rejected records in {@code ingest.rejects} whatever they ask. */
    public RejectsPolicy rejectsPolicy() {
        return RejectsPolicy.of(keepRejects);
    }

    /** A comma-separated list of names from the environment; null when unset or blank. */
    private static List<String> names(String value) {
        String v = blankToNull(value);
        return v == null ? null : dev.ingest.api.common.TableList.split(List.of(v));
    }

    /** HTTPS with a PEM certificate (chain) and its PEM private key. */
    public record Tls(Path cert, Path key) {
        public Tls {
            Objects.requireNonNull(cert, "cert");
            Objects.requireNonNull(key, "key");
        }
    }

    public ServiceConfig withEngine(ConfigFile.Engine value) {
        return new ServiceConfig(host, port, databaseUrl, dataDir, schemas, maxBodyBytes, maxRecordsPerRequest,
                transport, value, tableModes, imports, tls, requestTimeout, rateLimitPerKey, auth, peerTimeouts, keepRejects, databaseStartTimeout);
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

    private static Path pathOrNull(String value) {
        return value == null || value.isBlank() ? null : Path.of(value);
    }

    private static Long seconds(String value, String name) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is not a number of seconds: " + value);
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
                + (databaseUrl == null ? "embedded in " + dataDir : DatabaseUrl.parse(databaseUrl).display())
                + ", schemas=" + schemas + ", maxBodyBytes=" + maxBodyBytes + ", maxRecordsPerRequest=" + maxRecordsPerRequest
                + ", transport=" + transport + ", engine=" + engine
                + ", tableModes=" + tableModes + ", auth=" + auth + ", keepRejects=" + keepRejects + "]";
    }
}

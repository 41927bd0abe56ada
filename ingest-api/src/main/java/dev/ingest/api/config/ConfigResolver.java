package dev.ingest.api.config;

import dev.ingest.api.common.TableList;
import dev.ingest.api.db.DatabaseUrl;
import dev.ingest.engine.EngineConfig;
import dev.ingest.engine.WriterMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place where settings are resolved: from (highest first) command-line flags,
 * environment variables, the config file, and the defaults of each record of the tree. Invalid
 * values fail here, with a message naming them, so that a service never starts half-configured.
 *
 * <p>Which source can set what:
 * <ul>
 *   <li>flags and environment: host, port, database URL, data directory, TLS files ({@code INGEST_HOST},
 *       {@code INGEST_PORT}, {@code INGEST_DATABASE_URL}, {@code INGEST_DATA_DIR}, {@code INGEST_TLS_CERT},
 *       {@code INGEST_TLS_KEY}); environment only: {@code INGEST_AUTH}, {@code INGEST_KEEP_REJECTS},
 *       {@code INGEST_DATABASE_START_TIMEOUT}, {@code INGEST_CONFIG}; the clients' {@code --url}/{@code INGEST_URL}
 *       and {@code --token}/{@code INGEST_TOKEN};</li>
 *   <li>the file: all of the above but {@code INGEST_CONFIG} and the clients' options (keys in the README and
 *       {@code ingest.example.yaml}), and also the schemas, the engine section, per-table writer modes, the
 *       import jobs and the HTTP limits and peer timeouts;</li>
 *   <li>nothing: the remaining tunables, at the defaults their records document.</li>
 * </ul>
 */
public final class ConfigResolver {
    private ConfigResolver() {
    }

    /** The values given on {@code ingest serve}'s command line; null where a flag was not given. */
    public record Flags(String host, Integer port, String databaseUrl, Path config, Path tlsCert, Path tlsKey, Path dataDir) {
        public Flags(String host, Integer port, String databaseUrl, Path config) {
            this(host, port, databaseUrl, config, null, null, null);
        }

        public Flags(String host, Integer port, String databaseUrl, Path config, Path tlsCert, Path tlsKey) {
            this(host, port, databaseUrl, config, tlsCert, tlsKey, null);
        }
    }

    /**
     * The service's configuration.
     *
     * @param env  the environment ({@link System#getenv()} in production)
     * @param file the parsed config file, or {@link ConfigFile#EMPTY}
     */
    public static ServiceConfig resolve(Flags flags, Map<String, String> env, ConfigFile file) {
        DatabaseConfig database = database(flags, env, file);
        if (database.url() != null) {
            DatabaseUrl.parse(database.url()); // fail now on a malformed URL
        }
        List<String> keepRejects = first(names(env.get("INGEST_KEEP_REJECTS")), file.keepRejects(), List.of());
        return new ServiceConfig(http(flags, env, file), database, engine(file), StreamingConfig.DEFAULTS,
                ImportsConfig.DEFAULTS.withJobs(ImportJob.fromConfig(file.importsOrEmpty())),
                new AuthConfig(AuthMode.parse(first(blankToNull(env.get("INGEST_AUTH")), file.auth(), null)),
                        AuthConfig.DEFAULTS.keyRefreshInterval()),
                keepRejects);
    }

    /** The config file to read: the flag's, else {@code INGEST_CONFIG}'s, else none. */
    public static Path configPath(Path flag, Map<String, String> env) {
        if (flag != null) {
            return flag;
        }
        String value = blankToNull(env.get("INGEST_CONFIG"));
        return value == null ? null : Path.of(value);
    }

    /**
     * A client's configuration: a flag given, else the environment ({@code INGEST_URL},
     * {@code INGEST_TOKEN}), else the default; a blank token is none.
     *
     * @param url   {@code --url}, or null when not given
     * @param token {@code --token}, or null when not given
     */
    public static ClientConfig client(String url, String token, Map<String, String> env) {
        return ClientConfig.of(first(url, blankToNull(env.get("INGEST_URL")), ClientConfig.DEFAULT_URL),
                blankToNull(first(token, env.get("INGEST_TOKEN"))));
    }

    private static HttpConfig http(Flags flags, Map<String, String> env, ConfigFile file) {
        HttpConfig d = HttpConfig.DEFAULTS;
        PeerTimeouts peers = new PeerTimeouts(
                seconds(file.bodyIdleTimeoutSeconds(), d.peerTimeouts().bodyIdle()),
                seconds(file.writeTimeoutSeconds(), d.peerTimeouts().write()));
        return new HttpConfig(
                first(flags.host(), env.get("INGEST_HOST"), file.host(), d.host()),
                first(flags.port(), parsePort(env.get("INGEST_PORT")), file.port(), d.port()),
                tls(flags, env, file),
                file.transport() == null ? d.transport() : NetworkTransport.parse(file.transport()),
                first(file.maxBodyBytes(), d.maxBodyBytes()),
                first(file.maxRecordsPerRequest(), d.maxRecordsPerRequest()),
                seconds(file.requestTimeoutSeconds(), d.requestTimeout()),
                peers,
                first(file.rateLimitPerKey(), d.rateLimitPerKey()),
                d.idleTimeout(), d.createTableMaxBodyBytes(), d.healthCheckTimeout(), d.closeLingerBytes(), d.closeLinger(),
                d.answerSliceBytes(), d.unavailableRetryAfter(), d.maxHeaderBytes(), d.maxInitialLineBytes(),
                d.statusPoolSize(), d.startTimeout(), d.stopMargin(), d.vertxCloseTimeout());
    }

    private static DatabaseConfig database(Flags flags, Map<String, String> env, ConfigFile file) {
        DatabaseConfig d = DatabaseConfig.DEFAULTS;
        Long startSeconds = first(seconds(env.get("INGEST_DATABASE_START_TIMEOUT"), "INGEST_DATABASE_START_TIMEOUT"),
                file.databaseStartTimeoutSeconds());
        return new DatabaseConfig(
                first(flags.databaseUrl(), blankToNull(env.get("INGEST_DATABASE_URL")), file.databaseUrl(), d.url()),
                first(flags.dataDir(), pathOrNull(env.get("INGEST_DATA_DIR")), pathOrNull(file.dataDir()), d.dataDir()),
                startSeconds == null ? d.startTimeout() : Duration.ofSeconds(startSeconds),
                d.probeFirstPause(), d.probeMaxPause(), d.sessionSettingsTimeout(), d.embeddedStartupWait());
    }

    /** The engine's configuration: the file's engine section over the engine's defaults; the database unbound. */
    private static EngineConfig engine(ConfigFile file) {
        Map<String, WriterMode> modes = new LinkedHashMap<>();
        file.tablesOrEmpty().forEach((table, settings) -> {
            if (settings != null && settings.writerMode() != null) {
                modes.put(table, WriterMode.parse(settings.writerMode()));
            }
        });
        ConfigFile.Engine e = file.engineOrEmpty();
        EngineConfig.Builder b = EngineConfig.builder(EngineConfig.UNBOUND_URL)
                .schemas(first(file.schemas(), EngineConfig.DEFAULTS.schemas()))
                .partitionsAsTables(Boolean.TRUE.equals(file.partitionsAsTables()))
                .tableWriterModes(modes);
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
        return b.build();
    }

    private static Tls tls(Flags flags, Map<String, String> env, ConfigFile file) {
        String cert = first(flags.tlsCert() == null ? null : flags.tlsCert().toString(), blankToNull(env.get("INGEST_TLS_CERT")),
                file.tlsCert(), null);
        String key = first(flags.tlsKey() == null ? null : flags.tlsKey().toString(), blankToNull(env.get("INGEST_TLS_KEY")),
                file.tlsKey(), null);
        if (cert == null && key == null) {
            return null;
        }
        if (cert == null || key == null) {
            throw new IllegalArgumentException("TLS needs both a certificate and a key (--tls-cert and --tls-key)");
        }
        for (String f : List.of(cert, key)) {
            if (!Files.isReadable(Path.of(f))) {
                throw new IllegalArgumentException("cannot read TLS file " + f);
            }
        }
        return new Tls(Path.of(cert), Path.of(key));
    }

    /** A comma-separated list of names from the environment; null when unset or blank. */
    private static List<String> names(String value) {
        String v = blankToNull(value);
        return v == null ? null : TableList.split(List.of(v));
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

    private static Duration seconds(Long fromFile, Duration otherwise) {
        return fromFile == null ? otherwise : Duration.ofSeconds(fromFile);
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
}

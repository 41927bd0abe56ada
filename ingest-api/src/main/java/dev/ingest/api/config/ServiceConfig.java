package dev.ingest.api.config;

import dev.ingest.api.db.DatabaseUrl;
import dev.ingest.engine.EngineConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@code ingest serve} needs: one record per area, each with its documented defaults,
 * resolved by {@link ConfigResolver} (flags, then environment, then the config file, then
 * defaults). Immutable.
 *
 * @param http        the HTTP server: address, TLS, transport, limits and timeouts
 * @param database    which PostgreSQL, and how long to wait for it at start
 * @param engine      the engine's configuration, its database {@link EngineConfig#UNBOUND_URL} until the
 *                    service knows it ({@link #engineFor})
 * @param streaming   how streamed bodies are cut into engine requests
 * @param imports     the scheduled import jobs and how they run
 * @param auth        when requests need an API key, and how soon key changes take effect
 * @param keepRejects the tables whose rejected records are kept in {@code ingest.rejects} for every
 *                    request, as written ({@code INGEST_KEEP_REJECTS}, {@code keep_rejects:}); default none
 */
public record ServiceConfig(
        HttpConfig http,
        DatabaseConfig database,
        EngineConfig engine,
        StreamingConfig streaming,
        ImportsConfig imports,
        AuthConfig auth,
        List<String> keepRejects) {

    public ServiceConfig {
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(streaming, "streaming");
        Objects.requireNonNull(imports, "imports");
        Objects.requireNonNull(auth, "auth");
        keepRejects = List.copyOf(keepRejects);
        RejectsPolicy.of(keepRejects); // fail now on a malformed name
    }

    /** The engine's configuration for the database the service found or started. */
    public EngineConfig engineFor(DatabaseUrl url) {
        return engine.forDatabase(url.jdbcUrl(), url.user(), url.password());
    }

    /** Which requests keep their rejected records in {@code ingest.rejects} whatever they ask. */
    public RejectsPolicy rejectsPolicy() {
        return RejectsPolicy.of(keepRejects);
    }

    public ServiceConfig withHttp(HttpConfig value) {
        return new ServiceConfig(value, database, engine, streaming, imports, auth, keepRejects);
    }

    public ServiceConfig withDatabase(DatabaseConfig value) {
        return new ServiceConfig(http, value, engine, streaming, imports, auth, keepRejects);
    }

    public ServiceConfig withEngine(EngineConfig value) {
        return new ServiceConfig(http, database, value, streaming, imports, auth, keepRejects);
    }

    public ServiceConfig withImports(List<ImportJob> jobs) {
        return new ServiceConfig(http, database, engine, streaming, imports.withJobs(jobs), auth, keepRejects);
    }

    public ServiceConfig withKeepRejects(List<String> value) {
        return new ServiceConfig(http, database, engine, streaming, imports, auth, value);
    }

    public ServiceConfig withDatabaseUrl(String value) {
        return withDatabase(database.at(value, database.dataDir()));
    }

    public ServiceConfig withDataDir(Path value) {
        return withDatabase(database.at(database.url(), value));
    }

    public ServiceConfig withMaxBodyBytes(long value) {
        HttpConfig h = http;
        return withHttp(h.withLimits(value, h.maxRecordsPerRequest(), h.requestTimeout(), h.peerTimeouts(), h.rateLimitPerKey()));
    }

    public ServiceConfig withMaxRecordsPerRequest(int value) {
        HttpConfig h = http;
        return withHttp(h.withLimits(h.maxBodyBytes(), value, h.requestTimeout(), h.peerTimeouts(), h.rateLimitPerKey()));
    }

    public ServiceConfig withLimits(Duration requestTimeout, double rateLimitPerKey) {
        HttpConfig h = http;
        return withHttp(h.withLimits(h.maxBodyBytes(), h.maxRecordsPerRequest(), requestTimeout, h.peerTimeouts(), rateLimitPerKey));
    }

    public ServiceConfig withPeerTimeouts(PeerTimeouts value) {
        HttpConfig h = http;
        return withHttp(h.withLimits(h.maxBodyBytes(), h.maxRecordsPerRequest(), h.requestTimeout(), value, h.rateLimitPerKey()));
    }

    @Override
    public String toString() {
        // Never print the database password.
        return "ServiceConfig[host=" + http.host() + ", port=" + http.port() + ", database="
                + (database.url() == null ? "embedded in " + database.dataDir() : DatabaseUrl.parse(database.url()).display())
                + ", schemas=" + engine.schemas() + ", maxBodyBytes=" + http.maxBodyBytes()
                + ", maxRecordsPerRequest=" + http.maxRecordsPerRequest() + ", transport=" + http.transport() + ", engine=" + engine
                + ", auth=" + auth.mode() + ", keepRejects=" + keepRejects + "]";
    }
}

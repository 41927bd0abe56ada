package dev.ingest.api.server;

import dev.ingest.api.common.UserError;
import dev.ingest.api.config.AuthMode;
import dev.ingest.api.config.HttpConfig;
import dev.ingest.api.config.NetworkTransport;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.db.DatabaseUrl;
import dev.ingest.api.db.DurabilityCheck;
import dev.ingest.api.db.WritableServer;
import dev.ingest.api.db.EmbeddedDatabase;
import dev.ingest.api.db.PlainSessionDefaults;
import dev.ingest.api.imports.ImportScheduler;
import dev.ingest.api.server.auth.Auth;
import dev.ingest.api.server.metrics.ServiceMetrics;
import dev.ingest.engine.IngestEngine;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.transport.Transport;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running service: database (embedded or given), engine, HTTP server. {@link #start} blocks
 * until the server listens; {@link #close} stops it gracefully: no new connections, in-flight
 * requests answered, queued records committed, then the database (if embedded) stopped.
 */
public final class IngestService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestService.class);

    private final ServiceConfig config;
    private final EmbeddedDatabase embedded;
    private final DatabaseUrl database;
    private final IngestEngine engine;
    private final Vertx vertx;
    private final Pool pool;
    private final List<HttpServer> servers; // one per event loop, sharing the port
    private final ImportScheduler imports;
    private final Auth auth;

    private IngestService(ServiceConfig config, EmbeddedDatabase embedded, DatabaseUrl database, IngestEngine engine,
            Vertx vertx, Pool pool, List<HttpServer> servers, ImportScheduler imports, Auth auth) {
        this.imports = imports;
        this.auth = auth;
        this.config = config;
        this.embedded = embedded;
        this.database = database;
        this.engine = engine;
        this.vertx = vertx;
        this.pool = pool;
        this.servers = servers;
    }

    public static IngestService start(ServiceConfig config) throws Exception {
        EmbeddedDatabase embedded = null;
        IngestEngine engine = null;
        Vertx vertx = null;
        ImportScheduler imports = null;
        try {
            DatabaseUrl database;
            HttpConfig http = config.http();
            if (config.database().url() == null) {
                embedded = EmbeddedDatabase.start(config.database().dataDir(), config.database().embeddedStartupWait());
                database = embedded.url();
            } else {
                database = DatabaseUrl.parse(config.database().url());
                // Before the engine's pool, Flyway and the reactive pool each fail on a wrong URL
                // in their own way: one classification, one line, and a visible wait.
                config.database().probe(database, log::warn).awaitReachable(config.database().startTimeout());
            }
            Transport transport = VertxTransports.resolve(http.transport());
            if (http.transport() != NetworkTransport.AUTO && !transport.name().equalsIgnoreCase(http.transport().name())) {
                log.warn("transport {} is not available here, using {}", http.transport(), transport.name());
            }
            ServiceMetrics metrics = new ServiceMetrics();
            vertx = Vertx.builder()
                    // HTTP requests are timed by ServiceMetrics: Vert.x's HTTP server metrics look
                    // their meters up in the registry several times per request.
                    .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                            .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
                            .setLabels(EnumSet.of(Label.POOL_TYPE, Label.POOL_NAME))))
                    .withMetrics(new MicrometerMetricsFactory(metrics.registry()))
                    .withTransport(transport).build();
            // Vert.x first: the engine learns each connection's session settings (time zone, date
            // style) on a reactive connection that, unlike pgjdbc, overrides none of them.
            // One search for the writable server, shared by the session-settings probe and the pool.
            WritableServer writable = new WritableServer(vertx, database);
            engine = IngestEngine.startWith(config.engineFor(database), new PlainSessionDefaults(vertx, database, writable,
                    config.database().sessionSettingsTimeout()));
            warnAboutDurability(engine, database);
            imports = ImportScheduler.start(config.imports(), engine, config.database().dataDir().resolve("downloads"));
            metrics.bind(engine);
            Pool pool = PgBuilder.pool()
                    .with(new PoolOptions().setMaxSize(http.statusPoolSize()))
                    .connectingTo(writable)
                    .using(vertx)
                    .build();
            boolean exposed = !loopback(http.host());
            Auth auth = Auth.start(vertx, pool, exposed, config.auth(), http.rateLimitPerKey())
                    .toCompletionStage().toCompletableFuture().get(http.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (exposed && config.auth().mode() == AuthMode.AUTO && !auth.keysInUse()) {
                throw new IllegalStateException("refusing to listen on " + http.host() + " without API keys: create one with "
                        + "'ingest keys create --name NAME --tables TABLES' (same database), or listen on 127.0.0.1");
            }
            if (auth.enforced()) {
                log.info("authentication: on ({} active API keys; auth: {})", auth.activeKeys(), config.auth().mode());
            } else if (config.auth().mode() == AuthMode.OFF) {
                log.warn("authentication: off (auth: off; listening on loopback only)");
            } else {
                log.warn("authentication: off (listening on loopback only and no API key was ever created; "
                        + "the first key created turns it on for good)");
            }
            HttpServerOptions options = new HttpServerOptions()
                    // Bodies are inflated by the uploads (RequestBody), not by Netty: so that a
                    // corrupt or truncated gzip body is answered 400 rather than the connection
                    // dropped, and a refused body is never inflated.
                    .setDecompressionSupported(false)
                    // No cleartext HTTP/2 upgrade: Vert.x does not decompress the body of an h2c
                    // upgrade request (gzip bodies would reach the decoder compressed), and bulk
                    // ingestion gains nothing from h2c. Clients that offer it fall back to HTTP/1.1.
                    .setHttp2ClearTextEnabled(false)
                    .setTcpNoDelay(true)
                    // Bounded request heads: a larger one is answered 431 (414 for the line).
                    .setMaxHeaderSize(http.maxHeaderBytes())
                    .setMaxInitialLineLength(http.maxInitialLineBytes())
                    .setIdleTimeout(Math.toIntExact(http.idleTimeout().toMillis()))
                    .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
            if (http.tls() != null) {
                options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(http.tls().cert().toString()).setKeyPath(http.tls().key().toString()));
            }
            Router router = HttpApi.router(vertx, engine, pool, auth, imports, metrics, http, config.streaming(), config.rejectsPolicy());
            List<HttpServer> servers = listen(vertx, options, router, HttpApi.connections(http), http, Runtime.getRuntime().availableProcessors());
            log.info("listening: host={} port={} tls={} database={} transport={} event_loops={}",
                    http.host(), servers.get(0).actualPort(), http.tls() != null, database.display(), transport.name(), servers.size());
            return new IngestService(config, embedded, database, engine, vertx, pool, servers, imports, auth);
        } catch (Exception e) {
            if (imports != null) {
                imports.close();
            }
            if (engine != null) {
                engine.close();
            }
            if (vertx != null) {
                vertx.close();
            }
            if (embedded != null) {
                embedded.close();
            }
            throw e instanceof ExecutionException && e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Says at start when the server's settings let an acknowledged commit be lost (see {@link DurabilityCheck}). */
    private static void warnAboutDurability(IngestEngine engine, DatabaseUrl database) {
        try (Connection c = engine.dataSource().getConnection()) {
            DurabilityCheck.warnings(c, database.servers().size() > 1).forEach(log::warn);
        } catch (SQLException e) {
            log.debug("could not read the durability settings: {}", e.getMessage());
        }
    }

    /**
     * Listens with {@code instances} HTTP servers, each on an event loop of its own, sharing the
     * port (Vert.x hands each new connection to the next): one server would run every request's
     * parsing, decoding and answer on a single thread. Port 0 is asked for as -1, Vert.x's shared
     * random port, so that all of them get the same one.
     */
    private static List<HttpServer> listen(Vertx vertx, HttpServerOptions options, Router router, Handler<HttpConnection> connections,
            HttpConfig config, int instances) throws Exception {
        int port = config.port() == 0 ? -1 : config.port();
        List<HttpServer> servers = new CopyOnWriteArrayList<>();
        Supplier<Deployable> server = () -> new VerticleBase() {
            @Override
            public Future<?> start() {
                return vertx.createHttpServer(options).connectionHandler(connections).requestHandler(router)
                        .listen(port, config.host()).onSuccess(servers::add);
            }
        };
        try {
            vertx.deployVerticle(server, new DeploymentOptions().setInstances(instances)).toCompletionStage().toCompletableFuture()
                    .get(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return List.copyOf(servers);
        } catch (ExecutionException e) {
            // NIO reports a java.net.BindException, the native transports an IOException that says so.
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                String m = String.valueOf(t.getMessage());
                if (t instanceof BindException || m.contains("Address already in use")) {
                    throw new UserError("port " + config.port() + " on " + config.host() + " is already in use (another ingest serve, "
                            + "or another program); stop it, or choose another port with --port (INGEST_PORT, port:)", e.getCause());
                }
                if (m.contains("Cannot assign requested address")) {
                    throw new UserError("cannot listen on " + config.host() + ": no such address on this machine; "
                            + "choose another with --host (INGEST_HOST, host:)", e.getCause());
                }
            }
            throw e;
        }
    }

    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The port the server listens on (the actual one when configured as 0). */
    public int port() {
        return servers.get(0).actualPort();
    }

    /** Whether the service serves HTTPS. */
    public boolean tls() {
        return config.http().tls() != null;
    }

    public String host() {
        return config.http().host();
    }

    public DatabaseUrl database() {
        return database;
    }

    /** Whether requests need an API key now (it turns on for good once the first key is created). */
    public boolean authEnforced() {
        return auth.enforced();
    }

    public boolean embedded() {
        return embedded != null;
    }

    public IngestEngine engine() {
        return engine;
    }

    /** Stops gracefully (see the class comment). Never throws; problems are logged. */
    @Override
    public void close() {
        long graceMillis = config.engine().shutdownGrace().toMillis();
        log.info("stopping: answering in-flight requests (grace {} ms)", graceMillis);
        // Stop accepting; in-flight requests finish as their records commit.
        await(Future.all(servers.stream().map(s -> s.shutdown(graceMillis, TimeUnit.MILLISECONDS)).toList()),
                graceMillis + config.http().stopMargin().toMillis(), "HTTP server shutdown");
        imports.close(); // runs stop after their current chunk, which the engine then commits
        engine.close();
        pool.close();
        await(vertx.close(), config.http().vertxCloseTimeout().toMillis(), "Vert.x shutdown");
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                log.warn("embedded PostgreSQL did not stop cleanly: {}", e.toString());
            }
        }
        log.info("stopped");
    }

    private static void await(Future<?> future, long millis, String what) {
        try {
            future.toCompletionStage().toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("{} interrupted", what);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("{} did not complete cleanly: {}", what, e.toString());
        }
    }
}

package dev.ingest.api.cli;

import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.server.IngestService;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ingest serve}: run the HTTP service until SIGTERM / Ctrl-C. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Run the ingestion service.",
            "",
            "Without a database URL it starts an embedded PostgreSQL whose data is kept in .ingest/ under the "
                    + "working directory (--data-dir), so rows survive restarts. With one, it waits for a server that "
                    + "does not answer yet (database_start_timeout_seconds, default 60) and stops at once on a refused "
                    + "login or an unknown database or host. On start it applies "
                    + "its migrations (schema 'ingest'). SIGTERM or Ctrl-C stops it gracefully: in-flight requests are "
                    + "answered and queued records committed first.",
            "",
            "On loopback (the default) it runs without authentication until the first API key is created (see "
                    + "'ingest keys'), and with it from then on, even once every key is revoked; on any other address it "
                    + "refuses to start without one. 'auth: required|off' in the config file (INGEST_AUTH) decides "
                    + "explicitly; off is refused beyond loopback.",
            ""},
        footer = {
            "",
            "Precedence: flags, then environment (INGEST_HOST, INGEST_PORT, INGEST_DATABASE_URL, INGEST_DATA_DIR, "
                    + "INGEST_CONFIG, INGEST_TLS_CERT, INGEST_TLS_KEY, INGEST_AUTH, INGEST_KEEP_REJECTS, INGEST_DATABASE_START_TIMEOUT), "
                    + "then the config file, then defaults.",
            "Errors are one line; INGEST_LOG_LEVEL=DEBUG adds the stack trace."})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--host", paramLabel = "ADDRESS",
            description = "Address to listen on (env INGEST_HOST; default 127.0.0.1).")
    String host;

    @Option(names = "--port", paramLabel = "PORT",
            description = "Port to listen on, 0 for any free port (env INGEST_PORT; default 8080).")
    Integer port;

    @Option(names = "--database-url", paramLabel = "URL",
            description = "PostgreSQL to write to: postgresql://user:pass@host:port/db (or postgres://...) or "
                    + "jdbc:postgresql://host:port/db?user=..&password=..; several servers (h1:5432,h2:5432) mean "
                    + "whichever is the primary (env INGEST_DATABASE_URL; default: an embedded PostgreSQL).")
    String databaseUrl;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the embedded PostgreSQL keeps its data (env INGEST_DATA_DIR; config data_dir; default .ingest).")
    Path dataDir;

    @Option(names = "--tls-cert", paramLabel = "PEM",
            description = "Serve HTTPS with this PEM certificate (chain) (env INGEST_TLS_CERT; config tls_cert); needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM",
            description = "The PEM private key of --tls-cert (PKCS#8 or PKCS#1) (env INGEST_TLS_KEY; config tls_key).")
    Path tlsKey;

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML config file (env INGEST_CONFIG); see ingest.example.yaml.")
    Path config;

    @Option(names = "--print-jvm-options",
            description = "Print the JVM options scripts/ingest starts the service with (a max heap of 2 x memory_budget_mb "
                    + "+ 256 MiB, exit on OutOfMemoryError) for this configuration, and exit.")
    boolean printJvmOptions;

    @Override
    public Integer call() throws Exception {
        Path configPath = ConfigResolver.configPath(config, System.getenv());
        ServiceConfig resolved;
        try {
            ConfigFile file = configPath == null ? ConfigFile.EMPTY : ConfigFile.read(configPath);
            resolved = ConfigResolver.resolve(new ConfigResolver.Flags(host, port, databaseUrl, configPath, tlsCert, tlsKey, dataDir),
                    System.getenv(), file);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("ingest serve: " + e.getMessage());
            return 2;
        }
        long budget = resolved.engine().memoryBudgetBytes();
        if (printJvmOptions) {
            System.out.println(HeapSizing.jvmOptions(budget));
            return 0;
        }
        HeapSizing.report(budget);
        IngestService service = IngestService.start(resolved);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } finally {
                stopped.countDown();
                System.out.flush();
                System.err.flush();
                // A graceful stop is a success: exit 0 rather than the signal's 128 + n.
                Runtime.getRuntime().halt(0);
            }
        }, "ingest-shutdown"));
        printBanner(service);
        stopped.await();
        return 0;
    }

    private static void printBanner(IngestService service) {
        System.out.println(Banner.text(service));
        System.out.flush();
    }
}

package dev.ingest.api.cli;

import dev.ingest.api.common.TableList;
import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.config.DatabaseConfig;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.db.DatabaseUrl;
import dev.ingest.api.db.EmbeddedDatabase;
import dev.ingest.api.server.auth.ApiKeys;
import dev.ingest.engine.ServiceSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ingest keys create|list|revoke}: API keys, kept in the service's database. */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {"Manage API keys.", "",
            "Requests need 'Authorization: Bearer TOKEN' (or Basic with the token as the password) with a key granted their table as soon as "
                + "a key has been created (revoking every key does not turn this off; only 'auth: off' does, on loopback), "
                + "and always when the service listens beyond loopback. Keys live in the service's database "
                + "(schema ingest; only a hash of each token), so these commands take the same database settings as serve; "
                + "running services notice changes within 2 seconds. Each command says on standard error which database "
                + "it uses: with no database URL, the embedded one of the data directory (.ingest under the working "
                + "directory, or --data-dir), through the running service or started here for the while.", ""},
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
public final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Which database: as {@code serve} resolves it. */
    static final class Database {
        @Option(names = "--database-url", paramLabel = "URL",
                description = "The service's database (env INGEST_DATABASE_URL; default: the embedded one of the data directory).")
        String databaseUrl;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "The service's data directory, for its embedded database (env INGEST_DATA_DIR; default .ingest).")
        Path dataDir;

        @Option(names = "--config", paramLabel = "FILE", description = "The service's config file (env INGEST_CONFIG).")
        Path config;

        /** The service's configuration, as serve resolves it. */
        ServiceConfig config() throws Exception {
            Path configPath = ConfigResolver.configPath(config, System.getenv());
            ConfigFile file = configPath == null ? ConfigFile.EMPTY : ConfigFile.read(configPath);
            return ConfigResolver.resolve(new ConfigResolver.Flags(null, null, databaseUrl, configPath, null, null, dataDir),
                    System.getenv(), file);
        }

        /** Runs {@code work} on the database, with the service's migrations applied; says which database on stderr. */
        <T> T with(KeysWork<T> work) throws Exception {
            DatabaseConfig c = config().database();
            if (c.url() != null) {
                DatabaseUrl url = DatabaseUrl.parse(c.url());
                notice("database " + url.display());
                c.probe(url, KeysCommand::notice).awaitReachable(c.startTimeout());
                return run(url, work);
            }
            // The embedded database: the running service's, or started here for the while.
            Path dir = c.dataDir().toAbsolutePath().normalize();
            DatabaseUrl running = runningService(dir);
            if (running != null && c.probe(running, KeysCommand::notice).answersNow()) {
                notice("database: the embedded one of the running service, data directory " + dir + " (" + running.display() + ")");
                return run(running, work);
            }
            if (Files.isRegularFile(dir.resolve("postgres").resolve("PG_VERSION"))) {
                notice("database: the embedded one in " + dir + " (the service is not running: started here for the while)");
            } else {
                // Run from another directory, keys would otherwise silently make a database that no service reads.
                notice("database: none in " + dir + " yet: creating a new embedded one there; a service uses it only when "
                        + "started with the same data directory (run from the service's directory, or pass --data-dir)");
            }
            try (EmbeddedDatabase embedded = EmbeddedDatabase.start(dir, c.embeddedStartupWait())) {
                return run(embedded.url(), work);
            }
        }

        /** The running service's embedded database, from the port it left in the data directory; null if none. */
        private static DatabaseUrl runningService(Path dir) throws IOException {
            Path portFile = dir.resolve("postgres.port");
            if (!Files.isRegularFile(portFile)) {
                return null;
            }
            String port = Files.readString(portFile).trim();
            if (!port.matches("\\d{1,5}")) {
                return null; // unreadable: EmbeddedDatabase says so and picks another
            }
            return DatabaseUrl.parse("postgresql://postgres@localhost:" + port + "/postgres");
        }

        private static <T> T run(DatabaseUrl url, KeysWork<T> work) throws Exception {
            PGSimpleDataSource ds = url.dataSource();
            ServiceSchema.migrate(ds);
            return work.run(new ApiKeys(ds));
        }
    }

    interface KeysWork<T> {
        T run(ApiKeys keys) throws Exception;
    }

    private static void notice(String message) {
        System.err.println("ingest keys: " + message);
    }

    private static int refused(String message) {
        System.err.println("ingest keys: " + message);
        return 1;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a key and print its token (shown this once; only a hash is kept).")
    static final class Create implements Callable<Integer> {
        @Mixin
        Database database;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "A name for the key, e.g. the client it is for.")
        String name;

        // Split here, not by picocli: a comma inside a quoted name belongs to the name, and picocli
        // would warn about unbalanced quotes on stderr before our own one-line error.
        @Option(names = "--tables", required = true, paramLabel = "TABLES",
                description = {"Tables it may write, comma-separated: table or schema.table (quote a part with a dot in it: "
                    + "'public.\"my.table\"'); * for every table. Each must exist, unless --allow-missing."})
        List<String> tables;

        @Option(names = "--allow-missing", description = "Grant tables that do not exist (yet).")
        boolean allowMissing;

        @Override
        public Integer call() throws Exception {
            try {
                ServiceConfig config = database.config();
                List<String> schemas = config.engine().schemas();
                List<String> tables = TableList.split(this.tables);
                boolean all = tables.stream().anyMatch(t -> t.trim().equals("*"));
                ApiKeys.Created created = database.with(keys -> keys.create(name, all,
                        all ? List.of() : keys.resolve(tables, schemas, allowMissing)));
                System.out.println(created.token());
                System.err.println("ingest keys: created \"" + name + "\" for " + String.join(", ", created.key().tables())
                        + "; the token above is not stored and will not be shown again; a running service accepts it "
                        + "within " + config.auth().keyRefreshInterval().toSeconds() + " seconds");
                return 0;
            } catch (IllegalArgumentException e) {
                return refused(e.getMessage());
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the keys (names and grants, never tokens).")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        Database database;

        @Override
        public Integer call() throws Exception {
            List<ApiKeys.Key> keys = database.with(ApiKeys::list);
            if (keys.isEmpty()) {
                System.out.println("no API keys (authentication is off while the service listens on loopback only, "
                        + "until the first key is created)");
            }
            for (ApiKeys.Key k : keys) {
                System.out.println(k.name() + "  tables " + String.join(",", k.tables()) + "  created " + k.createdAt()
                        + (k.active() ? "" : "  revoked " + k.revokedAt()));
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key: requests with it get 401 within 2 seconds.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        Database database;

        @Parameters(paramLabel = "NAME", description = "The key.")
        String name;

        @Override
        public Integer call() throws Exception {
            boolean revoked = database.with(keys -> keys.revoke(name));
            if (!revoked) {
                return refused("no active key named \"" + name + "\"");
            }
            System.out.println("ingest keys: revoked \"" + name + "\"");
            return 0;
        }
    }
}

package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.server.IngestService;
import dev.ingest.engine.testing.TestDatabase;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** User errors of serve, keys and imports: one line saying what happened and what to do, never a stack trace. */
@Timeout(180)
class CommandErrorsIT {
    /** Holds the embedded databases' data directories; JUnit deletes it afterwards (they are ~40 MB each). */
    @TempDir
    Path temp;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Path configWithDataDir(Path dataDir) throws Exception {
        Path config = Files.createTempFile("ingest-cli", ".yaml");
        Files.writeString(config, "data_dir: " + dataDir + "\n");
        return config;
    }

    @Test
    void keysWithAStalePortFileStartsTheEmbeddedDatabaseAndSaysWhichItUses() throws Exception {
        Path dataDir = Files.createTempDirectory(temp, "ingest-keys").resolve(".ingest");
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("postgres.port"), Integer.toString(freePort())); // nothing listens there
        CommandRun run = CommandRun.of("keys", "list", "--config", configWithDataDir(dataDir).toString());
        assertThat(run.stackTrace()).as(run.err()).isFalse();
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("no API keys");
        assertThat(run.messages()).as("which database keys used").anyMatch(l -> l.contains(dataDir.toAbsolutePath().toString()));
    }

    @Test
    void keysInADirectoryWithoutDataSaysItCreatesANewDatabase() throws Exception {
        Path dataDir = Files.createTempDirectory(temp, "ingest-keys").resolve("elsewhere");
        CommandRun run = CommandRun.of("keys", "list", "--data-dir", dataDir.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.messages()).anyMatch(l -> l.contains(dataDir.toAbsolutePath().toString()) && l.contains("new"));
        assertThat(dataDir.resolve("postgres/PG_VERSION")).exists();
    }

    @Test
    void aSecondServeInTheSameDataDirectorySaysAnotherServeUsesIt() throws Exception {
        Path dataDir = Files.createTempDirectory(temp, "ingest-twice").resolve(".ingest");
        ServiceConfig config = ConfigResolver.resolve(new ConfigResolver.Flags("127.0.0.1", 0, null, null),
                Map.of(), ConfigFile.EMPTY).withDataDir(dataDir);
        try (IngestService first = IngestService.start(config)) {
            CommandRun run = CommandRun.of("serve", "--port", "0", "--config", configWithDataDir(dataDir).toString());
            assertThat(run.exit()).isNotZero();
            assertThat(run.stackTrace()).as(run.err()).isFalse();
            assertThat(run.failures()).as(run.err()).hasSize(1);
            assertThat(run.failures().get(0)).contains("another ingest serve").contains(dataDir.toAbsolutePath().toString())
                    .contains("--data-dir");
            assertThat(first.port()).isPositive();
        }
    }

    @Test
    void aPortInUseIsNamedWithTheFlagToChooseAnother() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            CommandRun run = CommandRun.of("serve", "--port", Integer.toString(port), "--database-url", db.url());
            assertThat(run.exit()).isNotZero();
            assertThat(run.stackTrace()).as(run.err()).isFalse();
            assertThat(run.failures()).as(run.err()).hasSize(1);
            assertThat(run.failures().get(0)).contains("port " + port).contains("--port");
        }
    }

    @Test
    void importsWithTheServiceDownOrAUrlWithoutSchemeSaySo() throws Exception {
        int port = freePort();
        CommandRun down = CommandRun.of("imports", "list", "--url", "http://127.0.0.1:" + port);
        assertThat(down.exit()).isNotZero();
        assertThat(down.stackTrace()).as(down.err()).isFalse();
        assertThat(down.messages()).as(down.err()).hasSize(1);
        assertThat(down.messages().get(0)).contains("http://127.0.0.1:" + port).contains("ingest serve");

        CommandRun noScheme = CommandRun.of("imports", "run", "daily", "--url", "127.0.0.1:" + port);
        assertThat(noScheme.exit()).isNotZero();
        assertThat(noScheme.stackTrace()).as(noScheme.err()).isFalse();
        assertThat(noScheme.messages()).as(noScheme.err()).hasSize(1);
        assertThat(noScheme.messages().get(0)).contains("http://");
    }

    @Test
    void importsWithoutATokenSayHowToGiveOne() throws Exception {
        try (ServiceFixture f = ServiceFixture.start("CREATE TABLE t (v int)")) {
            AuthIT.ingest("keys", "create", "--name", "ops", "--tables", "*", "--database-url", f.db.url());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            CommandRun run;
            do {
                assertThat(System.nanoTime()).as("waiting until the key turns authentication on").isLessThan(deadline);
                run = CommandRun.of("imports", "list", "--url", f.uri("").toString());
            } while (run.exit() == 0);
            assertThat(run.stackTrace()).as(run.err()).isFalse();
            assertThat(run.messages()).as(run.err()).hasSize(1);
            assertThat(run.messages().get(0)).contains("HTTP 401").contains("--token").contains("INGEST_TOKEN");
        }
    }
}

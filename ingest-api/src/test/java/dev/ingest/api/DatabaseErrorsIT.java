package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.db.DatabaseUrl;
import dev.ingest.engine.testing.TestDatabase;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A wrong database URL: refused logins, unknown databases and hosts fail at once with one line
 * naming user@host:port/db (never the password); a server that does not answer is waited for,
 * visibly, up to the start timeout; an unparseable URL says which forms are accepted.
 */
@Timeout(180)
class DatabaseErrorsIT {
    private static DatabaseUrl server;

    @BeforeAll
    static void database() {
        server = DatabaseUrl.parse(TestDatabase.create().url());
    }

    private static String at(String user, String password, String database) {
        return "postgresql://" + user + (password == null ? "" : ":" + password) + "@" + server.host() + ":" + server.port() + "/" + database;
    }

    @Test
    void aRefusedLoginFailsAtOnceNamingTheUserButNotThePassword() {
        for (String command : new String[] {"serve", "keys"}) {
            CommandRun run = command.equals("serve")
                    ? CommandRun.of("serve", "--port", "0", "--database-url", at("no_such_role", "s3cret-pw", "postgres"))
                    : CommandRun.of("keys", "list", "--database-url", at("no_such_role", "s3cret-pw", "postgres"));
            assertThat(run.exit()).isNotZero();
            assertThat(run.stackTrace()).as(run.err()).isFalse();
            assertThat(run.err()).doesNotContain("s3cret-pw");
            assertThat(run.failures()).as(run.err()).hasSize(1);
            assertThat(run.failures().get(0)).contains("no_such_role@" + server.host() + ":" + server.port() + "/postgres")
                    .contains("user and password");
        }
    }

    @Test
    void anUnknownDatabaseFailsAtOnceNamingIt() {
        CommandRun run = CommandRun.of("serve", "--port", "0", "--database-url", at(server.user(), server.password(), "no_such_db"));
        assertThat(run.exit()).isNotZero();
        assertThat(run.stackTrace()).as(run.err()).isFalse();
        assertThat(run.failures()).as(run.err()).hasSize(1);
        assertThat(run.failures().get(0)).contains(server.user() + "@" + server.host() + ":" + server.port() + "/no_such_db")
                .contains("does not exist").contains("createdb");
    }

    @Test
    void anUnknownHostFailsAtOnceNamingIt() {
        CommandRun run = CommandRun.of("keys", "list", "--database-url", "postgres://app:pw@no-such-host.invalid:5433/app");
        assertThat(run.exit()).isNotZero();
        assertThat(run.stackTrace()).as(run.err()).isFalse();
        assertThat(run.failures()).as(run.err()).hasSize(1);
        assertThat(run.failures().get(0)).contains("app@no-such-host.invalid:5433/app").contains("unknown host");
    }

    @Test
    void aServerThatDoesNotAnswerIsWaitedForVisiblyUpToTheStartTimeout() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = Files.createTempFile("ingest-timeout", ".yaml");
        Files.writeString(config, "database_start_timeout_seconds: 2\n");
        String url = "postgresql://app:pw@127.0.0.1:" + port + "/app";
        for (String[] args : new String[][] {
                {"serve", "--port", "0", "--config", config.toString(), "--database-url", url},
                {"keys", "list", "--config", config.toString(), "--database-url", url}}) {
            CommandRun run = CommandRun.of(args);
            assertThat(run.exit()).isNotZero();
            assertThat(run.stackTrace()).as(run.err()).isFalse();
            // serve logs the wait, on stderr as in production
            assertThat(run.err()).contains("waiting for PostgreSQL at 127.0.0.1:" + port + " (attempt 1, Ctrl-C to stop)");
            assertThat(run.err()).contains("did not answer within 2 s").contains("database_start_timeout_seconds");
        }
    }

    @Test
    void anUnparseableUrlSaysWhichFormsAreAccepted() {
        CommandRun run = CommandRun.of("serve", "--port", "0", "--database-url", "mysql://app@db/app");
        assertThat(run.exit()).isNotZero();
        assertThat(run.failures()).as(run.err()).hasSize(1);
        assertThat(run.failures().get(0)).contains("postgresql://").contains("postgres://").contains("jdbc:postgresql://");
    }
}

package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.cli.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
    @Test
    void helpListsTheCommandsAndServeExplainsEveryOption() {
        CommandLine cli = new CommandLine(new Main());
        assertThat(cli.getUsageMessage()).contains("serve").contains("Batch-oriented ingestion service");
        String serve = cli.getSubcommands().get("serve").getUsageMessage();
        for (String option : new String[] {"--host", "--port", "--database-url", "--config", "INGEST_HOST", "INGEST_PORT",
                "INGEST_DATABASE_URL", "INGEST_CONFIG", "embedded PostgreSQL"}) {
            assertThat(serve).contains(option);
        }
    }

    @Test
    void aBadConfigFileStopsServeWithExitCode2() {
        assertThat(Main.execute("serve", "--config", "/nonexistent/ingest.yaml")).isEqualTo(2);
        assertThat(Main.execute("no-such-command")).isEqualTo(2);
    }

    @Test
    void everyCommandPrintsTheProjectVersionAndCommit() {
        for (String[] args : new String[][] {{"-V"}, {"--version"}, {"keys", "-V"}, {"serve", "--version"}, {"load", "-V"},
                {"imports", "run", "-V"}}) {
            CommandRun run = CommandRun.of(args);
            assertThat(run.exit()).isZero();
            assertThat(run.out()).as(String.join(" ", args)).startsWith("ingest 0.1.0-SNAPSHOT").doesNotContain("development build")
                    .containsPattern("commit [0-9a-f]{7,}|commit unknown");
        }
    }
}

package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

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
}

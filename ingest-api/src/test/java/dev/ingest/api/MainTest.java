package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.cli.Main;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
    @Test
    void helpListsTheCommandsAndServeExplainsEveryOption() {
        CommandLine cli = Main.commandLine();
        assertThat(cli.getUsageMessage()).contains("serve").contains("Batch-oriented ingestion service");
        String serve = cli.getSubcommands().get("serve").getUsageMessage();
        for (String option : new String[] {"--host", "--port", "--database-url", "--config", "INGEST_HOST", "INGEST_PORT",
                "INGEST_DATABASE_URL", "INGEST_CONFIG", "embedded PostgreSQL"}) {
            assertThat(serve).contains(option);
        }
    }

    @Test
    void aCommandRunAloneMakesOnlyItselfAndReadsAsInTheWholeTree() {
        List<String> all = List.of("serve", "load", "imports", "keys", "sample", "help");
        assertThat(Main.commandLine().getSubcommands().keySet()).containsExactlyElementsOf(all);
        assertThat(Main.commandLine("help", "load").getSubcommands().keySet()).containsExactlyElementsOf(all);
        assertThat(Main.commandLine("lod", "--table", "t").getSubcommands().keySet()).containsExactlyElementsOf(all);
        assertThat(Main.commandLine("--help").getSubcommands().keySet()).containsExactlyElementsOf(all);
        CommandLine whole = Main.commandLine();
        for (String name : all.subList(0, 5)) {
            CommandLine alone = Main.commandLine(name, "--help");
            assertThat(alone.getSubcommands().keySet()).containsExactly(name);
            CommandLine command = alone.getSubcommands().get(name);
            assertThat(command.getUsageMessage()).as(name).isEqualTo(whole.getSubcommands().get(name).getUsageMessage())
                    .contains("Usage: ingest " + name);
            assertThat(command.getExecutionExceptionHandler()).as(name).isNotNull()
                    .isSameAs(alone.getExecutionExceptionHandler());
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

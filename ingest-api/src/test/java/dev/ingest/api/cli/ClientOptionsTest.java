package dev.ingest.api.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

class ClientOptionsTest {
    private static final CommandLine CLI = Main.commandLine();

    private static CommandSpec command(String... path) {
        CommandLine c = CLI;
        for (String name : path) {
            c = c.getSubcommands().get(name);
        }
        return c.getCommandSpec();
    }

    @Test
    void loadAndImportsTakeTheSameServiceOptions() {
        for (CommandSpec spec : List.of(command("load"), command("imports", "list"), command("imports", "run"))) {
            OptionSpec url = spec.findOption("--url");
            OptionSpec token = spec.findOption("--token");
            assertThat(url.description()).as(spec.qualifiedName())
                    .containsExactly("The service (env INGEST_URL; default http://127.0.0.1:8080).");
            assertThat(url.paramLabel()).isEqualTo("URL");
            assertThat(token.description()).as(spec.qualifiedName()).containsExactly("Bearer token for the service (env INGEST_TOKEN).");
            assertThat(token.paramLabel()).isEqualTo("TOKEN");
            assertThat(spec.mixins().values()).as(spec.qualifiedName()).extracting(CommandSpec::userObject)
                    .hasAtLeastOneElementOfType(ClientOptions.class);
        }
    }

    @Test
    void theFlagsReachTheClientsConfiguration() {
        LoadCommand load = new LoadCommand();
        new CommandLine(load).parseArgs("--url", "http://ingest:9000", "--token", "t0k", "--table", "events", "a.csv");
        assertThat(load.service.config().url()).isEqualTo("http://ingest:9000");
        assertThat(load.service.config().token()).isEqualTo("t0k");
    }
}

package dev.ingest.api;

import dev.ingest.api.internal.cli.ImportsCommand;
import dev.ingest.api.internal.cli.KeysCommand;
import dev.ingest.api.internal.cli.LoadCommand;
import dev.ingest.api.internal.cli.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ingest} command line. */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        versionProvider = Main.Version.class,
        description = {"Batch-oriented ingestion service for PostgreSQL.", ""},
        subcommands = {ServeCommand.class, LoadCommand.class, ImportsCommand.class, KeysCommand.class, dev.ingest.api.internal.cli.SampleCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'ingest COMMAND --help' for the options of a command."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (for tests and {@link #main}). */
    public static int execute(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"ingest " + (v == null ? "(development build)" : v)};
        }
    }
}

package dev.ingest.api.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ingest} command line. */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        versionProvider = Main.Version.class,
        description = {"Batch-oriented ingestion service for PostgreSQL.", ""},
        subcommands = {ServeCommand.class, LoadCommand.class, ImportsCommand.class, KeysCommand.class, SampleCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'ingest COMMAND --help' for the options of a command."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (for tests and {@link #main}). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main()).setExecutionExceptionHandler(new ErrorReporter());
        versionEverywhere(cli, new Version());
        return cli.execute(args);
    }

    /** Each subcommand has -V/--version (mixinStandardHelpOptions); without a provider it would print nothing. */
    private static void versionEverywhere(CommandLine command, CommandLine.IVersionProvider version) {
        for (CommandLine sub : command.getSubcommands().values()) {
            if (sub.getCommandSpec().versionProvider() == null) {
                sub.getCommandSpec().versionProvider(version);
            }
            versionEverywhere(sub, version);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The project version (ingest-version.properties) and git commit (ingest-commit.txt), both written by the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/ingest-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            String version = filled(p.getProperty("version"), "unknown version");
            // `git describe --always --dirty`; absent when built without .git (source archive, Docker context).
            String commit = "";
            try (InputStream in = Main.class.getResourceAsStream("/ingest-commit.txt")) {
                if (in != null) {
                    commit = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().lines().findFirst().orElse("");
                }
            }
            boolean dirty = commit.endsWith("-dirty");
            commit = filled(dirty ? commit.substring(0, commit.length() - "-dirty".length()) : commit, "unknown");
            return new String[] {"ingest " + version + " (commit " + commit + (dirty ? ", with uncommitted changes" : "") + ")"};
        }

        private static String filled(String value, String otherwise) {
            return value == null || value.isBlank() || value.startsWith("${") ? otherwise : value;
        }
    }
}

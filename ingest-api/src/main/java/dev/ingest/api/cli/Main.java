package dev.ingest.api.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ingest} command line. */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        versionProvider = Main.Version.class,
        description = {"Batch-oriented ingestion service for PostgreSQL.", ""},
        footer = {"", "Run 'ingest COMMAND --help' for the options of a command."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * The subcommands, in the order the help lists them. Each is made only when it is run or
     * listed: picocli reads a command's annotations when it is added, and making all of them cost
     * every {@code ingest load} (a client run from cron, whose start-up counts) about 0.3 s of CPU.
     */
    private static final Map<String, Supplier<Object>> COMMANDS = commands();

    private static Map<String, Supplier<Object>> commands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("serve", ServeCommand::new);
        m.put("load", LoadCommand::new);
        m.put("imports", ImportsCommand::new);
        m.put("keys", KeysCommand::new);
        m.put("sample", SampleCommand::new);
        m.put("help", CommandLine.HelpCommand::new);
        return Collections.unmodifiableMap(m);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (for tests and {@link #main}). */
    public static int execute(String... args) {
        return commandLine(args).execute(args);
    }

    /**
     * The command line that runs {@code args}: when they start with a command's name, only that
     * command is in it (its help and errors read the same); otherwise, as for {@code ingest},
     * {@code ingest help} or a mistyped command, all of them are.
     */
    public static CommandLine commandLine(String... args) {
        CommandLine cli = new CommandLine(new Main());
        Supplier<Object> named = args.length > 0 && !args[0].equals("help") ? COMMANDS.get(args[0]) : null;
        if (named != null) {
            cli.addSubcommand(args[0], named.get());
        } else {
            COMMANDS.forEach((name, command) -> cli.addSubcommand(name, command.get()));
        }
        // After the subcommands: picocli gives the handler to those present when it is set.
        cli.setExecutionExceptionHandler(new ErrorReporter());
        versionEverywhere(cli, new Version());
        return cli;
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

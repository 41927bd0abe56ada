package dev.ingest.api;

import dev.ingest.api.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One run of the command line in this JVM, with what it printed on standard output and standard
 * error (logback's console appender writes to whatever {@code System.err} is at the time, so log
 * lines are captured too).
 */
record CommandRun(int exit, String out, String err) {
    static synchronized CommandRun of(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Main.execute(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        CommandRun run = new CommandRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        savedErr.println("ingest " + String.join(" ", args) + " -> exit " + exit + "\n--- stdout:\n" + run.out + "--- stderr:\n" + run.err);
        return run;
    }

    /** The lines of standard error that the command itself printed (those starting with "ingest"), not log lines. */
    List<String> messages() {
        return Arrays.stream(err.split("\n")).filter(l -> l.startsWith("ingest")).toList();
    }

    /**
     * The command's own lines other than keys' "database ..." notice (which says which database it
     * uses): for a failure, exactly one.
     */
    List<String> failures() {
        return messages().stream().filter(l -> !l.startsWith("ingest keys: database")).toList();
    }

    /** Standard output and error together: the tests' logback configuration logs to standard output. */
    String all() {
        return out + err;
    }

    /** Whether any Java stack frame was printed. */
    boolean stackTrace() {
        return err.contains("\tat ") || out.contains("\tat ") || err.contains("Exception:") && err.contains("Caused by");
    }
}

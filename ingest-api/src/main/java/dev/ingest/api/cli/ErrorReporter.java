package dev.ingest.api.cli;

import dev.ingest.api.common.UserError;
import java.io.PrintStream;
import java.util.Locale;
import picocli.CommandLine;

/**
 * What a command that failed prints: one line, "ingest COMMAND: what happened", and exit status
 * 1. A {@link UserError} says what to do itself; anything else is reported by its type and
 * message. The stack trace is printed only with {@code INGEST_LOG_LEVEL=DEBUG} (or
 * {@code -Dingest.log.level=DEBUG}), the same switch that makes the log verbose, so that one
 * setting means "show me everything" for every command.
 */
public final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        PrintStream err = System.err;
        err.println(prefix(command) + ": " + describe(e)
                + (e instanceof UserError || debug() ? "" : " (INGEST_LOG_LEVEL=DEBUG shows the stack trace)"));
        if (debug()) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    /** "ingest keys" for "ingest keys create": the command a user would recognise. */
    private static String prefix(CommandLine command) {
        CommandLine c = command;
        while (c.getParent() != null && c.getParent().getParent() != null) {
            c = c.getParent();
        }
        return c.getParent() == null ? c.getCommandName() : "ingest " + c.getCommandName();
    }

    static String describe(Throwable e) {
        if (e instanceof UserError) {
            return e.getMessage();
        }
        Throwable t = e;
        // Wrappers (ExecutionException, CompletionException, ...) say less than what they wrap.
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t.getMessage().equals(t.getCause().toString()))) {
            t = t.getCause();
        }
        if (t instanceof UserError) {
            return t.getMessage();
        }
        String message = t.getMessage() == null ? "" : t.getMessage().lines().findFirst().orElse("");
        return "unexpected error: " + t.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }

    static boolean debug() {
        String level = System.getProperty("ingest.log.level", System.getenv("INGEST_LOG_LEVEL"));
        return level != null && (level.toUpperCase(Locale.ROOT).equals("DEBUG") || level.toUpperCase(Locale.ROOT).equals("TRACE"));
    }
}

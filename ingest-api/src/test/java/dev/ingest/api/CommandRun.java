package dev.ingest.api;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import dev.ingest.api.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the command line in this JVM, with what it printed on standard output and standard
 * error. Its log lines are on standard error, as in production (logback.xml): the tests' own
 * configuration logs to target/tests.log, so a console appender on {@code System.err} is attached
 * for the length of the run (it writes to whatever {@code System.err} is at the time: the capture).
 */
record CommandRun(int exit, String out, String err) {
    private static final Logger log = LoggerFactory.getLogger(CommandRun.class);

    static synchronized CommandRun of(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        ConsoleAppender<ILoggingEvent> logs = stderrLogs(context);
        root.addAppender(logs);
        int exit;
        try {
            exit = Main.execute(args);
        } finally {
            root.detachAppender(logs);
            logs.stop();
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        CommandRun run = new CommandRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        log.info("ingest {} -> exit {}\n--- stdout:\n{}--- stderr:\n{}", String.join(" ", args), exit, run.out, run.err);
        return run;
    }

    /** An appender of log lines on {@code System.err}, where the service's logback.xml has them. */
    private static ConsoleAppender<ILoggingEvent> stderrLogs(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        return console;
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

    /** Whether any Java stack frame was printed. */
    boolean stackTrace() {
        return err.contains("\tat ") || out.contains("\tat ") || err.contains("Exception:") && err.contains("Caused by");
    }
}

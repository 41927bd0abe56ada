package dev.ingest.api.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The records a load's service refused, one JSON object per line: {@code run} and
 * {@code run_started} (which run of {@code ingest load} wrote it), {@code input}, {@code line},
 * {@code sqlstate}, {@code message} and {@code record} (the original line or CSV row, as text).
 *
 * <p>The file is only ever appended to, never emptied: it is the operator's, and the same
 * command runs again from cron, so an earlier run's rejects must survive a later run. Lines are
 * written whole (a buffer of complete lines per write with {@code O_APPEND}), so that two loads
 * appending to one file do not cut into each other's lines. Thread-safe.
 */
final class RejectsFile implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();
    private static final int FLUSH_CHARS = 64 * 1024;
    private final FileChannel out;
    private final String run;
    private final String runStarted;
    private final StringBuilder buffer = new StringBuilder();

    /** Opens {@code path} for appending (creating it and its directories if needed). */
    RejectsFile(Path path, String run, Instant runStarted) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        this.run = run;
        this.runStarted = runStarted.toString();
    }

    synchronized void write(String input, long line, String sqlstate, String message, String record) throws IOException {
        StringWriter s = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(s)) {
            g.writeStartObject();
            g.writeStringField("run", run);
            g.writeStringField("run_started", runStarted);
            g.writeStringField("input", input);
            g.writeNumberField("line", line);
            g.writeStringField("sqlstate", sqlstate);
            g.writeStringField("message", message);
            g.writeStringField("record", record);
            g.writeEndObject();
        }
        buffer.append(s).append('\n');
        if (buffer.length() >= FLUSH_CHARS) {
            flush();
        }
    }

    synchronized void flush() throws IOException {
        if (buffer.length() == 0) {
            return;
        }
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(buffer.toString());
        buffer.setLength(0);
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            flush();
        } finally {
            out.close();
        }
    }
}

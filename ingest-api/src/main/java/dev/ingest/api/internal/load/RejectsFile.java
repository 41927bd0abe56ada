package dev.ingest.api.internal.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The records a load's service refused, one JSON object per line: {@code input}, {@code line},
 * {@code sqlstate}, {@code message} and {@code record} (the original line or CSV row, as text).
 * Thread-safe.
 */
final class RejectsFile implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();
    private final BufferedWriter out;

    /** Opens {@code path}: appended to when resuming (it holds the earlier run's), else started anew. */
    RejectsFile(Path path, boolean append) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
    }

    synchronized void write(String input, long line, String sqlstate, String message, String record) throws IOException {
        StringWriter s = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(s)) {
            g.writeStartObject();
            g.writeStringField("input", input);
            g.writeNumberField("line", line);
            g.writeStringField("sqlstate", sqlstate);
            g.writeStringField("message", message);
            g.writeStringField("record", record);
            g.writeEndObject();
        }
        out.write(s.toString());
        out.write('\n');
    }

    synchronized void flush() throws IOException {
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}

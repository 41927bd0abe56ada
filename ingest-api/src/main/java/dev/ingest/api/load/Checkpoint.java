package dev.ingest.api.load;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * How far a load of one input into one table has got: everything before {@code offset} is
 * committed. Kept in a small JSON file per (service, table, input), replaced atomically after
 * chunks commit, so an interrupted load can resume where it stopped.
 *
 * @param identity   the input's identity ({@link Source#identity()})
 * @param format     its format
 * @param chunkBytes the chunk size it was cut with (chunks are named by where they start, so a
 *                   resumed load must cut at the same places)
 * @param offset     where the first record not yet committed starts
 * @param line       the line of {@code offset}
 * @param loaded     records committed so far
 * @param rejected   records refused so far
 * @param complete   the whole input is committed
 */
public record Checkpoint(String identity, String format, int chunkBytes, long offset, long line, long loaded, long rejected,
        boolean complete) {
    // Jackson's streaming API, not data binding: binding a record costs a short-lived `ingest load`
    // about 0.15 s of start-up on its main thread. The file is the JSON binding wrote (CheckpointTest).
    private static final JsonFactory JSON = new JsonFactory();

    /** The checkpoint file of a load. */
    public static Path file(Path stateDir, String url, String table, Source source) {
        return stateDir.resolve("load-" + source.digest(url, table) + ".json");
    }

    /** The checkpoint in {@code file}, or null when there is none (or it cannot be read). */
    public static Checkpoint read(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (JsonParser p = JSON.createParser(file.toFile())) {
            return parse(p);
        } catch (IOException e) {
            return null;
        }
    }

    /** One JSON object of these fields, in any order, others skipped; null if anything has another type. */
    private static Checkpoint parse(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String identity = null;
        String format = null;
        long chunkBytes = 0;
        long offset = 0;
        long line = 0;
        long loaded = 0;
        long rejected = 0;
        boolean complete = false;
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            switch (name) {
                case "identity", "format" -> {
                    if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NULL) {
                        return null;
                    }
                    String text = t == JsonToken.VALUE_NULL ? null : p.getText();
                    if (name.equals("identity")) {
                        identity = text;
                    } else {
                        format = text;
                    }
                }
                case "chunkBytes", "offset", "line", "loaded", "rejected" -> {
                    if (t != JsonToken.VALUE_NUMBER_INT) {
                        return null;
                    }
                    long v = p.getLongValue();
                    switch (name) {
                        case "chunkBytes" -> chunkBytes = v;
                        case "offset" -> offset = v;
                        case "line" -> line = v;
                        case "loaded" -> loaded = v;
                        default -> rejected = v;
                    }
                }
                case "complete" -> {
                    if (!t.isBoolean()) {
                        return null;
                    }
                    complete = t == JsonToken.VALUE_TRUE;
                }
                default -> p.skipChildren();
            }
        }
        if (p.nextToken() != null || chunkBytes != (int) chunkBytes) {
            return null;
        }
        return new Checkpoint(identity, format, (int) chunkBytes, offset, line, loaded, rejected, complete);
    }

    /** Replaces {@code file} with this checkpoint: a reader sees the old one or the new one, whole. */
    public void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (JsonGenerator g = JSON.createGenerator(tmp.toFile(), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("identity", identity);
            g.writeStringField("format", format);
            g.writeNumberField("chunkBytes", chunkBytes);
            g.writeNumberField("offset", offset);
            g.writeNumberField("line", line);
            g.writeNumberField("loaded", loaded);
            g.writeNumberField("rejected", rejected);
            g.writeBooleanField("complete", complete);
            g.writeEndObject();
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

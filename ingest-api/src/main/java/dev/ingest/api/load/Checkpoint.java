package dev.ingest.api.load;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
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
            return null; // unreadable, or not a checkpoint (a value of another type)
        }
    }

    /** One JSON object of these fields, in any order, others skipped; null if anything has another type. */
    private static Checkpoint parse(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String identity = null;
        String format = null;
        int chunkBytes = 0;
        long offset = 0;
        long line = 0;
        long loaded = 0;
        long rejected = 0;
        boolean complete = false;
        String name;
        while ((name = p.nextFieldName()) != null) {
            p.nextToken();
            switch (name) {
                case "identity" -> identity = text(p);
                case "format" -> format = text(p);
                case "chunkBytes" -> chunkBytes = int32(p);
                case "offset" -> offset = integer(p);
                case "line" -> line = integer(p);
                case "loaded" -> loaded = integer(p);
                case "rejected" -> rejected = integer(p);
                case "complete" -> complete = bool(p);
                default -> p.skipChildren();
            }
        }
        return p.nextToken() == null ? new Checkpoint(identity, format, chunkBytes, offset, line, loaded, rejected, complete) : null;
    }

    // The current value as the field's type; anything else is no checkpoint (read() answers null).
    private static String text(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_STRING -> p.getText();
            case VALUE_NULL -> null;
            default -> throw new JsonParseException(p, "not a string");
        };
    }

    private static long integer(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new JsonParseException(p, "not an integer");
        }
        return p.getLongValue();
    }

    private static int int32(JsonParser p) throws IOException {
        long v = integer(p);
        if (v != (int) v) {
            throw new JsonParseException(p, "not a 32-bit integer");
        }
        return (int) v;
    }

    private static boolean bool(JsonParser p) throws IOException {
        if (!p.currentToken().isBoolean()) {
            throw new JsonParseException(p, "not a boolean");
        }
        return p.currentToken() == JsonToken.VALUE_TRUE;
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

package dev.ingest.api.load;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The checkpoint file of a load. */
    public static Path file(Path stateDir, String url, String table, Source source) {
        return stateDir.resolve("load-" + source.digest(url, table) + ".json");
    }

    /** The checkpoint in {@code file}, or null when there is none (or it cannot be read). */
    public static Checkpoint read(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readValue(file.toFile(), Checkpoint.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** Replaces {@code file} with this checkpoint: a reader sees the old one or the new one, whole. */
    public void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

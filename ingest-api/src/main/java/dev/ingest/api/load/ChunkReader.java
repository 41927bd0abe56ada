package dev.ingest.api.load;

import java.io.IOException;

/** Cuts an input into {@link Chunk}s of whole records, in order. Not thread-safe. */
public interface ChunkReader {
    /** The next chunk, or null at the end of the input. */
    Chunk next() throws IOException;

    /** The input is not what its format says, beyond a bad record (e.g. a JSON file that does not parse). */
    final class MalformedInputException extends IOException {
        public MalformedInputException(String message) {
            super(message);
        }
    }
}

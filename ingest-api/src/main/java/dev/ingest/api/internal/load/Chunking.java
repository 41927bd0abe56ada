package dev.ingest.api.internal.load;

import java.io.IOException;
import java.io.InputStream;

/** Chunk readers for whole inputs, for callers outside this package (scheduled imports). */
public final class Chunking {
    private Chunking() {
    }

    /**
     * A reader of {@code in} (already decompressed) from its start, in chunks of about
     * {@code chunkBytes} and at most {@link Loader#MAX_CHUNK_RECORDS} records.
     */
    public static ChunkReader reader(InputStream in, Format format, int chunkBytes) throws IOException {
        return switch (format) {
            case JSON -> new JsonChunkReader(in, 0, chunkBytes);
            case NDJSON -> new LineChunkReader(in, null, 0, 1, chunkBytes, Loader.MAX_RECORD_BYTES);
            case CSV -> {
                LineChunkReader.Header header = LineChunkReader.readHeader(in, Loader.MAX_RECORD_BYTES);
                if (header == null) {
                    throw new ChunkReader.MalformedInputException("empty CSV: expected a header row");
                }
                yield new LineChunkReader(header.rest(), header.row(), header.offset(), header.line(), chunkBytes,
                        Loader.MAX_RECORD_BYTES);
            }
        };
    }
}

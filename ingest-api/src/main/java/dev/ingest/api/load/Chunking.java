package dev.ingest.api.load;

import dev.ingest.api.formats.Format;
import dev.ingest.api.formats.FramedInput;
import dev.ingest.api.formats.RecordFramer;
import dev.ingest.api.formats.StreamDecoder;
import java.io.IOException;
import java.io.InputStream;

/** Opens chunk readers on inputs, from their start or from a checkpoint, for the loader and for scheduled imports. */
public final class Chunking {
    private Chunking() {
    }

    /**
     * A reader and where its first record starts in the input.
     *
     * @param offset where the first record of the input (after a CSV header), or of the resumed part, starts
     * @param line   the line it is on
     */
    public record Opened(ChunkReader reader, long offset, long line) {
    }

    /**
     * Opens {@code in} (already decompressed) in chunks of about {@code chunkBytes} and at most
     * {@code maxRecords} records, going on at {@code fromOffset} / {@code fromLine} (0 / 1 for the
     * whole input), with {@code tap} seeing each record as it is framed. A CSV header is read first
     * whatever the position, since every chunk carries it.
     */
    public static Opened open(InputStream in, Format format, int chunkBytes, int maxRecords, long fromOffset, long fromLine,
            RecordTap tap) throws IOException {
        int max = StreamDecoder.MAX_RECORD_BYTES;
        return switch (format) {
            case JSON -> new Opened(new JsonChunkReader(in, fromOffset, chunkBytes, maxRecords, tap), fromOffset, fromLine);
            case NDJSON -> {
                skip(in, fromOffset);
                FramedInput input = new FramedInput(format.framer(), fromOffset, fromLine);
                yield new Opened(new LineChunkReader(in, input, null, chunkBytes, maxRecords, max, tap), fromOffset, fromLine);
            }
            case CSV -> {
                RecordFramer framer = format.framer();
                LineChunkReader.Header header = LineChunkReader.readHeader(in, framer, max, tap);
                if (header == null) {
                    throw new ChunkReader.MalformedInputException("empty CSV: expected a header row");
                }
                long from = header.offset();
                long line = header.line();
                if (fromOffset > from) {
                    skip(header.rest(), fromOffset - from);
                    from = fromOffset;
                    line = fromLine;
                }
                FramedInput input = new FramedInput(framer, from, line);
                yield new Opened(new LineChunkReader(header.rest(), input, header.row(), chunkBytes, maxRecords,
                        max, tap), from, line);
            }
        };
    }

    private static void skip(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new ChunkReader.MalformedInputException("the input is shorter than its checkpoint: has it changed?");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }
}

package dev.ingest.api.load;

import dev.ingest.api.formats.FramedInput;
import dev.ingest.api.formats.RecordFramer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;

/**
 * Chunks of NDJSON lines or CSV rows, cut at the record boundaries the format's framer finds (the
 * service's own, so a chunk never splits a record the service would see whole), without decoding
 * a record. CSV chunks each start with the file's header row and hold the file's records byte for
 * byte (a blank line is a record, as in COPY). NDJSON blank lines are left out (the service skips
 * them too), so the n-th line of a chunk is its record n, as the service counts.
 */
final class LineChunkReader implements ChunkReader {
    private final InputStream in;
    private final FramedInput input;
    private final int chunkBytes;
    private final int maxRecords;
    private final int maxRecordBytes;
    private final byte[] header;
    private final RecordTap tap;

    /**
     * @param in         positioned where {@code input} starts; for CSV, just after the header row
     * @param input      frames {@code in}; for CSV with the framer that framed the header, which
     *                   fixed the file's line end for the records after it, as in COPY
     * @param header     the CSV header row (with its line break), or null for NDJSON
     * @param chunkBytes the size a chunk grows to before it is cut (a longer single record makes a longer chunk)
     * @param maxRecords the most records a chunk holds, whatever its size
     * @param tap        sees each record as it is framed
     */
    LineChunkReader(InputStream in, FramedInput input, byte[] header, int chunkBytes, int maxRecords, int maxRecordBytes,
            RecordTap tap) {
        this.in = in;
        this.tap = tap;
        this.input = input;
        this.header = header;
        this.chunkBytes = chunkBytes;
        this.maxRecords = maxRecords;
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * Reads a CSV file's header row: its first record, without a byte-order mark.
     *
     * @param framer a new framer for the file, which the records after the header are framed with
     * @param tap    sees the header
     * @return the header and the input position after it, or null for an empty input
     */
    static Header readHeader(InputStream in, RecordFramer framer, int maxRecordBytes, RecordTap tap) throws IOException {
        FramedInput head = new FramedInput(framer, 0, 1);
        if (!pull(head, in, maxRecordBytes)) {
            return null;
        }
        tap.framed(head);
        byte[] h = Arrays.copyOfRange(head.bytes(), head.contentStart(), head.end());
        if (h[h.length - 1] != '\n' && h[h.length - 1] != '\r') {
            h = Arrays.copyOf(h, h.length + 1); // a file of a header alone, without a line end
            h[h.length - 1] = '\n';
        }
        // The header was read ahead of: give the bytes after it back, in front of the rest.
        InputStream rest = new SequenceInputStream(new ByteArrayInputStream(head.unframed()), in);
        return new Header(h, head.nextOffset(), head.nextLine(), rest);
    }

    /** A CSV header row, and the input after it. */
    record Header(byte[] row, long offset, long line, InputStream rest) {
    }

    /**
     * Frames the next record of {@code input}, reading {@code in} as needed; false at the end.
     *
     * @throws MalformedInputException for a record longer than {@code maxRecordBytes}
     */
    private static boolean pull(FramedInput input, InputStream in, int maxRecordBytes) throws IOException {
        boolean framed = input.next(false);
        while (!framed) {
            if (input.pending() > maxRecordBytes) {
                throw tooLong(input.nextLine(), maxRecordBytes);
            }
            if (input.readFrom(in) < 0) {
                framed = input.next(true);
                break;
            }
            framed = input.next(false);
        }
        if (framed && input.end() - input.start() > maxRecordBytes) {
            throw tooLong(input.line(), maxRecordBytes);
        }
        return framed;
    }

    private static MalformedInputException tooLong(long line, int maxRecordBytes) {
        return new MalformedInputException("line " + line + ": a record is longer than " + maxRecordBytes + " bytes");
    }

    @Override
    public Chunk next() throws IOException {
        Bytes out = new Bytes(chunkBytes + (header == null ? 0 : header.length) + 1024);
        if (header != null) {
            out.write(header, 0, header.length);
        }
        int[] starts = new int[64];
        int[] lines = new int[64];
        int n = 0;
        long offset = -1;
        long firstLine = 0;
        while ((out.size() < chunkBytes && n < maxRecords) || n == 0) {
            if (!pull(input, in, maxRecordBytes)) {
                break;
            }
            tap.framed(input);
            byte[] b = input.bytes();
            int from = input.start();
            int to = input.end();
            if (n == 0) {
                offset = input.offset();
                firstLine = input.line();
            }
            if (n + 1 >= starts.length) {
                starts = Arrays.copyOf(starts, starts.length * 2);
                lines = Arrays.copyOf(lines, lines.length * 2);
            }
            starts[n] = out.size();
            lines[n] = (int) (input.line() - firstLine);
            n++;
            out.write(b, from, to - from);
            if (header == null && b[to - 1] != '\n') {
                out.write('\n'); // the last record of a file without a final line break
            }
        }
        if (n == 0) {
            return null;
        }
        starts[n] = out.size();
        return new Chunk(offset, input.nextOffset(), firstLine, input.nextLine(), out.toArray(),
                Arrays.copyOf(starts, n + 1), Arrays.copyOf(lines, n));
    }

    /** A growable byte array. */
    static final class Bytes {
        private byte[] buf;
        private int size;

        Bytes(int capacity) {
            buf = new byte[capacity];
        }

        void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        void write(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        int size() {
            return size;
        }

        /** The bytes written, at {@code [0, size())}; valid until the next write. */
        byte[] buffer() {
            return buf;
        }

        byte[] toArray() {
            return size == buf.length ? buf : Arrays.copyOf(buf, size);
        }
    }
}

package dev.ingest.api.load;

import dev.ingest.api.formats.CsvGrammar;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Chunks of NDJSON lines or CSV rows, cut at record boundaries without decoding a record. CSV
 * chunks each start with the file's header row and hold the file's records byte for byte, framed
 * by {@link CsvGrammar} as the service frames them (a blank line is a record, as in COPY). NDJSON
 * blank lines are left out (the service skips them too), so the n-th line of a chunk is its
 * record n, as the service counts.
 */
final class LineChunkReader implements ChunkReader {
    private final RecordScanner scanner;
    private final boolean csv;
    private final int chunkBytes;
    private final byte[] header;

    /**
     * @param in         positioned at {@code offset}; for CSV, just after the header row
     * @param header     the CSV header row (with its line break), or null for NDJSON
     * @param offset     where in the input {@code in} is positioned
     * @param line       the line number there
     * @param chunkBytes the size a chunk grows to before it is cut (a longer single record makes a longer chunk)
     */
    LineChunkReader(InputStream in, byte[] header, long offset, long line, int chunkBytes, int maxRecordBytes) {
        this.csv = header != null;
        this.header = header;
        CsvGrammar grammar = null;
        if (csv) {
            // The header fixes the file's line end for the records after it, as in COPY.
            grammar = new CsvGrammar();
            grammar.frame(header, 0, header.length, true);
        }
        this.scanner = new RecordScanner(in, grammar, maxRecordBytes, offset, line);
        this.chunkBytes = chunkBytes;
    }

    /**
     * Reads a CSV file's header row: its first record, without a byte-order mark.
     *
     * @return the header and the input position after it, or null for an empty input
     */
    static Header readHeader(InputStream in, int maxRecordBytes) throws IOException {
        CsvGrammar grammar = new CsvGrammar();
        RecordScanner s = new RecordScanner(in, grammar, maxRecordBytes, 0, 1);
        if (!s.next()) {
            return null;
        }
        byte[] h = Arrays.copyOfRange(s.buffer(), grammar.contentStart(), s.end());
        if (h[h.length - 1] != '\n' && h[h.length - 1] != '\r') {
            h = Arrays.copyOf(h, h.length + 1); // a file of a header alone, without a line end
            h[h.length - 1] = '\n';
        }
        // The scanner read ahead: give the bytes after the header back, in front of the rest.
        byte[] rest = Arrays.copyOfRange(s.buffer(), s.end(), s.bufferedLength());
        return new Header(h, s.offset(), s.line(), new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(rest), in));
    }

    /** A CSV header row, and the input after it. */
    record Header(byte[] row, long offset, long line, InputStream rest) {
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
        while ((out.size() < chunkBytes && n < Loader.MAX_CHUNK_RECORDS) || n == 0) {
            if (!scanner.next()) {
                break;
            }
            byte[] b = scanner.buffer();
            int from = scanner.start();
            int to = scanner.end();
            if (!csv && blank(b, from, to)) {
                continue;
            }
            if (n == 0) {
                offset = scanner.recordOffset();
                firstLine = scanner.recordLine();
            }
            if (n + 1 >= starts.length) {
                starts = Arrays.copyOf(starts, starts.length * 2);
                lines = Arrays.copyOf(lines, lines.length * 2);
            }
            starts[n] = out.size();
            lines[n] = (int) (scanner.recordLine() - firstLine);
            n++;
            out.write(b, from, to - from);
            if (!csv && b[to - 1] != '\n') {
                out.write('\n'); // the last record of a file without a final line break
            }
        }
        if (n == 0) {
            return null;
        }
        starts[n] = out.size();
        return new Chunk(offset, scanner.offset(), firstLine, scanner.line(), out.toArray(),
                Arrays.copyOf(starts, n + 1), Arrays.copyOf(lines, n));
    }

    private static boolean blank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                return false;
            }
        }
        return true;
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

        byte[] toArray() {
            return size == buf.length ? buf : Arrays.copyOf(buf, size);
        }
    }
}

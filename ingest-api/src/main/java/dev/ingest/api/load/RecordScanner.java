package dev.ingest.api.load;

import dev.ingest.api.formats.CsvGrammar;
import java.io.IOException;
import java.io.InputStream;

/**
 * Finds record boundaries in a line-based input without decoding it: for NDJSON a record ends at
 * a line feed; for CSV where {@link CsvGrammar} (the service's own grammar, PostgreSQL's COPY CSV)
 * ends it. After {@link #next()} the record is {@code buffer()[start(), end())}, its line break
 * included.
 */
final class RecordScanner {
    private final InputStream in;
    private final CsvGrammar csv; // null for NDJSON
    private final int maxRecordBytes;
    private byte[] buf = new byte[1 << 16];
    private int len;
    private int start;
    private int end;
    private boolean eof;
    private long offset; // of buf[end]: where the next record starts
    private long line;   // the line of buf[end]
    private long recordOffset;
    private long recordLine;

    /**
     * @param offset where in the input {@code in} is positioned
     * @param line   the line number there
     */
    RecordScanner(InputStream in, CsvGrammar csv, int maxRecordBytes, long offset, long line) {
        this.in = in;
        this.csv = csv;
        this.maxRecordBytes = maxRecordBytes;
        this.offset = offset;
        this.line = line;
    }

    /** Moves to the next record; false at the end of the input. */
    boolean next() throws IOException {
        int from = end;
        int i = from;
        long newlines = 0;
        while (true) {
            if (csv != null) {
                CsvGrammar.Framing f = csv.frame(buf, from, len, eof);
                if (f == CsvGrammar.Framing.END) {
                    return false;
                }
                if (f == CsvGrammar.Framing.RECORD) {
                    i = csv.end();
                    newlines = CsvGrammar.lineBreaks(buf, from, i);
                    break;
                }
                i = len;
            } else if (i < len) {
                if (buf[i++] == '\n') {
                    newlines = 1;
                    break;
                }
                continue;
            } else if (eof) {
                break;
            }
            if (i - from > maxRecordBytes) {
                throw new ChunkReader.MalformedInputException("line " + line + ": a record is longer than "
                        + maxRecordBytes + " bytes");
            }
            int shift = from;
            fill();
            from -= shift;
            i -= shift;
        }
        if (i == from) {
            return false;
        }
        if (i - from > maxRecordBytes) {
            throw new ChunkReader.MalformedInputException("line " + line + ": a record is longer than " + maxRecordBytes + " bytes");
        }
        start = from;
        end = i;
        recordOffset = offset;
        recordLine = line;
        offset += end - start;
        line += newlines;
        return true;
    }

    /** Compacts the buffer (dropping what is before the current record's end) and reads more. */
    private void fill() throws IOException {
        int keep = len - end;
        if (end > 0) {
            System.arraycopy(buf, end, buf, 0, keep);
            start = Math.max(0, start - end);
            end = 0;
            len = keep;
        }
        if (len == buf.length) {
            buf = java.util.Arrays.copyOf(buf, buf.length * 2);
        }
        int n = in.read(buf, len, buf.length - len);
        if (n < 0) {
            eof = true;
        } else {
            len += n;
        }
    }

    byte[] buffer() {
        return buf;
    }

    /** How much of {@link #buffer()} holds input (read ahead past the current record). */
    int bufferedLength() {
        return len;
    }

    int start() {
        return start;
    }

    int end() {
        return end;
    }

    /** Where the current record starts in the input. */
    long recordOffset() {
        return recordOffset;
    }

    /** The line the current record starts on. */
    long recordLine() {
        return recordLine;
    }

    /** Where the input continues after the current record. */
    long offset() {
        return offset;
    }

    /** The line the input continues on. */
    long line() {
        return line;
    }
}

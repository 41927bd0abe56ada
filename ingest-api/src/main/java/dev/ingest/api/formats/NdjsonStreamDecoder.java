package dev.ingest.api.formats;

import dev.ingest.engine.RecordSink;
import dev.ingest.engine.TableSchema;
import java.nio.charset.StandardCharsets;

/**
 * NDJSON, one JSON object per line, decoded line by line as chunks arrive. A line that is not a
 * well-formed object of the table's columns is refused on its own (its index and line number in
 * the rejection); blank lines are skipped.
 */
public final class NdjsonStreamDecoder implements StreamDecoder {
    private final TableSchema table;
    private final LineBuffer buffer;
    private final int maxRecords;
    private long line;
    private boolean sawContent;
    private boolean sawUnknownColumn;

    /**
     * @param maxRecordBytes the longest record (line) accepted
     * @param maxRecords     the most records a body may hold; more is {@link BodyException#tooManyRecords}
     */
    public NdjsonStreamDecoder(TableSchema table, long maxRecordBytes, int maxRecords) {
        this.table = table;
        this.maxRecords = maxRecords;
        this.buffer = new LineBuffer(maxRecordBytes);
    }

    @Override
    public void feed(byte[] chunk, RecordSink into) throws BodyException {
        buffer.append(chunk);
        byte[] b = buffer.bytes();
        int start = 0;
        for (int i = buffer.length() - chunk.length; i < buffer.length(); i++) {
            if (b[i] == '\n') {
                line(b, start, i, into);
                start = i + 1;
            }
        }
        buffer.consume(start);
        buffer.checkRecordSize();
    }

    @Override
    public void end(RecordSink into) throws BodyException {
        if (buffer.length() > 0) {
            line(buffer.bytes(), 0, buffer.length(), into);
            buffer.consume(buffer.length());
        }
    }

    @Override
    public boolean sawContent() {
        return sawContent;
    }

    @Override
    public boolean sawUnknownColumn() {
        return sawUnknownColumn;
    }

    private void line(byte[] b, int from, int to, RecordSink into) throws BodyException {
        line++;
        int end = to;
        while (end > from && isSpace(b[end - 1])) {
            end--;
        }
        int begin = from;
        while (begin < end && isSpace(b[begin])) {
            begin++;
        }
        if (begin == end) {
            return; // blank line
        }
        sawContent = true;
        if (into.nextIndex() >= maxRecords) {
            throw BodyException.tooManyRecords(maxRecords);
        }
        try {
            into.add(JsonRecordDecoder.decodeObject(b, begin, end - begin, table));
        } catch (BodyException e) {
            sawUnknownColumn |= e.columnName() != null;
            into.refuse(e.sqlstate(), "line " + line + (e.column() > 0 ? ", column " + e.column() : "") + ": " + e.detail(),
                    new String(b, begin, end - begin, StandardCharsets.UTF_8));
        }
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }
}

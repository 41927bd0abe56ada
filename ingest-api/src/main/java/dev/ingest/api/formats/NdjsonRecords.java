package dev.ingest.api.formats;

import dev.ingest.engine.RecordSink;
import dev.ingest.engine.TableSchema;
import java.nio.charset.StandardCharsets;

/**
 * NDJSON's records, one JSON object per line ({@link LineFramer} frames them, blank lines left
 * out). A line that is not a well-formed object of the table's columns is refused on its own, its
 * line number (and column, where the parser names one) in the rejection.
 */
final class NdjsonRecords implements RecordDecoder {
    private final TableSchema table;
    private final int maxRecords;
    private boolean sawContent;
    private boolean sawUnknownColumn;

    /** @param maxRecords the most records a body may hold; more is {@link BodyException#tooManyRecords} */
    NdjsonRecords(TableSchema table, int maxRecords) {
        this.table = table;
        this.maxRecords = maxRecords;
    }

    @Override
    public void decode(FramedRecord input, RecordSink into) throws BodyException {
        sawContent = true;
        if (into.nextIndex() >= maxRecords) {
            throw BodyException.tooManyRecords(maxRecords);
        }
        byte[] b = input.bytes();
        int begin = input.contentStart();
        int length = input.contentEnd() - begin;
        try {
            into.add(JsonRecordDecoder.decodeObject(b, begin, length, table));
        } catch (BodyException e) {
            sawUnknownColumn |= e.columnName() != null;
            into.reject(e.sqlstate(), "line " + input.line() + (e.column() > 0 ? ", column " + e.column() : "") + ": " + e.detail(),
                    new String(b, begin, length, StandardCharsets.UTF_8));
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
}

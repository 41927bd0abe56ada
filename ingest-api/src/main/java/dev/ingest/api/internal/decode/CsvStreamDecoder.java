package dev.ingest.api.internal.decode;

import de.siegmar.fastcsv.reader.AbstractBaseCsvCallbackHandler;
import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.FieldMismatchStrategy;
import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.JsonText;
import dev.ingest.engine.TableSchema;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CSV (RFC 4180, comma-separated, header row of column names) decoded as chunks arrive. Fields
 * are split by FastCSV; this class only finds where complete records end, which needs nothing but
 * the quote state, since a quoted field may hold line breaks.
 *
 * <p>As in PostgreSQL's CSV format, an unquoted empty field is NULL and a quoted empty field
 * ({@code ""}) is the empty string. Columns the header leaves out take their DEFAULT. A cell of a
 * json/jsonb column is the JSON document itself; of an array column, an array literal ({@code {1,2}}).
 * A row with a different number of fields than the header, or with invalid UTF-8, is refused on
 * its own. A header naming an unknown, generated or repeated column refuses the whole body.
 */
public final class CsvStreamDecoder implements StreamDecoder {
    private final TableSchema table;
    private final LineBuffer buffer;
    private final int maxRecords;
    private final CsvReader.CsvReaderBuilder reader = CsvReader.builder()
            .skipEmptyLines(true)
            // Rows with a wrong field count come through, to be refused one by one here.
            .extraFieldStrategy(FieldMismatchStrategy.IGNORE)
            .missingFieldStrategy(FieldMismatchStrategy.IGNORE);
    private int[] columnOfField; // null until the header is read
    private boolean inQuotes;
    private int scanned; // bytes of the buffer already scanned for record ends
    private long linesBefore; // line breaks before the buffer's start

    /**
     * @param maxRecordBytes the longest record (line) accepted
     * @param maxRecords     the most records a body may hold; more is {@link BodyException#tooManyRecords}
     */
    public CsvStreamDecoder(TableSchema table, long maxRecordBytes, int maxRecords) {
        this.table = table;
        this.maxRecords = maxRecords;
        this.buffer = new LineBuffer(maxRecordBytes);
    }

    @Override
    public void feed(byte[] chunk, IngestRequest.Builder into) throws BodyException {
        buffer.append(chunk);
        byte[] b = buffer.bytes();
        int end = -1;
        for (int i = scanned; i < buffer.length(); i++) {
            if (b[i] == '"') {
                inQuotes = !inQuotes; // a doubled quote inside a field toggles twice
            } else if (b[i] == '\n' && !inQuotes) {
                end = i + 1;
            }
        }
        scanned = buffer.length();
        if (end > 0) {
            decode(b, end, into);
            buffer.consume(end);
            scanned -= end;
        }
        buffer.checkRecordSize();
    }

    @Override
    public void end(IngestRequest.Builder into) throws BodyException {
        if (buffer.length() > 0) {
            decode(buffer.bytes(), buffer.length(), into);
            buffer.consume(buffer.length());
            scanned = 0;
        }
    }

    @Override
    public boolean sawContent() {
        return columnOfField != null;
    }

    /** Unknown header columns refuse the whole body instead (a {@link BodyException}). */
    @Override
    public boolean sawUnknownColumn() {
        return false;
    }

    private void decode(byte[] b, int length, IngestRequest.Builder into) throws BodyException {
        String text;
        boolean utf8 = true;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, 0, length)).toString();
        } catch (CharacterCodingException e) {
            // Rare: decode leniently and refuse the rows that hold a replacement character.
            text = new String(b, 0, length, StandardCharsets.UTF_8);
            utf8 = false;
        }
        RowHandler rows = new RowHandler();
        try {
            for (Row row : reader.build(rows, text)) {
                long line = linesBefore + row.line;
                if (columnOfField == null) {
                    header(row.fields);
                } else if (into.nextIndex() >= maxRecords) {
                    throw BodyException.tooManyRecords(maxRecords);
                } else if (!utf8 && row.fields.stream().anyMatch(f -> f != null && f.indexOf('\uFFFD') >= 0)) {
                    into.refuse("22021", "line " + line + ": invalid UTF-8", row.fields);
                } else if (row.fields.size() != columnOfField.length) {
                    into.refuse("22P04", "line " + line + ": " + row.fields.size() + " fields, but the header has "
                            + columnOfField.length, row.fields);
                } else {
                    into.add(values(row.fields));
                }
            }
        } catch (CsvParseException e) {
            throw BodyException.malformed("malformed CSV: " + e.getMessage(), -1, -1);
        }
        for (int i = 0; i < length; i++) {
            if (b[i] == '\n') {
                linesBefore++;
            }
        }
    }

    private void header(List<String> names) throws BodyException {
        int[] columns = new int[names.size()];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i) == null ? "" : names.get(i);
            int column = table.indexOf(name);
            if (column < 0) {
                throw BodyException.unknownColumn(table.name(), name, 1);
            }
            if (!table.column(column).writable()) {
                throw BodyException.notWritable(table.name(), name, 1);
            }
            if (!seen.add(name)) {
                throw BodyException.duplicateColumn(name);
            }
            columns[i] = column;
        }
        columnOfField = columns;
    }

    private Object[] values(List<String> fields) {
        Object[] values = new Object[table.columns().size()];
        Arrays.fill(values, IngestRequest.ABSENT);
        for (int i = 0; i < columnOfField.length; i++) {
            int column = columnOfField[i];
            String field = fields.get(i);
            values[column] = field != null && table.column(column).kind() == ColumnKind.JSON ? new JsonText(field) : field;
        }
        return values;
    }

    /** One CSV record: its fields (null for an unquoted empty field) and its line in the chunk. */
    private record Row(long line, List<String> fields) {
    }

    /** Collects fields, keeping FastCSV's knowledge of whether an empty field was quoted. */
    private static final class RowHandler extends AbstractBaseCsvCallbackHandler<Row> {
        private List<String> fields = new ArrayList<>();

        @Override
        protected void handleBegin(long startingLineNumber) {
            fields = new ArrayList<>();
        }

        @Override
        protected void handleField(int fieldIdx, char[] buf, int offset, int len, boolean quoted) {
            fields.add(len == 0 && !quoted ? null : new String(buf, offset, len));
        }

        @Override
        protected Row buildRecord() {
            return new Row(getStartingLineNumber(), fields);
        }
    }
}

package dev.ingest.api.formats;

import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.JsonText;
import dev.ingest.engine.RecordSink;
import dev.ingest.engine.TableSchema;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CSV's records: a header row of column names, then one record per row, framed and split by
 * {@link CsvGrammar}, that is as PostgreSQL's {@code COPY ... FROM STDIN (FORMAT csv, HEADER true)}
 * reads them (a byte-order mark at the start is skipped).
 *
 * <p>An unquoted empty field is NULL and a quoted empty field ({@code ""}) is the empty string.
 * Columns the header leaves out take their DEFAULT. A cell of a json/jsonb column is the JSON
 * document itself; of an array column, an array literal ({@code {1,2}}). A record COPY would
 * refuse (a field count other than the header's, an unquoted line end of another kind, a quote
 * left open at the end of the body, invalid UTF-8) is refused on its own with COPY's SQLSTATE and
 * its line. A header naming an unknown, generated or repeated column refuses the whole body.
 */
final class CsvRecords implements RecordDecoder {
    /** Where in the body the decoder is. */
    private enum State { HEADER, RECORDS }

    private final TableSchema table;
    private final int maxRecords;
    private State state = State.HEADER;
    private int[] columnOfField; // set by the header

    /** @param maxRecords the most records a body may hold; more is {@link BodyException#tooManyRecords} */
    CsvRecords(TableSchema table, int maxRecords) {
        this.table = table;
        this.maxRecords = maxRecords;
    }

    @Override
    public void decode(FramedRecord record, RecordSink into) throws BodyException {
        record(CsvGrammar.row(record), record.line(), into);
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

    private void record(CsvGrammar.Row row, long line, RecordSink into) throws BodyException {
        List<String> fields = row.fields();
        if (state == State.HEADER) {
            if (row.rejected()) {
                throw BodyException.malformed("the CSV header row is malformed: " + row.message(), 1, -1);
            }
            header(fields);
            state = State.RECORDS;
        } else if (into.nextIndex() >= maxRecords) {
            throw BodyException.tooManyRecords(maxRecords);
        } else if (row.rejected()) {
            into.reject(row.sqlstate(), "line " + line + ": " + row.message(), fields);
        } else if (fields.size() < columnOfField.length) {
            into.reject(CsvGrammar.BAD_COPY_FILE_FORMAT, "line " + line + ": missing data for column \""
                    + table.column(columnOfField[fields.size()]).name() + "\"" + counts(fields.size()), fields);
        } else if (fields.size() > columnOfField.length) {
            into.reject(CsvGrammar.BAD_COPY_FILE_FORMAT, "line " + line + ": extra data after last expected column"
                    + counts(fields.size()), fields);
        } else {
            into.add(values(fields));
        }
    }

    private String counts(int fields) {
        return " (the row has " + fields + (fields == 1 ? " field" : " fields") + ", the header " + columnOfField.length + ")";
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
        Arrays.fill(values, RecordSink.ABSENT);
        for (int i = 0; i < columnOfField.length; i++) {
            int column = columnOfField[i];
            String field = fields.get(i);
            values[column] = field != null && table.column(column).kind() == ColumnKind.JSON ? new JsonText(field) : field;
        }
        return values;
    }
}

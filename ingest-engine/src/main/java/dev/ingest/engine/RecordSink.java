package dev.ingest.engine;

/**
 * Where a decoder puts the records of a body, one by one and in body order: each record is either
 * added with its values or refused with the SQLSTATE that names its problem, so that a bad record
 * never affects its neighbours. The decoder knows the format; the sink knows the table's types,
 * the record indexes and the memory the records take.
 */
public interface RecordSink {
    /** Marks a column that a record does not mention: the column takes its DEFAULT. */
    Object ABSENT = new Object() {
        @Override
        public String toString() {
            return "ABSENT";
        }
    };

    /**
     * Adds the next record of the body.
     *
     * @param values one value per table column, in column order, with {@link #ABSENT}
     *               for columns the record does not mention; the array is not retained
     */
    RecordSink add(Object[] values);

    /**
     * Counts the next record of the body as refused before conversion (a malformed line, a row
     * with the wrong number of fields).
     *
     * @param raw what was received, kept for the dead-letter table: the text of a malformed line,
     *            or the fields of a CSV row as a list of strings; null when there is nothing to keep
     */
    RecordSink reject(String sqlstate, String message, Object raw);

    /** The 0-based body index the next record will have. */
    int nextIndex();
}

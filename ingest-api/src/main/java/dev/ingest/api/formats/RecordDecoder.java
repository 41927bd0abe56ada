package dev.ingest.api.formats;

import dev.ingest.engine.RecordSink;

/**
 * Turns the records of one format, as its framer framed them, into records of a table: added to
 * the sink, or refused there on their own with SQLSTATE and line. Knows nothing of where a record
 * ends. Holds what the input's earlier records set (a CSV header): one per input, fed its records
 * in order, the header first. The service's stream decoders and scheduled imports decode with it.
 */
public interface RecordDecoder {
    /**
     * Decodes one record.
     *
     * @throws BodyException when the body as a whole is unusable (a CSV header naming an unknown
     *                       column, more records than allowed)
     */
    void decode(FramedRecord record, RecordSink into) throws BodyException;

    /** True once the input has yielded at least one record or header. */
    boolean sawContent();

    /** True when a record was refused for naming a column the table does not have. */
    boolean sawUnknownColumn();
}

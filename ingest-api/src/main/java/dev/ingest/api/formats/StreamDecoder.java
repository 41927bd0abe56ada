package dev.ingest.api.formats;

import dev.ingest.engine.RecordSink;

/**
 * Decodes a body that arrives in chunks. Each call adds the complete records of the bytes seen so
 * far to the builder (a bad record is added as a refusal, so its neighbours are unaffected) and
 * keeps the incomplete tail for the next call. Not thread-safe: one per request, on its event loop.
 */
public interface StreamDecoder {
    /** The longest record (line) of a streamed body the service takes; also the limit of the loaders that feed it. */
    int MAX_RECORD_BYTES = 16 * 1024 * 1024;

    /**
     * Decodes the complete records in what has arrived, including {@code chunk}.
     *
     * @throws BodyException when the body as a whole is unusable (a CSV header naming an unknown
     *                       column, a record longer than the limit)
     */
    void feed(byte[] chunk, RecordSink into) throws BodyException;

    /** Decodes the last record (which needs no line end) at the end of the body. */
    void end(RecordSink into) throws BodyException;

    /** True once the body has yielded at least one record or header. */
    boolean sawContent();

    /** True when a record was refused for naming a column the table does not have. */
    boolean sawUnknownColumn();
}

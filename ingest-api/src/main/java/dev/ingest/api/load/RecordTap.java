package dev.ingest.api.load;

import dev.ingest.api.formats.FramedRecord;
import java.io.IOException;

/**
 * Sees each record of an input as a chunk reader frames it, the CSV header included, before the
 * chunk holding it is returned: scheduled imports decode the records there, so that a file is
 * framed once. The loader sends chunks as they are and taps nothing ({@link #NONE}).
 */
public interface RecordTap {
    /** Taps nothing. */
    RecordTap NONE = record -> { };

    /**
     * @throws ChunkReader.MalformedInputException when the record makes the input unusable (a CSV
     *                                             header naming an unknown column)
     */
    void framed(FramedRecord record) throws IOException;
}

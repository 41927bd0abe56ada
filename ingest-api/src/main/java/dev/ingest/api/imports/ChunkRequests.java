package dev.ingest.api.imports;

import dev.ingest.api.formats.BodyException;
import dev.ingest.api.formats.FramedRecord;
import dev.ingest.api.formats.RecordDecoder;
import dev.ingest.api.load.ChunkReader;
import dev.ingest.api.load.RecordTap;
import dev.ingest.engine.RequestBuilder;
import java.util.function.Supplier;

/**
 * The requests of one imported file, one a chunk: each record is decoded as the chunker frames it
 * (so a file is framed once), into the request of the chunk being cut, at its line in the file.
 * Indexes count from 0 in each request, as in a POST of the chunk. Not thread-safe: one per file.
 */
final class ChunkRequests implements RecordTap {
    private final RecordDecoder records;
    private final Supplier<RequestBuilder> builders;
    private RequestBuilder current;

    /** @param builders a new, empty request for each chunk */
    ChunkRequests(RecordDecoder records, Supplier<RequestBuilder> builders) {
        this.records = records;
        this.builders = builders;
        this.current = builders.get();
    }

    /** A file whose records the service cannot take at all (a CSV header naming an unknown column) fails its import. */
    @Override
    public void framed(FramedRecord record) throws ChunkReader.MalformedInputException {
        try {
            records.decode(record, current);
        } catch (BodyException e) {
            throw new ChunkReader.MalformedInputException(e.getMessage());
        }
    }

    /** The request of the chunk just cut; the records framed from now on go to the next one. */
    RequestBuilder take() {
        RequestBuilder done = current;
        current = builders.get();
        return done;
    }
}

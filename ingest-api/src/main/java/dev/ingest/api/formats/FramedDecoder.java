package dev.ingest.api.formats;

import dev.ingest.engine.RecordSink;

/**
 * A {@link StreamDecoder} made of a format's framing and its record decoding: the chunks of the
 * body go into a {@link FramedInput}, each record it frames to the {@link RecordDecoder}. The
 * incomplete tail waits for the next chunk, bounded by the longest record accepted.
 */
final class FramedDecoder implements StreamDecoder {
    private final FramedInput input;
    private final RecordDecoder records;
    private final long maxRecordBytes;

    FramedDecoder(RecordFramer framer, RecordDecoder records, long maxRecordBytes) {
        this.input = new FramedInput(framer, 0, 1);
        this.records = records;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public void feed(byte[] chunk, RecordSink into) throws BodyException {
        input.append(chunk, 0, chunk.length);
        decode(false, into);
        if (input.pending() > maxRecordBytes) {
            throw BodyException.recordTooLarge(maxRecordBytes);
        }
    }

    @Override
    public void end(RecordSink into) throws BodyException {
        decode(true, into);
    }

    private void decode(boolean eof, RecordSink into) throws BodyException {
        while (input.next(eof)) {
            records.decode(input, into);
        }
    }

    @Override
    public boolean sawContent() {
        return records.sawContent();
    }

    @Override
    public boolean sawUnknownColumn() {
        return records.sawUnknownColumn();
    }
}

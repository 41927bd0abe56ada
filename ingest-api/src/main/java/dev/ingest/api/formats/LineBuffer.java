package dev.ingest.api.formats;

import java.util.Arrays;

/**
 * The bytes of a streamed body that are not yet decoded: the incomplete tail of the previous
 * chunks plus the new chunk. Grows to the largest record seen, bounded by {@code maxRecordBytes}.
 */
final class LineBuffer {
    private final long maxRecordBytes;
    private byte[] bytes = new byte[8192];
    private int length;

    LineBuffer(long maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    void append(byte[] chunk) {
        if (length + chunk.length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + chunk.length));
        }
        System.arraycopy(chunk, 0, bytes, length, chunk.length);
        length += chunk.length;
    }

    /** Fails when the undecoded tail, one incomplete record, has grown past the limit. */
    void checkRecordSize() throws BodyException {
        if (length > maxRecordBytes) {
            throw BodyException.recordTooLarge(maxRecordBytes);
        }
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    /** Drops the first {@code n} bytes (decoded), keeping the rest at the start. */
    void consume(int n) {
        System.arraycopy(bytes, n, bytes, 0, length - n);
        length -= n;
    }
}

package dev.ingest.api.formats;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * An input being cut into records as its bytes arrive: the bytes not yet framed, the format's
 * {@link RecordFramer}, and where each record starts in the input (offset and line). Bytes come in
 * pushed ({@link #append}, a request body's chunks) or pulled ({@link #readFrom}, a file); either
 * way {@link #next} frames the records they complete, so every reader of a format frames it here,
 * with one framer. Blank records ({@link RecordFramer#blank()}) are passed over, their lines
 * counted. The buffer grows to the longest record seen; its callers bound that with
 * {@link #pending()}. Not thread-safe: one per input.
 */
public final class FramedInput implements FramedRecord {
    private final RecordFramer framer;
    /** How much a pull reads at least, so that a file is read in large blocks. */
    private static final int READ_BYTES = 1 << 16;

    private byte[] bytes = new byte[8192];
    private int length;
    private int next;    // where the next record starts in bytes
    private long base;   // the input offset of bytes[0]
    private long line;   // the line of bytes[next]
    private int start;   // the record framed last
    private long recordLine;

    /**
     * @param offset where in the input its first byte given here is
     * @param line   the line number there (1 at the start of the input)
     */
    public FramedInput(RecordFramer framer, long offset, long line) {
        this.framer = framer;
        this.base = offset;
        this.line = line;
    }

    /** Adds bytes that arrived; the records they complete are then framed by {@link #next}. */
    public void append(byte[] chunk, int from, int n) {
        compact();
        ensureRoom(n);
        System.arraycopy(chunk, from, bytes, length, n);
        length += n;
    }

    /** Reads once from {@code in} into the buffer (after dropping framed records); -1 at its end. */
    public int readFrom(InputStream in) throws IOException {
        compact();
        ensureRoom(READ_BYTES);
        int n = in.read(bytes, length, bytes.length - length);
        if (n > 0) {
            length += n;
        }
        return n;
    }

    /**
     * Frames the next record of what has arrived. Afterwards the record is
     * {@code bytes()[start(), end())}, its text {@code [contentStart(), contentEnd())}.
     *
     * @param eof true when no more bytes will arrive: the last record needs no line end
     * @return false when no complete record is left (more bytes are needed, or the input ended)
     */
    public boolean next(boolean eof) {
        while (framer.frame(bytes, next, length, eof) == RecordFramer.Framing.RECORD) {
            start = next;
            recordLine = line;
            next = framer.end();
            line += framer.lineBreaks();
            if (!framer.blank()) {
                return true;
            }
        }
        return false;
    }

    /** Bytes arrived but not yet framed: the part of an incomplete record seen so far, at least. */
    public int pending() {
        return length - next;
    }

    /** The buffer holding the record framed last; valid until more bytes arrive. */
    @Override
    public byte[] bytes() {
        return bytes;
    }

    public int start() {
        return start;
    }

    public int end() {
        return next;
    }

    @Override
    public int contentStart() {
        return framer.contentStart();
    }

    @Override
    public int contentEnd() {
        return framer.contentEnd();
    }

    /** The line the record framed last starts on. */
    @Override
    public long line() {
        return recordLine;
    }

    @Override
    public String problem() {
        return framer.problem();
    }

    /** Where the record framed last starts in the input. */
    public long offset() {
        return base + start;
    }

    /** Where the input continues after the record framed last. */
    public long nextOffset() {
        return base + next;
    }

    /** The line the input continues on. */
    public long nextLine() {
        return line;
    }

    /** The bytes that arrived after the record framed last (read ahead of it). */
    public byte[] unframed() {
        return Arrays.copyOfRange(bytes, next, length);
    }

    /** Drops the framed records, keeping what follows them at the start. */
    private void compact() {
        if (next > 0) {
            System.arraycopy(bytes, next, bytes, 0, length - next);
            length -= next;
            base += next;
            start = 0;
            next = 0;
        }
    }

    private void ensureRoom(int n) {
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
        }
    }
}

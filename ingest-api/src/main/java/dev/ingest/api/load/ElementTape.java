package dev.ingest.api.load;

import dev.ingest.api.formats.Utf8Validator;
import dev.ingest.api.formats.Utf8Validator.Invalid;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A JSON file's bytes as read, kept from a mark on, so that the elements Jackson frames can be cut
 * out byte for byte ({@link #copy}). Jackson reads the same bytes through this stream, except that
 * bytes which are not UTF-8 reach it masked by ASCII: it then frames the element around them
 * instead of decoding them into other characters (an overlong {@code C0 AF} into {@code /}) or
 * stopping at them, while the service, which gets the original bytes, refuses that record with
 * 22021 as it does in a POSTed body (where its EncodingScreen masks them the same way).
 *
 * <p>UTF-8 is judged by the service's own {@link Utf8Validator}, fed as the file arrives, so a
 * character split between two reads is judged whole. Not thread-safe.
 */
final class ElementTape extends InputStream {
    private static final byte MASK = 'x';
    private static final int READ_BYTES = 1 << 16;

    private final InputStream in;
    /** Invalid sequences not yet handed to the parser, as {offset, length} in the input. */
    private final ArrayDeque<long[]> invalid = new ArrayDeque<>();
    private byte[] kept = new byte[2 * READ_BYTES];
    private long base;     // the input offset of kept[0]
    private int length;    // bytes in kept
    private int screened;  // kept[0, screened) is judged; after it, at most a character cut short by a read
    private int handed;    // kept[0, handed) has been read by the parser
    private long mark;     // the first input offset still needed
    private boolean eof;
    private long lastInvalid = -1;
    private String lastInvalidBytes;

    ElementTape(InputStream in) {
        this.in = in;
    }

    /** Bytes before {@code offset} are no longer needed. */
    void release(long offset) {
        mark = Math.max(mark, offset);
    }

    /**
     * Appends input bytes {@code [from, to)}, which must not have been released, to {@code out},
     * with each line feed made a space: outside strings (where JSON allows no raw line feed) it
     * is whitespace between tokens either way, and the element then fits on one NDJSON line.
     */
    void copy(long from, long to, LineChunkReader.Bytes out) {
        int start = (int) (from - base);
        int end = (int) (to - base);
        if (start < 0 || end > length || start > end) {
            throw new IllegalStateException("bytes " + from + ".." + to + " are not kept (kept " + base + ".." + (base + length) + ")");
        }
        int run = start;
        for (int i = start; i < end; i++) {
            if (kept[i] == '\n') {
                out.write(kept, run, i - run);
                out.write(' ');
                run = i + 1;
            }
        }
        out.write(kept, run, end - run);
    }

    /** The last sequence that is not UTF-8 handed to the parser (masked) at or after {@code offset}, as hex bytes; or null. */
    String invalidSince(long offset) {
        return lastInvalid >= offset ? lastInvalidBytes : null;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (handed == screened) {
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, screened - handed);
        System.arraycopy(kept, handed, b, off, n);
        mask(b, off, base + handed, n);
        handed += n;
        return n;
    }

    /** Masks the invalid sequences among the {@code n} bytes of input offset {@code at} copied to {@code b[off..]}. */
    private void mask(byte[] b, int off, long at, int n) {
        long end = at + n;
        while (!invalid.isEmpty() && invalid.peek()[0] < end) {
            long[] s = invalid.peek();
            long from = Math.max(s[0], at);
            long to = Math.min(s[0] + s[1], end);
            Arrays.fill(b, off + (int) (from - at), off + (int) (to - at), MASK);
            if (s[0] + s[1] > end) {
                break; // the rest of it goes with the next read
            }
            invalid.poll();
            lastInvalid = s[0];
            lastInvalidBytes = Utf8Validator.describe(kept, new Invalid((int) Math.max(0, s[0] - base), (int) s[1]), length);
        }
    }

    /** Reads more of the input and judges it; false at its end with nothing more to hand. */
    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        makeRoom();
        int n = in.read(kept, length, kept.length - length);
        if (n < 0) {
            eof = true;
            screen(true);
            return screened > handed;
        }
        length += n;
        screen(false);
        return true;
    }

    /** Drops what is released and handed, or grows, so that a read of {@link #READ_BYTES} fits. */
    private void makeRoom() {
        if (kept.length - length >= READ_BYTES) {
            return;
        }
        int drop = (int) Math.min(mark - base, handed);
        if (drop > 0) {
            System.arraycopy(kept, drop, kept, 0, length - drop);
            base += drop;
            length -= drop;
            screened -= drop;
            handed -= drop;
        }
        if (kept.length - length < READ_BYTES) {
            kept = Arrays.copyOf(kept, Math.max(kept.length * 2, length + READ_BYTES));
        }
    }

    /**
     * Judges {@code kept[screened, length)}; a character cut short at the end waits for the next
     * read, unless the input has ended ({@code end}), where it is invalid.
     */
    private void screen(boolean end) {
        screened = Utf8Validator.screen(kept, screened, length, end, at -> invalid.add(new long[] {base + at.offset(), at.length()}));
    }
}

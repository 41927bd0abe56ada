package dev.ingest.api.formats;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates a request body pushed in pieces as they arrive: {@code gzip} (RFC 1952, members one
 * after another, each checked against its CRC-32 and length) or {@code deflate} (RFC 1950 zlib
 * data, or raw RFC 1951 data as some clients send it). Output is handed on in pieces of at most
 * {@value #PIECE} bytes and inflating stops as soon as the sink says so, so that a small body
 * that inflates to gigabytes costs no more than the sink takes.
 *
 * <p>Why not a library: the JDK's {@code GZIPInputStream} pulls from a blocking stream, and
 * Netty's decoder neither reports a stream cut short nor can be stopped part-way; the deflate
 * work itself is the JDK's {@link Inflater}. Not thread-safe; {@link #close} releases the native
 * memory of the inflater (also when the body is abandoned).
 */
public final class BodyInflater implements AutoCloseable {
    static final int PIECE = 64 * 1024;
    private static final int MAX_HEADER = 64 * 1024;
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    /** The content codings the service decodes besides {@code identity}. */
    public enum Coding {
        GZIP, DEFLATE
    }

    /** Receives inflated bytes; returns false to stop inflating (the body is no longer wanted). */
    public interface Sink {
        boolean accept(byte[] data);
    }

    private enum State {
        /** Reading a gzip member header (or, for deflate, the first two bytes). */
        HEADER,
        /** Inflating deflate data. */
        DATA,
        /** Reading a gzip member's CRC-32 and length. */
        TRAILER,
        /** A gzip member ended; another may follow. */
        MEMBER_END,
        /** The deflate stream ended; nothing may follow. */
        END
    }

    private final Coding coding;
    private final CRC32 crc = new CRC32();
    private final byte[] piece = new byte[PIECE];
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(); // header or trailer bytes
    private Inflater inflater;
    private State state = State.HEADER;
    private long size;
    private boolean sawInput;

    public BodyInflater(Coding coding) {
        this.coding = coding;
    }

    /**
     * The coding a Content-Encoding header names: empty for {@code identity} or no header.
     *
     * @throws IllegalArgumentException for a coding not supported, or more than one
     */
    public static Optional<Coding> parse(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        Coding found = null;
        int codings = 0;
        for (String part : header.split(",")) {
            String c = part.trim().toLowerCase(Locale.ROOT);
            if (c.equals("identity") || c.isEmpty()) {
                continue;
            }
            codings++;
            if (c.equals("gzip") || c.equals("x-gzip")) {
                found = Coding.GZIP;
            } else if (c.equals("deflate")) {
                found = Coding.DEFLATE;
            } else {
                throw new IllegalArgumentException(unsupported(header));
            }
        }
        if (codings > 1) {
            throw new IllegalArgumentException(unsupported(header));
        }
        return Optional.ofNullable(found);
    }

    private static String unsupported(String header) {
        return "Content-Encoding " + header.trim() + " is not supported: send the body as gzip, deflate or identity "
                + "(one coding, not several)";
    }

    /** Inflates {@code input}; returns false when the sink stopped it. */
    public boolean feed(byte[] input, Sink sink) throws BodyException {
        sawInput |= input.length > 0;
        int offset = 0;
        while (offset < input.length) {
            switch (state) {
                case HEADER, TRAILER, MEMBER_END -> {
                    input = frame(input, offset);
                    offset = 0;
                }
                case DATA -> {
                    int consumed = inflate(input, offset, sink);
                    if (consumed < 0) {
                        return false;
                    }
                    offset = consumed;
                }
                case END -> throw BodyException.malformedEncoding("the deflate body has data after its end");
            }
        }
        return true;
    }

    /** Says whether the body ended where its encoding does; throws if it was cut short. */
    public void end() throws BodyException {
        boolean complete = state == State.END || state == State.MEMBER_END || (state == State.HEADER && !sawInput);
        close();
        if (!complete) {
            throw BodyException.truncated("the " + name() + " body ended before its " + name() + " stream did (the body was truncated)");
        }
    }

    @Override
    public void close() {
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
    }

    /**
     * Gathers header or trailer bytes from {@code input} (after {@code offset}); returns the bytes
     * that follow the header or trailer (empty while it is incomplete), to be read next.
     */
    private byte[] frame(byte[] input, int offset) throws BodyException {
        if (state == State.MEMBER_END) {
            state = State.HEADER; // the next member of a concatenated gzip body
        }
        int take = state == State.TRAILER ? Math.min(8 - pending.size(), input.length - offset) : input.length - offset;
        pending.write(input, offset, take);
        byte[] b = pending.toByteArray();
        int used = state == State.TRAILER ? trailer(b) : header(b);
        if (used < 0) {
            if (pending.size() > MAX_HEADER) {
                throw BodyException.malformedEncoding("the gzip header is longer than " + MAX_HEADER + " bytes");
            }
            return Arrays.copyOfRange(input, offset + take, input.length); // wait for more
        }
        pending.reset();
        // What follows: the bytes of b past the header (for deflate, all of them), then the input not taken.
        byte[] rest = new byte[b.length - used + input.length - offset - take];
        System.arraycopy(b, used, rest, 0, b.length - used);
        System.arraycopy(input, offset + take, rest, b.length - used, input.length - offset - take);
        return rest;
    }

    /** Parses a gzip header (or the zlib check of deflate); returns its length, or -1 if incomplete. */
    private int header(byte[] b) throws BodyException {
        if (coding == Coding.DEFLATE) {
            if (b.length < 2) {
                return -1;
            }
            boolean zlib = (b[0] & 0x0f) == 8 && (((b[0] & 0xff) << 8) | (b[1] & 0xff)) % 31 == 0;
            inflater = new Inflater(!zlib);
            state = State.DATA;
            return 0;
        }
        if ((b[0] & 0xff) != 0x1f || (b.length > 1 && (b[1] & 0xff) != 0x8b)) {
            throw BodyException.malformedEncoding("the body is not gzip data although Content-Encoding says gzip");
        }
        if (b.length < 10) {
            return -1;
        }
        if (b[2] != 8 || (b[3] & 0xe0) != 0) {
            throw BodyException.malformedEncoding("the body is not gzip data although Content-Encoding says gzip");
        }
        int flags = b[3];
        int pos = 10;
        if ((flags & FEXTRA) != 0) {
            if (b.length < pos + 2) {
                return -1;
            }
            pos += 2 + ((b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8);
        }
        for (int flag : new int[] {FNAME, FCOMMENT}) {
            if ((flags & flag) != 0) {
                while (pos < b.length && b[pos] != 0) {
                    pos++;
                }
                pos++;
            }
        }
        if ((flags & FHCRC) != 0) {
            pos += 2;
        }
        if (pos > b.length) {
            return -1;
        }
        if (inflater == null) {
            inflater = new Inflater(true);
        } else {
            inflater.reset();
        }
        crc.reset();
        size = 0;
        state = State.DATA;
        return pos;
    }

    private int trailer(byte[] b) throws BodyException {
        if (b.length < 8) {
            return -1;
        }
        long expectedCrc = le32(b, 0);
        long expectedSize = le32(b, 4);
        if (expectedCrc != crc.getValue()) {
            throw BodyException.malformedEncoding("the gzip body's CRC-32 does not match its data (corrupted in transit?)");
        }
        if (expectedSize != (size & 0xffffffffL)) {
            throw BodyException.malformedEncoding("the gzip body's length field does not match its data (corrupted in transit?)");
        }
        state = State.MEMBER_END;
        return 8;
    }

    /** Inflates from {@code offset}; returns the offset after the input it used, or -1 when the sink stopped it. */
    private int inflate(byte[] input, int offset, Sink sink) throws BodyException {
        inflater.setInput(input, offset, input.length - offset);
        try {
            while (true) {
                int n = inflater.inflate(piece);
                if (n > 0) {
                    crc.update(piece, 0, n);
                    size += n;
                    if (!sink.accept(Arrays.copyOf(piece, n))) {
                        close();
                        return -1;
                    }
                }
                if (inflater.finished()) {
                    state = coding == Coding.GZIP ? State.TRAILER : State.END;
                    return input.length - inflater.getRemaining();
                }
                if (inflater.needsDictionary()) {
                    throw BodyException.malformedEncoding("the " + name() + " body needs a preset dictionary, which is not supported");
                }
                if (n == 0 && inflater.needsInput()) {
                    return input.length;
                }
            }
        } catch (DataFormatException e) {
            throw BodyException.malformedEncoding("the " + name() + " body's compressed data is corrupt: " + e.getMessage());
        }
    }

    private String name() {
        return coding == Coding.GZIP ? "gzip" : "deflate";
    }

    private static long le32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }
}

package dev.ingest.api.formats;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Finds byte sequences that are not UTF-8 as PostgreSQL's server encoding defines it: overlong
 * forms, encoded surrogates (so CESU-8 too), code points beyond U+10FFFF, bytes F5..FF, stray
 * continuation bytes and truncated sequences. PostgreSQL refuses such text with 22021; Jackson's
 * parser decodes several of them into other characters, so a body is checked here first.
 *
 * <p>The JDK's UTF-8 decoder in REPORT mode is exactly this strict (Unicode's "well-formed UTF-8",
 * the table {@code Utf8ValidatorTest} pins); ASCII, the common case, is skipped without it.
 * Thread-safe (stateless).
 */
final class Utf8Validator {
    private static final int SCRATCH_CHARS = 1024; // decoded characters are thrown away: a small reused window

    private Utf8Validator() {
    }

    /** One invalid sequence: where it starts and how many bytes of it are not UTF-8. */
    record Invalid(int offset, int length) {
    }

    /** The first invalid sequence in {@code b[from, to)}, or null when all of it is UTF-8. */
    static Invalid firstInvalid(byte[] b, int from, int to) {
        int i = from;
        while (i < to && b[i] >= 0) {
            i++;
        }
        if (i == to) {
            return null;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, i, to - i);
        CharBuffer scratch = CharBuffer.allocate(Math.min(SCRATCH_CHARS, to - i + 1));
        while (true) {
            CoderResult r = decoder.decode(in, scratch, true);
            if (r.isError()) {
                return new Invalid(in.position(), r.length());
            }
            if (r.isUnderflow()) {
                return null;
            }
            scratch.clear(); // overflow: the decoded characters are not needed
        }
    }

    /**
     * The bytes of a sequence as PostgreSQL's message names them ({@code 0xc0 0xaf}): as many as
     * the lead byte announces, at most to {@code to}.
     */
    static String describe(byte[] b, Invalid at, int to) {
        int lead = b[at.offset()] & 0xff;
        int announced = (lead & 0xe0) == 0xc0 ? 2 : (lead & 0xf0) == 0xe0 ? 3 : (lead & 0xf8) == 0xf0 ? 4 : 1;
        int end = Math.min(to, at.offset() + announced);
        StringBuilder s = new StringBuilder(5 * announced);
        for (int i = at.offset(); i < end; i++) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append(String.format("0x%02x", b[i] & 0xff));
        }
        return s.toString();
    }

    /** PostgreSQL's own message for the sequence, as it reports 22021, and what to do. */
    static String message(byte[] b, Invalid at, int to) {
        return "invalid byte sequence for encoding \"UTF8\": " + describe(b, at, to) + "; send the text as UTF-8";
    }
}

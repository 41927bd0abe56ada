package dev.ingest.api.formats;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Finds byte sequences that are not UTF-8 as PostgreSQL's server encoding defines it: overlong
 * forms, encoded surrogates (so CESU-8 too), code points beyond U+10FFFF, bytes F5..FF, stray
 * continuation bytes and truncated sequences. PostgreSQL refuses such text with 22021; Jackson's
 * parser decodes several of them into other characters, so a body is checked here first.
 *
 * <p>The JDK's UTF-8 decoder in REPORT mode is exactly this strict (Unicode's "well-formed UTF-8",
 * the table {@code Utf8ValidatorTest} pins); ASCII, the common case, is skipped without it. The
 * one judge of UTF-8 for every format: JSON bodies and records, CSV records, and JSON files as
 * {@code ingest load} reads them ({@link #screen}, fed as the file arrives). Thread-safe (stateless).
 */
public final class Utf8Validator {
    private static final int SCRATCH_CHARS = 1024; // decoded characters are thrown away: a small reused window

    private Utf8Validator() {
    }

    /** One invalid sequence: where it starts and how many bytes of it are not UTF-8. */
    public record Invalid(int offset, int length) {
    }

    /** The first invalid sequence in {@code b[from, to)}, or null when all of it is UTF-8. */
    static Invalid firstInvalid(byte[] b, int from, int to) {
        if (asciiEnd(b, from, to) == to) {
            return null; // the common case, without allocating
        }
        List<Invalid> found = invalidSequences(b, from, to);
        return found.isEmpty() ? null : found.get(0);
    }

    /** Every invalid sequence in {@code b[from, to)}, in order; an empty list (allocated once) when all is UTF-8. */
    static List<Invalid> invalidSequences(byte[] b, int from, int to) {
        List<Invalid> found = new ArrayList<>(0);
        screen(b, from, to, true, found::add);
        return found.isEmpty() ? List.of() : found;
    }

    /**
     * Judges {@code b[from, to)}, giving each invalid sequence to {@code found}. Unless
     * {@code end} (no byte follows {@code to}), a character cut short at {@code to} is left for
     * the next call, with the bytes after it.
     *
     * @return where judging stopped: {@code to}, or the start of such a character
     */
    public static int screen(byte[] b, int from, int to, boolean end, Consumer<Invalid> found) {
        int i = asciiEnd(b, from, to);
        if (i == to) {
            return to;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, i, to - i);
        CharBuffer scratch = CharBuffer.allocate(Math.min(SCRATCH_CHARS, to - i + 1));
        while (true) {
            CoderResult r = decoder.decode(in, scratch, end);
            if (r.isError()) {
                found.accept(new Invalid(in.position(), r.length()));
                in.position(in.position() + r.length());
            } else if (r.isUnderflow()) {
                return in.position();
            } else {
                scratch.clear(); // overflow: the decoded characters are not needed
            }
        }
    }

    /** Where the ASCII run at {@code from} ends. */
    private static int asciiEnd(byte[] b, int from, int to) {
        int i = from;
        while (i < to && b[i] >= 0) {
            i++;
        }
        return i;
    }

    /**
     * The bytes of a sequence as PostgreSQL's message names them ({@code 0xc0 0xaf}): as many as
     * the lead byte announces, at most to {@code to}.
     */
    public static String describe(byte[] b, Invalid at, int to) {
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

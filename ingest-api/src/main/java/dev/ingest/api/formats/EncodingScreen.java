package dev.ingest.api.formats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.ingest.api.formats.Utf8Validator.Invalid;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the records of a whole JSON body that hold bytes that are not UTF-8, so that only those
 * are refused (22021) and the others stored. Jackson cannot be trusted with such bytes (it decodes
 * some into other characters and stops at others), so the parser is given a copy in which they
 * are masked by ASCII and the records are framed over it once. Bodies that are all UTF-8, the
 * usual case, cost one scan and no copy. Thread-safe (stateless).
 */
final class EncodingScreen {
    /** Stands in for bytes that are not UTF-8 so that Jackson can frame the records around them. */
    private static final byte MASK = 'x';

    private EncodingScreen() {
    }

    /**
     * What to parse, and which records (by 0-based position in the body) to refuse.
     *
     * @param parsed         the body itself when all of it is UTF-8, else the masked copy
     * @param invalidRecords the first invalid sequence of each record that holds one
     */
    record Screened(byte[] parsed, Map<Integer, Invalid> invalidRecords) {
    }

    /**
     * Screens a body. A sequence outside every record refuses the whole body (PostgreSQL refuses
     * the whole document) as {@link BodyException#invalidEncoding}.
     */
    static Screened screen(byte[] body, JsonFactory factory) throws BodyException {
        List<Invalid> invalid = Utf8Validator.invalidSequences(body, 0, body.length);
        if (invalid.isEmpty()) {
            return new Screened(body, Map.of());
        }
        byte[] masked = masked(body, invalid);
        return new Screened(masked, badRecords(body, masked, invalid, factory));
    }

    private static byte[] masked(byte[] body, List<Invalid> invalid) {
        byte[] copy = body.clone();
        for (Invalid at : invalid) {
            Arrays.fill(copy, at.offset(), at.offset() + at.length(), MASK);
        }
        return copy;
    }

    /**
     * Which records (by position in the body) hold the invalid sequences, found by framing the
     * masked body once. A sequence outside every record makes the whole body invalid, as
     * PostgreSQL refuses the whole document; a syntax error before it is left to the main pass.
     */
    private static Map<Integer, Invalid> badRecords(byte[] body, byte[] masked, List<Invalid> invalid, JsonFactory factory)
            throws BodyException {
        Map<Integer, Invalid> bad = new HashMap<>();
        int next = 0; // the first sequence not yet placed in a record
        try (JsonParser p = factory.createParser(masked)) {
            JsonElements elements = new JsonElements(p);
            JsonToken t;
            for (int index = 0; (t = elements.next()) == JsonToken.START_OBJECT; index++) {
                long start = elements.start();
                long end = elements.skip(t);
                if (next < invalid.size() && invalid.get(next).offset() < start) {
                    break; // before this record: outside every record
                }
                if (next < invalid.size() && invalid.get(next).offset() < end) {
                    bad.put(index, invalid.get(next));
                    while (next < invalid.size() && invalid.get(next).offset() < end) {
                        next++;
                    }
                }
            }
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? Long.MAX_VALUE : e.getLocation().getByteOffset();
            if (next >= invalid.size() || invalid.get(next).offset() > at) {
                return bad; // a syntax error first: the main pass reports it
            }
        } catch (IOException e) {
            throw BodyException.malformed("unreadable body: " + e.getMessage(), -1, -1);
        }
        if (next < invalid.size()) {
            Invalid outside = invalid.get(next);
            throw BodyException.invalidEncoding(Utf8Validator.message(body, outside, body.length) + " (between records)",
                    line(body, outside.offset()), column(body, lineStart(body, outside.offset()), outside.offset()));
        }
        return bad;
    }

    private static long line(byte[] b, int offset) {
        long line = 1;
        for (int i = 0; i < offset; i++) {
            if (b[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    private static int lineStart(byte[] b, int offset) {
        int i = offset;
        while (i > 0 && b[i - 1] != '\n') {
            i--;
        }
        return i;
    }

    /** The 1-based character position of {@code offset} in a line starting at {@code from}. */
    static long column(byte[] b, int from, int offset) {
        long column = 1;
        for (int i = from; i < offset; i++) {
            if ((b[i] & 0xc0) != 0x80) {
                column++; // count characters, not continuation bytes
            }
        }
        return column;
    }
}

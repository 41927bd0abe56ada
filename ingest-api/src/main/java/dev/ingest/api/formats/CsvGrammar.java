package dev.ingest.api.formats;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one CSV grammar of the service, its loader and its imports: PostgreSQL's
 * {@code COPY ... FROM STDIN (FORMAT csv)} with its defaults (comma, double quote, the quote as its
 * own escape, NULL as an unquoted empty field), as {@code CopyReadLineText} frames lines and
 * {@code CopyReadAttributesCSV} splits them:
 * <ul>
 *   <li>A quote anywhere in a field starts quoted text, up to the next lone quote; inside it
 *       {@code ""} is one quote and line ends and commas are data. An unquoted empty field is NULL;
 *       a field with any quote ({@code ""}) is text.</li>
 *   <li>A record ends at the body's line end outside quotes. The first line end (LF, CRLF or a
 *       lone CR) fixes the body's; another kind outside quotes rejects the record it is in
 *       ("unquoted carriage return/newline found in data").</li>
 *   <li>A backslash is data, also in a line {@code \.}, as in PostgreSQL 18 (up to 17, COPY
 *       FROM STDIN ended the data at such a line and dropped the rest: we never drop records).</li>
 *   <li>A blank line is one NULL field. A record that ends inside quotes (at the end of the
 *       input) is rejected: "unterminated CSV quoted field".</li>
 * </ul>
 * Our additions: a UTF-8 byte-order mark before the first record is skipped; where COPY would stop
 * the whole load, the record is rejected alone and the next one begins after its line end.
 *
 * <p>Use: as a {@link RecordFramer}; after {@link Framing#RECORD}, {@link #row} splits the record.
 * No Vert.x; not thread-safe: one per body or file.
 */
public final class CsvGrammar extends RecordFramer {
    /** The body's line end, fixed by its first, as COPY fixes it. */
    private enum LineEnd { UNKNOWN, LF, CR, CRLF }

    /** The state of the input as a whole. */
    private enum Position { BEFORE_FIRST_RECORD, BETWEEN_RECORDS, IN_RECORD }

    /** SQLSTATE {@code bad_copy_file_format}, COPY's for every framing error. */
    public static final String BAD_COPY_FILE_FORMAT = "22P04";
    /** SQLSTATE {@code character_not_in_repertoire}: invalid UTF-8 or a NUL byte. */
    public static final String INVALID_ENCODING = "22021";

    private LineEnd lineEnd = LineEnd.UNKNOWN;
    private Position position = Position.BEFORE_FIRST_RECORD;
    // The record being framed, relative to its start so that the caller's buffer may move.
    private int skip;      // the byte-order mark before the first record
    private int scanned;   // bytes of the record already scanned
    private boolean inQuote;
    private String problem; // a framing error of the record, COPY's message

    @Override
    public Framing frame(byte[] b, int start, int limit, boolean eof) {
        if (position != Position.IN_RECORD) {
            Framing f = begin(b, start, limit, eof);
            if (f != null) {
                return f;
            }
        }
        boolean quoted = inQuote;
        for (int p = start + scanned; p < limit; p++) {
            byte c = b[p];
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == '\r' || c == '\n')) {
                int after = lineEnd(b, p, limit, eof);
                if (after == 0) { // a CR whose next byte decides
                    scanned = p - start;
                    inQuote = false;
                    return Framing.NEED_MORE;
                }
                if (after > 0) {
                    return framed(b, start, p, after);
                }
            }
        }
        if (!eof) {
            scanned = limit - start;
            inQuote = quoted;
            return Framing.NEED_MORE;
        }
        return framed(b, start, limit, limit);
    }

    /** Starts a record, skipping a byte-order mark before the first. Returns null to scan it, or what to answer now. */
    private Framing begin(byte[] b, int start, int limit, boolean eof) {
        skip = 0;
        if (position == Position.BEFORE_FIRST_RECORD) {
            int n = Math.min(3, limit - start);
            if (isBomPrefix(b, start, n)) {
                if (n < 3 && !eof) {
                    return Framing.NEED_MORE;
                }
                skip = n == 3 ? 3 : 0;
            }
        }
        if (start + skip == limit) {
            return eof ? Framing.END : Framing.NEED_MORE;
        }
        position = Position.IN_RECORD;
        scanned = skip;
        inQuote = false;
        problem = null;
        return null;
    }

    /**
     * At an unquoted CR or LF at {@code b[p]}: where the record ends after it (&gt; 0), -1 when it
     * is not the body's line end (the record is rejected and goes on), 0 when the next byte decides.
     */
    private int lineEnd(byte[] b, int p, int limit, boolean eof) {
        if (b[p] == '\n') {
            if (lineEnd == LineEnd.CR || lineEnd == LineEnd.CRLF) {
                reject("unquoted newline found in data; use a quoted CSV field to represent a newline");
                return -1;
            }
            lineEnd = LineEnd.LF;
            return p + 1;
        }
        switch (lineEnd) {
            case CR:
                return p + 1;
            case LF:
                reject("unquoted carriage return found in data; use a quoted CSV field to represent a carriage return");
                return -1;
            default:
                if (p + 1 == limit && !eof) {
                    return 0;
                }
                if (p + 1 < limit && b[p + 1] == '\n') {
                    lineEnd = LineEnd.CRLF;
                    return p + 2;
                }
                if (lineEnd == LineEnd.CRLF) {
                    reject("unquoted carriage return found in data; use a quoted CSV field to represent a carriage return");
                    return -1;
                }
                lineEnd = LineEnd.CR;
                return p + 1;
        }
    }

    private void reject(String message) {
        if (problem == null) {
            problem = message;
        }
    }

    /** Line breaks count LF, CRLF and a lone CR, quoted ones too: as people count lines, and COPY. */
    private Framing framed(byte[] b, int start, int contentEnd, int end) {
        position = Position.BETWEEN_RECORDS;
        scanned = 0;
        inQuote = false;
        return framed(start + skip, contentEnd, end, lineBreaks(b, start, end));
    }

    private static boolean isBomPrefix(byte[] b, int from, int n) {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (b[from + i] != bom[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String problem() {
        return problem;
    }

    /** A blank CSV line is a record (one NULL field), as in COPY. */
    @Override
    public boolean blank() {
        return false;
    }

    /**
     * One record split into fields.
     *
     * @param fields   the field texts, null for NULL (an unquoted empty field)
     * @param sqlstate null, or why COPY would reject the record (before matching it to columns)
     * @param message  COPY's message for that, without the line number
     */
    public record Row(List<String> fields, String sqlstate, String message) {
        public boolean rejected() {
            return sqlstate != null;
        }
    }

    /** Splits the record framed last, in {@code b} as given to {@link #frame}. */
    public Row row(byte[] b) {
        return row(b, contentStart(), contentEnd(), problem);
    }

    /** Splits a framed record, whose framing found {@code problem} (or null). */
    public static Row row(FramedRecord record) {
        return row(record.bytes(), record.contentStart(), record.contentEnd(), record.problem());
    }

    private static Row row(byte[] b, int contentStart, int contentEnd, String problem) {
        Row row = split(b, contentStart, contentEnd);
        Utf8Validator.Invalid invalid = Utf8Validator.firstInvalid(b, contentStart, contentEnd);
        if (invalid != null) {
            return new Row(row.fields, INVALID_ENCODING, Utf8Validator.message(b, invalid, contentEnd));
        }
        if (hasNul(b, contentStart, contentEnd)) {
            return new Row(row.fields, INVALID_ENCODING, "invalid byte sequence for encoding \"UTF8\": 0x00");
        }
        return problem != null ? new Row(row.fields, BAD_COPY_FILE_FORMAT, problem) : row;
    }

    /** In valid UTF-8 a zero byte is only ever the character NUL. */
    private static boolean hasNul(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * CopyReadAttributesCSV: quoted text may start anywhere in a field. Splits the bytes, not a
     * decoded line: comma and quote are ASCII, and no byte of a multi-byte UTF-8 sequence is below
     * 0x80, so each field is decoded once, straight from the body (a field without quotes without
     * any copy before its String).
     */
    private static Row split(byte[] b, int from, int to) {
        List<String> fields = new ArrayList<>();
        byte[] unquoted = null; // a quoted field's bytes without its quotes, when it has any
        int length = 0;
        int fieldStart = from;
        boolean hasQuote = false;
        boolean quoted = false;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < to && b[i + 1] == '"') {
                        unquoted[length++] = '"';
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    unquoted[length++] = c;
                }
            } else if (c == ',') {
                fields.add(field(b, fieldStart, i, hasQuote, unquoted, length));
                fieldStart = i + 1;
                hasQuote = false;
                length = 0;
            } else if (c == '"') {
                if (!hasQuote) {
                    hasQuote = true;
                    if (unquoted == null) {
                        unquoted = new byte[to - from];
                    }
                    System.arraycopy(b, fieldStart, unquoted, 0, i - fieldStart);
                    length = i - fieldStart;
                }
                quoted = true;
            } else if (hasQuote) {
                unquoted[length++] = c;
            }
        }
        fields.add(field(b, fieldStart, to, hasQuote, unquoted, length));
        return quoted ? new Row(fields, BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field") : new Row(fields, null, null);
    }

    /** A field as COPY reads it: an unquoted empty field is NULL, any other is its text. */
    private static String field(byte[] b, int from, int to, boolean hasQuote, byte[] unquoted, int length) {
        if (hasQuote) {
            return new String(unquoted, 0, length, StandardCharsets.UTF_8);
        }
        return from == to ? null : new String(b, from, to - from, StandardCharsets.UTF_8);
    }

    /** The line breaks in {@code b[from, to)}: LF, CRLF and a lone CR each count one. */
    private static int lineBreaks(byte[] b, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (b[i] == '\n' || (b[i] == '\r' && (i + 1 == to || b[i + 1] != '\n'))) {
                n++;
            }
        }
        return n;
    }
}

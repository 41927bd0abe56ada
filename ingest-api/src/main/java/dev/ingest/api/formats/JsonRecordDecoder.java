package dev.ingest.api.formats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.ingest.api.formats.Utf8Validator.Invalid;
import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.RecordSink;
import dev.ingest.engine.JsonNumber;
import dev.ingest.engine.JsonText;
import dev.ingest.engine.TableSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Decodes JSON bodies, and single NDJSON records, into records of one table with Jackson's
 * streaming parser, in one pass and without building a tree. Keys are matched to columns as they are read; values for
 * {@code json}/{@code jsonb} columns are taken as the exact JSON text of the body (no re-encoding:
 * strings keep their escapes, numbers their digits); other values become Java scalars or lists for
 * {@link RecordSink#add}, numbers as their exact text where a Java number would differ
 * ({@code -0}).
 *
 * <p>What PostgreSQL would refuse is refused per record with its SQLSTATE, never altered: bytes that
 * are not UTF-8 (22021; Jackson would decode some of them into other characters), and in values for
 * other than json columns the escapes {@code json_populate_record} refuses, an unpaired surrogate
 * (22P02) or {@code \u0000} (22P05).
 *
 * <p>Strict: duplicate keys (of a record; inside a json value PostgreSQL decides), trailing content
 * and anything but objects as records are malformed bodies, reported with line and column; nesting
 * deeper than {@value #MAX_NESTING} levels is {@link BodyException#nestingTooDeep}.
 * Thread-safe (stateless).
 */
public final class JsonRecordDecoder {
    /**
     * The deepest nesting parsed (Jackson's default). PostgreSQL itself takes several thousand
     * levels (its stack, 2 MB by default, decides); a fixed bound keeps ours predictable.
     */
    static final int MAX_NESTING = 1000;

    /**
     * Jackson's limits, deliberately kept: a number's length (1000) bounds the cost of parsing
     * integers (quadratic in their digits); a string's (20,000,000) the size of one value.
     */
    private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build();

    // Duplicate keys of a record are found where keys meet columns (a column given twice), which
    // costs nothing; Jackson's own detection would allocate a set per object, nested ones included.
    private static final JsonFactory FACTORY = JsonFactory.builder()
            // Error locations name line and column; they never echo body content back.
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .streamReadConstraints(LIMITS)
            .build();

    /** Jackson's note that it left the body out of a location; the line and column say enough. */
    private static final Pattern SOURCE_NOTE = Pattern.compile("\\[Source: [^;\\]]*\\); ");

    private JsonRecordDecoder() {
    }

    /** Decodes a whole JSON body (an object or an array of objects) and adds every record to {@code into}. */
    public static void decode(byte[] body, RecordSink into, TableSchema table, int maxRecords) throws BodyException {
        EncodingScreen.Screened screened = EncodingScreen.screen(body, FACTORY);
        byte[] parsed = screened.parsed();
        Map<Integer, Invalid> bad = screened.invalidRecords();
        try (JsonParser p = FACTORY.createParser(parsed)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw BodyException.malformed("empty body: expected a JSON object or an array of objects", -1, -1);
            }
            decodeJson(p, t, parsed, into, table, maxRecords, body, bad);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw BodyException.malformed("unreadable body: " + e.getMessage(), -1, -1);
        }
    }

    private static void decodeJson(JsonParser p, JsonToken first, byte[] body, RecordSink into, TableSchema table,
            int maxRecords, byte[] original, Map<Integer, Invalid> bad) throws IOException, BodyException {
        Refusal refusal = new Refusal();
        if (first == JsonToken.START_ARRAY) {
            JsonToken t;
            int index = 0;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (into.nextIndex() >= maxRecords) {
                    throw BodyException.tooManyRecords(maxRecords);
                }
                expectObject(p, t, "each element of the array must be a JSON object");
                element(p, body, into, table, refusal, original, bad.get(index++));
            }
        } else if (first == JsonToken.START_OBJECT) {
            element(p, body, into, table, refusal, original, bad.get(0));
        } else {
            throw at(p, "expected a JSON object or an array of objects, found " + describe(first));
        }
        if (p.nextToken() != null) {
            throw at(p, "unexpected content after the JSON value");
        }
    }

    /**
     * One element of the body, at its START_OBJECT: added, or refused when it holds bytes that are
     * not UTF-8 ({@code invalid}, found before parsing) or a value PostgreSQL would refuse.
     */
    private static void element(JsonParser p, byte[] body, RecordSink into, TableSchema table, Refusal refusal,
            byte[] original, Invalid invalid) throws IOException, BodyException {
        int start = (int) p.currentTokenLocation().getByteOffset();
        if (invalid != null) {
            p.skipChildren();
            int end = (int) p.currentLocation().getByteOffset();
            into.reject("22021", Utf8Validator.message(original, invalid, end), new String(original, start, end - start, StandardCharsets.UTF_8));
            return;
        }
        refusal.clear();
        Object[] values = record(p, body, 0, table, refusal);
        if (refusal.sqlstate != null) {
            int end = (int) p.currentLocation().getByteOffset();
            into.reject(refusal.sqlstate, refusal.message, new String(body, start, end - start, StandardCharsets.UTF_8));
        } else {
            into.add(values);
        }
    }

    /**
     * Decodes one record: exactly one JSON object in {@code body[offset, offset + length)}, as a
     * line of NDJSON holds. Errors name the column (character) within that slice; a record that
     * PostgreSQL would refuse is a {@link BodyException} with its SQLSTATE.
     */
    public static Object[] decodeObject(byte[] body, int offset, int length, TableSchema table) throws BodyException {
        Invalid invalid = Utf8Validator.firstInvalid(body, offset, offset + length);
        if (invalid != null) {
            throw BodyException.invalidEncoding(Utf8Validator.message(body, invalid, offset + length), -1,
                    EncodingScreen.column(body, offset, invalid.offset()));
        }
        try (JsonParser p = FACTORY.createParser(body, offset, length)) {
            JsonToken t = p.nextToken();
            expectObject(p, t, "a record must be a JSON object");
            Refusal refusal = new Refusal();
            Object[] values = record(p, body, offset, table, refusal);
            if (p.nextToken() != null) {
                throw at(p, "unexpected content after the record's object");
            }
            if (refusal.sqlstate != null) {
                throw BodyException.refusedValue(refusal.sqlstate, refusal.message, -1, refusal.column);
            }
            return values;
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw BodyException.malformed("unreadable record: " + e.getMessage(), -1, -1);
        }
    }

    private static BodyException malformed(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        long line = at == null ? -1 : at.getLineNr();
        long column = at == null ? -1 : at.getColumnNr();
        if (e instanceof StreamConstraintsException) {
            // Jackson's limits, named for people rather than by Jackson's settings.
            String m = e.getOriginalMessage();
            if (m.contains("nesting depth")) {
                return BodyException.nestingTooDeep(MAX_NESTING, line, column);
            }
            if (m.startsWith("Number value length")) {
                return BodyException.malformed("a JSON number is longer than " + LIMITS.getMaxNumberLength()
                        + " characters, the most the service parses; send it as a JSON string", line, column);
            }
            if (m.startsWith("String value length")) {
                return BodyException.malformed("a JSON string is longer than " + LIMITS.getMaxStringLength()
                        + " characters, the most the service parses", line, column);
            }
        }
        return BodyException.malformed("malformed JSON: " + SOURCE_NOTE.matcher(e.getOriginalMessage()).replaceAll("["),
                at == null ? -1 : at.getLineNr(), at == null ? -1 : at.getColumnNr());
    }

    private static Object[] record(JsonParser p, byte[] body, int base, TableSchema table, Refusal refusal)
            throws IOException, BodyException {
        Object[] values = new Object[table.columns().size()];
        Arrays.fill(values, RecordSink.ABSENT);
        String name;
        while ((name = p.nextFieldName()) != null) {
            int index = table.indexOf(name);
            if (index < 0) {
                throw BodyException.unknownColumn(table.name(), name, p.currentLocation().getLineNr());
            }
            if (values[index] != RecordSink.ABSENT) {
                throw BodyException.malformed("duplicate key \"" + name + "\"", p.currentLocation().getLineNr(),
                        p.currentLocation().getColumnNr());
            }
            ColumnSchema column = table.column(index);
            if (!column.writable()) {
                throw BodyException.notWritable(table.name(), name, p.currentLocation().getLineNr());
            }
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_NULL) {
                values[index] = null; // SQL NULL, also for json columns
            } else {
                values[index] = column.kind() == ColumnKind.JSON ? jsonText(p, t, body, base) : value(p, t, body, base, column, refusal);
            }
        }
        return values;
    }

    private static Object value(JsonParser p, JsonToken t, byte[] body, int base, ColumnSchema column, Refusal refusal)
            throws IOException {
        switch (t) {
            case VALUE_NULL:
                return null;
            case VALUE_STRING:
                String s = p.getText();
                checkEscapes(s, p, column, refusal);
                return s;
            case VALUE_NUMBER_INT:
                // A Java number prints as the JSON text did, except for -0 (a float column keeps its sign).
                return p.getTextLength() == 2 && p.getText().equals("-0") ? new JsonNumber("-0") : p.getNumberValue();
            case VALUE_NUMBER_FLOAT:
                return new JsonNumber(p.getText());
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case START_ARRAY:
                List<Object> list = new ArrayList<>();
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                    list.add(value(p, e, body, base, column, refusal));
                }
                return list;
            case START_OBJECT:
                return jsonText(p, t, body, base);
            default:
                throw new IllegalStateException("unexpected token " + t);
        }
    }

    /**
     * Notes the first escape in a string value that {@code json_populate_record} refuses: a
     * surrogate without its pair (Jackson keeps it, the driver would send {@code ?}), or NUL,
     * which PostgreSQL text cannot hold. Raw bytes cannot yield either: they are checked as UTF-8.
     */
    private static void checkEscapes(String s, JsonParser p, ColumnSchema column, Refusal refusal) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                refusal.note("22P05", "column \"" + column.name()
                        + "\": unsupported Unicode escape sequence: \\u0000 cannot be converted to text", p);
                return;
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                boolean twoHigh = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isHighSurrogate(s.charAt(i + 1));
                refusal.note("22P02", "column \"" + column.name() + "\": invalid input syntax for type json: Unicode "
                        + (twoHigh ? "high surrogate must not follow a high surrogate" : "low surrogate must follow a high surrogate"), p);
                return;
            }
        }
    }

    /**
     * The value at the current token as JSON text, sliced exactly from the body (a string keeps its
     * quotes and escapes). The parser's byte offsets count from {@code base}, where its input starts
     * in {@code body}.
     */
    private static JsonText jsonText(JsonParser p, JsonToken t, byte[] body, int base) throws IOException {
        switch (t) {
            case START_OBJECT:
            case START_ARRAY:
                int start = (int) p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                int end = (int) p.currentLocation().getByteOffset();
                return new JsonText(new String(body, base + start, end - start, StandardCharsets.UTF_8));
            case VALUE_STRING:
                int from = (int) p.currentTokenLocation().getByteOffset();
                p.finishToken(); // strings are read lazily: now the location is past the closing quote
                int to = (int) p.currentLocation().getByteOffset();
                return new JsonText(new String(body, base + from, to - from, StandardCharsets.UTF_8));
            default:
                return new JsonText(p.getText()); // numbers verbatim, true, false, null
        }
    }

    private static void expectObject(JsonParser p, JsonToken t, String message) throws BodyException {
        if (t != JsonToken.START_OBJECT) {
            throw at(p, message + ", found " + describe(t));
        }
    }

    private static BodyException at(JsonParser p, String message) {
        JsonLocation l = p.currentTokenLocation();
        return BodyException.malformed(message, l.getLineNr(), l.getColumnNr());
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    /** The first refusal of a record's values; one per decode, cleared for each record. */
    private static final class Refusal {
        String sqlstate;
        String message;
        long column;

        void clear() {
            sqlstate = null;
        }

        void note(String state, String text, JsonParser p) {
            if (sqlstate == null) {
                sqlstate = state;
                message = text;
                column = p.currentTokenLocation().getColumnNr();
            }
        }
    }
}

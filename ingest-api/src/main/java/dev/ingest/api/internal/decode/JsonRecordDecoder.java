package dev.ingest.api.internal.decode;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.JsonNumber;
import dev.ingest.engine.JsonText;
import dev.ingest.engine.TableSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Decodes JSON bodies, and single NDJSON records, into records of one table with Jackson's
 * streaming parser, in one pass and without building a tree. Keys are matched to columns as they are read; values for
 * {@code json}/{@code jsonb} columns are taken as the exact JSON text of the body (no re-encoding,
 * so numbers keep their digits); other values become Java scalars or lists for
 * {@link IngestRequest.Builder#add}.
 *
 * <p>Strict: duplicate keys (of a record; inside a json value PostgreSQL decides), trailing content, nesting deeper than {@value #MAX_NESTING}, invalid
 * UTF-8 and anything but objects as records are malformed bodies, reported with line and column.
 * Thread-safe (stateless).
 */
public final class JsonRecordDecoder {
    static final int MAX_NESTING = 256;

    // Duplicate keys of a record are found where keys meet columns (a column given twice), which
    // costs nothing; Jackson's own detection would allocate a set per object, nested ones included.
    private static final JsonFactory FACTORY = JsonFactory.builder()
            // Error locations name line and column; they never echo body content back.
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build();

    /** Jackson's note that it left the body out of a location; the line and column say enough. */
    private static final Pattern SOURCE_NOTE = Pattern.compile("\\[Source: [^;\\]]*\\); ");

    private JsonRecordDecoder() {
    }

    /** Decodes a whole JSON body (an object or an array of objects) and adds every record to {@code into}. */
    public static void decode(byte[] body, IngestRequest.Builder into, TableSchema table, int maxRecords) throws BodyException {
        try (JsonParser p = FACTORY.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw BodyException.malformed("empty body: expected a JSON object or an array of objects", -1, -1);
            }
            decodeJson(p, t, body, into, table, maxRecords);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw BodyException.malformed("unreadable body: " + e.getMessage(), -1, -1);
        }
    }

    private static void decodeJson(JsonParser p, JsonToken first, byte[] body, IngestRequest.Builder into, TableSchema table,
            int maxRecords) throws IOException, BodyException {
        if (first == JsonToken.START_ARRAY) {
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (into.count() >= maxRecords) {
                    throw BodyException.tooManyRecords(maxRecords);
                }
                expectObject(p, t, "each element of the array must be a JSON object");
                into.add(record(p, body, 0, table));
            }
        } else if (first == JsonToken.START_OBJECT) {
            into.add(record(p, body, 0, table));
        } else {
            throw at(p, "expected a JSON object or an array of objects, found " + describe(first));
        }
        if (p.nextToken() != null) {
            throw at(p, "unexpected content after the JSON value");
        }
    }

    /**
     * Decodes one record: exactly one JSON object in {@code body[offset, offset + length)}, as a
     * line of NDJSON holds. Errors name the column (character) within that slice.
     */
    public static Object[] decodeObject(byte[] body, int offset, int length, TableSchema table) throws BodyException {
        try (JsonParser p = FACTORY.createParser(body, offset, length)) {
            JsonToken t = p.nextToken();
            expectObject(p, t, "a record must be a JSON object");
            Object[] values = record(p, body, offset, table);
            if (p.nextToken() != null) {
                throw at(p, "unexpected content after the record's object");
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
        return BodyException.malformed("malformed JSON: " + SOURCE_NOTE.matcher(e.getOriginalMessage()).replaceAll("["),
                at == null ? -1 : at.getLineNr(), at == null ? -1 : at.getColumnNr());
    }

    private static Object[] record(JsonParser p, byte[] body, int base, TableSchema table) throws IOException, BodyException {
        Object[] values = new Object[table.columns().size()];
        Arrays.fill(values, IngestRequest.ABSENT);
        String name;
        while ((name = p.nextFieldName()) != null) {
            int index = table.indexOf(name);
            if (index < 0) {
                throw BodyException.unknownColumn(table.name(), name, p.currentLocation().getLineNr());
            }
            if (values[index] != IngestRequest.ABSENT) {
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
                values[index] = column.kind() == ColumnKind.JSON ? jsonText(p, t, body, base) : value(p, t, body, base);
            }
        }
        return values;
    }

    private static Object value(JsonParser p, JsonToken t, byte[] body, int base) throws IOException {
        switch (t) {
            case VALUE_NULL:
                return null;
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getNumberValue();
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
                    list.add(value(p, e, body, base));
                }
                return list;
            case START_OBJECT:
                return jsonText(p, t, body, base);
            default:
                throw new IllegalStateException("unexpected token " + t);
        }
    }

    /**
     * The value at the current token as JSON text: objects and arrays sliced exactly from the body.
     * The parser's byte offsets count from {@code base}, where its input starts in {@code body}.
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
                return new JsonText('"' + new String(JsonStringEncoder.getInstance().quoteAsString(p.getText())) + '"');
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
}

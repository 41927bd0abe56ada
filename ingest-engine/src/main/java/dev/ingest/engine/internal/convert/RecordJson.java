package dev.ingest.engine.internal.convert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ingest.engine.IngestRequest.Row;
import dev.ingest.engine.JsonNumber;
import dev.ingest.engine.JsonText;
import dev.ingest.engine.RecordSink;
import dev.ingest.engine.TableSchema;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * A refused record as JSON text for the dead-letter table ({@code ingest.rejects}, a {@code json}
 * column). The output is always valid input for PostgreSQL's {@code json} type, whatever the
 * record held: U+0000 is written as the escape {@code \\u0000} (which {@code json}, unlike
 * {@code jsonb}, keeps), and unpaired surrogates become U+FFFD, since PostgreSQL refuses them.
 * Stateless and thread-safe.
 */
public final class RecordJson {
    private static final JsonFactory JSON = new JsonFactory();

    private RecordJson() {
    }

    /** A converted row, as the database was given it: column name to text (null for NULL). */
    public static String ofRow(TableSchema table, String[] values) {
        return write(g -> {
            g.writeStartObject();
            for (int i = 0; i < values.length; i++) {
                if (!Row.isAbsent(values[i])) {
                    g.writeFieldName(clean(table.column(i).name()));
                    writeString(g, values[i]);
                }
            }
            g.writeEndObject();
        });
    }

    /**
     * A decoded record that failed conversion, as received: the values a decoder hands to
     * {@link RecordSink#add}, keyed by column name; {@link RecordSink#ABSENT} ones left out.
     */
    public static String ofValues(TableSchema table, Object[] values) {
        return write(g -> {
            g.writeStartObject();
            for (int i = 0; i < values.length && i < table.columns().size(); i++) {
                if (values[i] != RecordSink.ABSENT) {
                    g.writeFieldName(clean(table.column(i).name()));
                    writeValue(g, values[i]);
                }
            }
            g.writeEndObject();
        });
    }

    /**
     * Input that could not be decoded into a record: a malformed line (a {@link String}), the
     * fields of a CSV row of the wrong width (a {@link List} of strings), or null.
     */
    public static String ofRaw(Object raw) {
        return write(g -> writeValue(g, raw));
    }

    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            writeString(g, s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof JsonNumber n) {
            g.writeNumber(n.text());
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof BigInteger n) {
            g.writeNumber(n);
        } else if (v instanceof BigDecimal n) {
            g.writeNumber(n);
        } else if (v instanceof Double d && Double.isFinite(d)) {
            g.writeNumber(d);
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                writeValue(g, item);
            }
            g.writeEndArray();
        } else if (v instanceof JsonText t) {
            g.writeRawValue(copy(t.json()));
        } else {
            writeString(g, v.toString());
        }
    }

    /**
     * JSON text rewritten token by token, so that escapes PostgreSQL refuses (an unpaired
     * {@code \\ud800}) are replaced too; a JSON string of the text when it does not parse.
     */
    private static String copy(String json) {
        try {
            return write(g -> {
                try (JsonParser p = JSON.createParser(json)) {
                    for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                        switch (t) {
                            case START_OBJECT -> g.writeStartObject();
                            case END_OBJECT -> g.writeEndObject();
                            case START_ARRAY -> g.writeStartArray();
                            case END_ARRAY -> g.writeEndArray();
                            case FIELD_NAME -> g.writeFieldName(clean(p.currentName()));
                            case VALUE_STRING -> g.writeString(clean(p.getText()));
                            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> g.writeNumber(p.getText());
                            case VALUE_TRUE -> g.writeBoolean(true);
                            case VALUE_FALSE -> g.writeBoolean(false);
                            case VALUE_NULL -> g.writeNull();
                            default -> throw new JsonParseException(p, "unexpected token " + t);
                        }
                    }
                }
            });
        } catch (UncheckedIOException e) {
            return ofRaw(json);
        }
    }

    private static void writeString(JsonGenerator g, String s) throws IOException {
        if (s == null) {
            g.writeNull();
        } else {
            g.writeString(clean(s));
        }
    }

    /**
     * Text PostgreSQL can store in a {@code text} column: U+0000 and unpaired surrogates replaced
     * by U+FFFD. For messages that may quote a refused value.
     */
    public static String storable(String s) {
        return clean(s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD'));
    }

    /** Replaces unpaired surrogates, which PostgreSQL can neither store nor accept escaped. */
    static String clean(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean paired = Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                    : !Character.isLowSurrogate(c) || i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
            if (!paired && out == null) {
                out = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (out != null) {
                out.append(paired ? c : '\uFFFD');
            }
        }
        return out == null ? s : out.toString();
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String write(Body body) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // only from parsing in copy(): a StringWriter does not fail
        }
        return out.toString();
    }
}

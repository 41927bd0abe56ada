package dev.ingest.engine.internal.convert;

import static dev.ingest.engine.internal.sql.SqlStates.CHARACTER_NOT_IN_REPERTOIRE;
import static dev.ingest.engine.internal.sql.SqlStates.DATATYPE_MISMATCH;

import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.JsonNumber;
import dev.ingest.engine.JsonText;
import dev.ingest.engine.internal.sql.ArrayLiterals;
import java.util.List;

/**
 * Turns decoded values into the text PostgreSQL is given for a column. The rule: every value
 * reaches PostgreSQL as text and the column's input function judges it, exactly as
 * {@code select 'L'::T}, a plain INSERT or COPY would; so a value is stored as PostgreSQL parses
 * the text, or refused with PostgreSQL's own SQLSTATE (the writers isolate refused records one by
 * one). Nothing is checked or normalised here that PostgreSQL would judge differently in any
 * supported version: input syntax varies between versions (PostgreSQL 16 reads {@code 1_000} and
 * {@code 0x1F} as integers, for instance), so no type is pre-checked.
 *
 * <p>The text of a scalar does not depend on the column's type, so a column whose type changed
 * since the catalog was read is still given the user's text: a {@link String} as it is, a
 * {@link JsonNumber} as written ({@code 1.0}, {@code 1e3}, {@code -0}), {@link Boolean} as
 * {@code true}/{@code false}, other {@link Number}s by {@code toString()}. Only two shapes are
 * special: a {@link List} into an array column becomes an array literal of its elements' texts,
 * and {@link JsonText} is the exact JSON text for a json/jsonb column (inside an array, an
 * element's JSON text). Refused here, as no input function could take them: U+0000 in any text
 * (22021, as PostgreSQL answers a NUL byte in its input) and a JSON object or array into a scalar
 * column (42804, the one documented exception: PostgreSQL's own {@code json_populate_record}
 * would store the object's JSON text). Stateless and thread-safe.
 */
public final class ValueConverter {
    private ValueConverter() {
    }

    /** The text form of {@code value} for {@code column}, or {@code null} for SQL NULL. */
    public static String toText(Object value, ColumnSchema column) throws ConversionException {
        if (value == null) {
            return null;
        }
        String text = column.kind() == ColumnKind.ARRAY ? arrayText(value, column) : scalarText(value, column);
        if (text.indexOf('\0') >= 0) {
            throw new ConversionException(CHARACTER_NOT_IN_REPERTOIRE,
                    "column \"" + column.name() + "\": PostgreSQL text cannot contain the NUL character (U+0000)");
        }
        return text;
    }

    private static String scalarText(Object value, ColumnSchema column) throws ConversionException {
        if (value instanceof JsonText j) {
            if (column.kind() != ColumnKind.JSON && isContainer(j)) {
                throw mismatch(value, column);
            }
            return j.json();
        }
        if (value instanceof List) {
            throw mismatch(value, column);
        }
        return plainText(value, column);
    }

    /** The text of a string, number or boolean, whatever the column's type. */
    private static String plainText(Object value, ColumnSchema column) throws ConversionException {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof JsonNumber n) {
            return n.text();
        }
        if (value instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (value instanceof Number n) {
            return n.toString();
        }
        throw mismatch(value, column);
    }

    private static boolean isContainer(JsonText j) {
        String s = j.json();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                return c == '{' || c == '[';
            }
        }
        return false;
    }

    private static String arrayText(Object value, ColumnSchema column) throws ConversionException {
        if (value instanceof String s) {
            return s; // an array literal, from a text format or a JSON string
        }
        if (!(value instanceof List<?> list)) {
            throw mismatch(value, column);
        }
        StringBuilder out = new StringBuilder(16 + list.size() * 8);
        appendArray(out, list, column);
        return out.toString();
    }

    private static void appendArray(StringBuilder out, List<?> list, ColumnSchema column) throws ConversionException {
        out.append('{');
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                out.append(column.arrayDelimiter()); // a semicolon for box[]
            }
            Object element = list.get(i);
            if (element == null) {
                out.append("NULL");
            } else if (element instanceof List<?> inner) {
                appendArray(out, inner, column);
            } else if (element instanceof JsonText j) {
                ArrayLiterals.appendElement(out, j.json()); // an object in an array: its JSON text, for PostgreSQL to judge
            } else {
                ArrayLiterals.appendElement(out, plainText(element, column));
            }
        }
        out.append('}');
    }

    private static ConversionException mismatch(Object value, ColumnSchema column) {
        return new ConversionException(DATATYPE_MISMATCH,
                "column \"" + column.name() + "\" is of type " + column.sqlType() + " but the value is " + describe(value)
                        + ": send a JSON string, number or boolean (or an array, for an array column)");
    }

    private static String describe(Object value) {
        if (value instanceof JsonText j) {
            return isContainer(j) && j.json().strip().startsWith("[") ? "a JSON array" : "a JSON object";
        }
        if (value instanceof List) {
            return "a JSON array";
        }
        return value.getClass().getSimpleName();
    }
}

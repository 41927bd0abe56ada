package dev.ingest.engine.internal.convert;

import static dev.ingest.engine.internal.sql.SqlStates.CHARACTER_NOT_IN_REPERTOIRE;
import static dev.ingest.engine.internal.sql.SqlStates.DATATYPE_MISMATCH;
import static dev.ingest.engine.internal.sql.SqlStates.INVALID_TEXT_REPRESENTATION;
import static dev.ingest.engine.internal.sql.SqlStates.NUMERIC_VALUE_OUT_OF_RANGE;

import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.JsonNumber;
import dev.ingest.engine.JsonText;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;

/**
 * Turns decoded values into PostgreSQL's text input form for a column, refusing early what the
 * database would refuse anyway (so a bad record costs no round trip) and what it could silently
 * mangle. Everything else, dates and times for instance, is passed on for PostgreSQL to judge.
 *
 * <p>Accepted inputs: {@code null}, {@link String}, {@link Boolean}, {@link Number}
 * ({@link Long}, {@link Integer}, {@link BigInteger}, {@link BigDecimal}, {@link Double}),
 * {@link JsonNumber}, {@link List} (for array columns) and {@link JsonText}. Stateless and
 * thread-safe.
 */
public final class ValueConverter {
    private static final BigInteger[] MIN = {
        BigInteger.valueOf(Short.MIN_VALUE), BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Long.MIN_VALUE)};
    private static final BigInteger[] MAX = {
        BigInteger.valueOf(Short.MAX_VALUE), BigInteger.valueOf(Integer.MAX_VALUE), BigInteger.valueOf(Long.MAX_VALUE)};

    private ValueConverter() {
    }

    /** The text form of {@code value} for {@code column}, or {@code null} for SQL NULL. */
    public static String toText(Object value, ColumnSchema column) throws ConversionException {
        if (value == null) {
            return null;
        }
        if (column.kind() == ColumnKind.ARRAY) {
            return arrayText(value, column);
        }
        return scalarText(value, column.kind(), column);
    }

    private static String scalarText(Object value, ColumnKind kind, ColumnSchema column) throws ConversionException {
        if (value instanceof JsonNumber n) {
            // Exact JSON number text: valid input as it is, except that integers must be whole.
            return switch (kind) {
                case SMALLINT, INTEGER, BIGINT -> integer(parseDecimal(n.text(), column), kind == ColumnKind.SMALLINT ? 0
                        : kind == ColumnKind.INTEGER ? 1 : 2, column);
                case NUMERIC, FLOAT, TEXT, JSON, OTHER -> n.text();
                default -> throw mismatch(value, column);
            };
        }
        switch (kind) {
            case JSON:
                return json(value, column);
            case BOOLEAN:
                return bool(value, column);
            case SMALLINT:
                return integer(value, 0, column);
            case INTEGER:
                return integer(value, 1, column);
            case BIGINT:
                return integer(value, 2, column);
            case NUMERIC:
            case FLOAT:
                return number(value, column);
            case UUID:
                return uuid(value, column);
            default:
                return text(value, column);
        }
    }

    private static String text(Object value, ColumnSchema column) throws ConversionException {
        if (value instanceof String s) {
            return checkNul(s, column);
        }
        if (value instanceof Boolean || value instanceof Number) {
            return value.toString();
        }
        throw mismatch(value, column);
    }

    private static String json(Object value, ColumnSchema column) throws ConversionException {
        if (value instanceof JsonText j) {
            return j.json();
        }
        if (value instanceof String s) {
            // From text formats (CSV), where a cell holds the JSON document itself.
            return checkNul(s, column);
        }
        if (value instanceof Boolean || value instanceof Number) {
            return value.toString();
        }
        throw mismatch(value, column);
    }

    private static String bool(Object value, ColumnSchema column) throws ConversionException {
        if (value instanceof Boolean b) {
            return b ? "t" : "f";
        }
        if (value instanceof String s) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "t", "true", "y", "yes", "on", "1":
                    return "t";
                case "f", "false", "n", "no", "off", "0":
                    return "f";
                default:
                    throw invalid(column, "invalid input for type boolean: \"" + abbreviate(s) + "\"");
            }
        }
        throw mismatch(value, column);
    }

    private static String integer(Object value, int width, ColumnSchema column) throws ConversionException {
        BigInteger n;
        if (value instanceof Long || value instanceof Integer || value instanceof Short) {
            long v = ((Number) value).longValue();
            if (width == 2) {
                return Long.toString(v);
            }
            n = BigInteger.valueOf(v);
        } else if (value instanceof BigInteger b) {
            n = b;
        } else if (value instanceof BigDecimal d) {
            n = integral(d, column);
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw invalid(column, "not an integer: " + value);
            }
            n = integral(BigDecimal.valueOf(d), column);
        } else if (value instanceof String s) {
            try {
                n = new BigInteger(s.trim());
            } catch (NumberFormatException e) {
                throw invalid(column, "invalid input for type " + column.sqlType() + ": \"" + abbreviate(s) + "\"");
            }
        } else {
            throw mismatch(value, column);
        }
        if (n.compareTo(MIN[width]) < 0 || n.compareTo(MAX[width]) > 0) {
            throw new ConversionException(NUMERIC_VALUE_OUT_OF_RANGE,
                    "column \"" + column.name() + "\": value " + abbreviate(n.toString()) + " is out of range for type " + column.sqlType());
        }
        return n.toString();
    }

    private static BigDecimal parseDecimal(String text, ColumnSchema column) throws ConversionException {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw invalid(column, "not a number: " + abbreviate(text));
        }
    }

    private static BigInteger integral(BigDecimal d, ColumnSchema column) throws ConversionException {
        try {
            return d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw invalid(column, "not an integer: " + abbreviate(d.toString()));
        }
    }

    private static String number(Object value, ColumnSchema column) throws ConversionException {
        if (value instanceof Number) {
            return value.toString();
        }
        if (value instanceof String s) {
            String t = s.trim();
            if (isSpecialFloat(t)) {
                return t;
            }
            try {
                new BigDecimal(t);
                return t;
            } catch (NumberFormatException e) {
                throw invalid(column, "invalid input for type " + column.sqlType() + ": \"" + abbreviate(s) + "\"");
            }
        }
        throw mismatch(value, column);
    }

    private static boolean isSpecialFloat(String t) {
        String l = t.toLowerCase(Locale.ROOT);
        return l.equals("nan") || l.equals("infinity") || l.equals("-infinity") || l.equals("+infinity")
                || l.equals("inf") || l.equals("-inf") || l.equals("+inf");
    }

    /**
     * Accepts what PostgreSQL's uuid input accepts (hyphens anywhere between digit pairs, optional
     * braces, any case) and writes the canonical lower-case form.
     */
    private static String uuid(Object value, ColumnSchema column) throws ConversionException {
        if (!(value instanceof String s)) {
            throw mismatch(value, column);
        }
        if (isCanonicalUuid(s)) {
            return s; // the usual form: nothing to rewrite
        }
        int from = 0;
        int to = s.length();
        if (to >= 2 && s.charAt(0) == '{' && s.charAt(to - 1) == '}') {
            from++;
            to--;
        }
        StringBuilder hex = new StringBuilder(36);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (Character.digit(c, 16) >= 0 && c < 128) {
                hex.append(Character.toLowerCase(c));
                if (hex.length() == 8 || hex.length() == 13 || hex.length() == 18 || hex.length() == 23) {
                    hex.append('-');
                }
            } else if (c != '-' || i == from || i == to - 1 || s.charAt(i - 1) == '-') {
                throw invalid(column, "invalid input for type uuid: \"" + abbreviate(s) + "\"");
            }
        }
        if (hex.length() != 36) {
            throw invalid(column, "invalid input for type uuid: \"" + abbreviate(s) + "\"");
        }
        return hex.toString();
    }

    private static boolean isCanonicalUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean ok = (i == 8 || i == 13 || i == 18 || i == 23) ? c == '-' : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String arrayText(Object value, ColumnSchema column) throws ConversionException {
        if (value instanceof String s) {
            return checkNul(s, column); // already an array literal, from a text format
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
                out.append(',');
            }
            Object element = list.get(i);
            if (element == null) {
                out.append("NULL");
            } else if (element instanceof List<?> inner) {
                appendArray(out, inner, column);
            } else {
                appendQuoted(out, scalarText(element, column.elementKind(), column));
            }
        }
        out.append('}');
    }

    private static void appendQuoted(StringBuilder out, String element) {
        out.append('"');
        for (int i = 0; i < element.length(); i++) {
            char c = element.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        out.append('"');
    }

    private static String checkNul(String s, ColumnSchema column) throws ConversionException {
        if (s.indexOf('\0') >= 0) {
            throw new ConversionException(CHARACTER_NOT_IN_REPERTOIRE,
                    "column \"" + column.name() + "\": PostgreSQL text cannot contain the NUL character (U+0000)");
        }
        return s;
    }

    private static ConversionException invalid(ColumnSchema column, String message) {
        return new ConversionException(INVALID_TEXT_REPRESENTATION, "column \"" + column.name() + "\": " + message);
    }

    private static ConversionException mismatch(Object value, ColumnSchema column) {
        return new ConversionException(DATATYPE_MISMATCH,
                "column \"" + column.name() + "\" is of type " + column.sqlType() + " but the value is " + describe(value));
    }

    private static String describe(Object value) {
        if (value instanceof JsonText j) {
            return j.json().startsWith("[") ? "a JSON array" : "a JSON object";
        }
        if (value instanceof List) {
            return "an array";
        }
        if (value instanceof JsonNumber) {
            return "a number";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        return value instanceof Number ? "a number" : value.getClass().getSimpleName();
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}

package dev.ingest.api.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL type of one column, inferred from sample values, conservatively: a type is chosen
 * only when every sampled value is one that type takes without changing it, and {@code text}
 * otherwise (text takes every value as written). So a later value that does not fit is refused by
 * PostgreSQL with its reason, never cut or rounded to fit.
 *
 * <ul>
 *   <li>{@code bigint}: integers in range, without leading zeros (a zero-padded code such as a
 *       postal code would lose them);</li>
 *   <li>{@code numeric}: other decimal numbers, exponents included (numeric keeps every digit;
 *       {@code double precision} would round a later value with more digits, so it is never
 *       inferred: it stays available to a table made by hand);</li>
 *   <li>{@code boolean}: {@code true}/{@code false} (JSON booleans, or those words in CSV);</li>
 *   <li>{@code uuid}: the canonical 8-4-4-4-12 hex form;</li>
 *   <li>{@code timestamptz}: ISO 8601 date and time with an explicit offset ({@code Z} or
 *       {@code +02:00}) and at most microseconds (a value without an offset would be read in the
 *       database's time zone, so it stays text);</li>
 *   <li>{@code jsonb}: JSON objects and arrays (in CSV: fields that are a JSON object or array).</li>
 * </ul>
 * In JSON input, strings are never taken for numbers or booleans (the writer chose a string). NULLs
 * (an unquoted empty CSV field, JSON null, a missing key) say nothing. Not thread-safe.
 */
final class ColumnTypeInference {
    /** The candidates, from the most specific; each value rules out those it does not fit. */
    private static final int BIGINT = 1;
    private static final int NUMERIC = 1 << 1;
    private static final int BOOLEAN = 1 << 2;
    private static final int UUID = 1 << 3;
    private static final int TIMESTAMPTZ = 1 << 4;
    private static final int JSONB = 1 << 5;
    private static final int ALL = BIGINT | NUMERIC | BOOLEAN | UUID | TIMESTAMPTZ | JSONB;

    private static final Pattern INTEGER = Pattern.compile("[+-]?(0|[1-9][0-9]*)");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(0|[1-9][0-9]*)?(\\.[0-9]+)?([eE][+-]?[0-9]{1,3})?");
    private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern TIMESTAMP = Pattern.compile(
            "([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?)(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)");

    private static final Pattern SURROGATE_ESCAPE = Pattern.compile("\\\\u[dD][89a-fA-F]");

    private int possible = ALL;
    private boolean seen; // any non-NULL value

    /** A CSV field (null: NULL). */
    void text(String value) {
        if (value == null) {
            return;
        }
        seen = true;
        possible &= textTypes(value, true);
    }

    /** A JSON value (null or missing: NULL). */
    void json(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return;
        }
        seen = true;
        int fits;
        if (value.isObject() || value.isArray()) {
            fits = JSONB;
        } else if (value.isBoolean()) {
            fits = BOOLEAN;
        } else if (value.isNumber()) {
            // The number as written in the file (Jackson keeps integers exact; decimals as BigDecimal text).
            fits = value.isIntegralNumber() ? (value.canConvertToLong() ? BIGINT | NUMERIC : NUMERIC) : NUMERIC;
        } else {
            fits = textTypes(value.asText(), false) & (UUID | TIMESTAMPTZ);
        }
        possible &= fits;
    }

    /** The type: the most specific that every value fits, else text. */
    String type() {
        if (!seen) {
            return "text";
        }
        if ((possible & BIGINT) != 0) {
            return "bigint";
        }
        if ((possible & NUMERIC) != 0) {
            return "numeric";
        }
        if ((possible & BOOLEAN) != 0) {
            return "boolean";
        }
        if ((possible & UUID) != 0) {
            return "uuid";
        }
        if ((possible & TIMESTAMPTZ) != 0) {
            return "timestamptz";
        }
        if ((possible & JSONB) != 0) {
            return "jsonb";
        }
        return "text";
    }

    private static int textTypes(String v, boolean json) {
        int fits = 0;
        if (INTEGER.matcher(v).matches() && fitsLong(v)) {
            fits |= BIGINT | NUMERIC;
        } else if (!v.isEmpty() && DECIMAL.matcher(v).matches() && v.chars().anyMatch(Character::isDigit) && !leadingZero(v)) {
            fits |= NUMERIC;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            fits |= BOOLEAN;
        }
        if (UUID_TEXT.matcher(v).matches()) {
            fits |= UUID;
        }
        if (timestamp(v)) {
            fits |= TIMESTAMPTZ;
        }
        if (json && looksLikeJson(v)) {
            fits |= JSONB;
        }
        return fits;
    }

    private static boolean fitsLong(String v) {
        try {
            Long.parseLong(v.startsWith("+") ? v.substring(1) : v);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** {@code 007.5}: a zero-padded value, kept as text so that its zeros are kept. */
    private static boolean leadingZero(String v) {
        String d = v.startsWith("+") || v.startsWith("-") ? v.substring(1) : v;
        return d.length() > 1 && d.charAt(0) == '0' && d.charAt(1) != '.';
    }

    private static boolean timestamp(String v) {
        Matcher m = TIMESTAMP.matcher(v);
        if (!m.matches()) {
            return false;
        }
        try {
            if (LocalDate.parse(m.group(1)).getYear() < 1) {
                return false; // PostgreSQL has no year 0
            }
            LocalTime.parse(m.group(2));
        } catch (DateTimeParseException e) {
            return false;
        }
        String offset = m.group(5);
        if (offset.length() > 1) {
            int hours = Integer.parseInt(offset.substring(1, 3));
            int minutes = offset.length() > 3 ? Integer.parseInt(offset.substring(offset.length() - 2)) : 0;
            return hours <= 15 && minutes < 60;
        }
        return true;
    }

    private static boolean looksLikeJson(String v) {
        String t = v.strip();
        // jsonb refuses \u0000 and (unpaired) surrogate escapes; text takes them as written.
        if (!(t.startsWith("{") && t.endsWith("}") || t.startsWith("[") && t.endsWith("]")) || t.contains("\\u0000")
                || SURROGATE_ESCAPE.matcher(t).find()) {
            return false;
        }
        try (var parser = TableSampler.JSON.createParser(t)) {
            JsonNode node = TableSampler.JSON.readTree(parser);
            return node != null && (node.isObject() || node.isArray()) && parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}

package dev.ingest.engine.internal.write;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Map;

/**
 * PostgreSQL's binary COPY forms of the common types, from the PostgreSQL text a record's value was
 * converted to. An encoder takes only the texts whose meaning it can prove equal to what the
 * type's input function makes of them, under any session settings: canonical integers in range,
 * {@code true}/{@code false}/{@code t}/{@code f}, hyphenated UUIDs, decimal floats that neither
 * overflow nor underflow to zero, ISO 8601 instants with an explicit offset and at most six
 * fractional digits, and any text for {@code text}, {@code json} and {@code jsonb} (whose binary
 * input runs the same parser as their text input). For every other text it answers false and the
 * caller sends the slice as text COPY, where PostgreSQL itself judges the value: leading zeros,
 * spaces, {@code yes}, {@code NaN}, a timestamp without an offset (it depends on the session's
 * TimeZone), {@code 24:00}, a leap second, an offset PostgreSQL would refuse, and so on.
 */
final class BinaryValues {
    /** Encodes one non-null value's bytes (without the length word); false when it cannot prove it. */
    interface Encoder {
        boolean encode(String text, Buffer out);
    }

    private static final Map<String, Encoder> BY_TYPE = Map.of(
            "pg_catalog.int2", (t, out) -> integer(t, out, Short.MIN_VALUE, Short.MAX_VALUE, 2),
            "pg_catalog.int4", (t, out) -> integer(t, out, Integer.MIN_VALUE, Integer.MAX_VALUE, 4),
            "pg_catalog.int8", (t, out) -> integer(t, out, Long.MIN_VALUE, Long.MAX_VALUE, 8),
            "pg_catalog.bool", BinaryValues::bool,
            "pg_catalog.uuid", BinaryValues::uuid,
            "pg_catalog.float8", BinaryValues::float8,
            "pg_catalog.timestamptz", BinaryValues::timestamptz,
            "pg_catalog.text", (t, out) -> out.utf8(t),
            "pg_catalog.json", (t, out) -> out.utf8(t),
            "pg_catalog.jsonb", (t, out) -> out.u8(1).utf8(t)); // jsonb's binary form: version 1, then its text

    private BinaryValues() {
    }

    /** The encoder of a column's type, by its catalog name ({@code pg_catalog.int8}); null when there is none. */
    static Encoder forType(String castType) {
        return BY_TYPE.get(castType);
    }

    private static boolean integer(String t, Buffer out, long min, long max, int bytes) {
        int n = t.length();
        int start = n > 0 && t.charAt(0) == '-' ? 1 : 0;
        if (n == start || n - start > 19 || t.charAt(start) == '0' && n - start > 1) {
            return false; // empty, too long, or a leading zero
        }
        for (int i = start; i < n; i++) {
            char ch = t.charAt(i);
            if (ch < '0' || ch > '9') {
                return false;
            }
        }
        long v;
        try {
            v = Long.parseLong(t);
        } catch (NumberFormatException e) {
            return false; // beyond a long: PostgreSQL says so itself
        }
        if (v < min || v > max) {
            return false;
        }
        switch (bytes) {
            case 2 -> out.i16((short) v);
            case 4 -> out.i32((int) v);
            default -> out.i64(v);
        }
        return true;
    }

    private static boolean bool(String t, Buffer out) {
        switch (t) {
            case "true", "t" -> out.u8(1);
            case "false", "f" -> out.u8(0);
            default -> {
                return false;
            }
        }
        return true;
    }

    private static boolean uuid(String t, Buffer out) {
        if (t.length() != 36 || t.charAt(8) != '-' || t.charAt(13) != '-' || t.charAt(18) != '-' || t.charAt(23) != '-') {
            return false;
        }
        long hi = 0;
        long lo = 0;
        int digits = 0;
        for (int i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                continue;
            }
            int d = Character.digit(t.charAt(i), 16);
            if (d < 0 || t.charAt(i) > 'f') { // Character.digit also takes non-ASCII digits
                return false;
            }
            if (digits++ < 16) {
                hi = hi << 4 | d;
            } else {
                lo = lo << 4 | d;
            }
        }
        out.i64(hi).i64(lo);
        return true;
    }

    private static boolean float8(String t, Buffer out) {
        int n = t.length();
        int i = n > 0 && t.charAt(0) == '-' ? 1 : 0;
        int intDigits = 0;
        boolean nonZero = false;
        for (; i < n && isDigit(t.charAt(i)); i++, intDigits++) {
            nonZero |= t.charAt(i) != '0';
        }
        if (intDigits == 0) {
            return false;
        }
        if (i < n && t.charAt(i) == '.') {
            int fraction = 0;
            for (i++; i < n && isDigit(t.charAt(i)); i++, fraction++) {
                nonZero |= t.charAt(i) != '0';
            }
            if (fraction == 0) {
                return false;
            }
        }
        if (i < n && (t.charAt(i) == 'e' || t.charAt(i) == 'E')) {
            i++;
            if (i < n && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
                i++;
            }
            int exponent = 0;
            for (; i < n && isDigit(t.charAt(i)); i++, exponent++) {
                // digits of the exponent
            }
            if (exponent == 0) {
                return false;
            }
        }
        if (i != n) {
            return false;
        }
        double v = Double.parseDouble(t); // correctly rounded, as the C library's strtod behind float8in
        if (Double.isInfinite(v) || v == 0 && nonZero) {
            return false; // out of range: PostgreSQL refuses it (22003)
        }
        out.i64(Double.doubleToRawLongBits(v));
        return true;
    }

    private static final long MICROS_2000 = 946_684_800_000_000L; // 2000-01-01T00:00:00Z, PostgreSQL's epoch

    /** {@code YYYY-MM-DD[T ]HH:MM:SS[.f{1,6}](Z|±HH|±HH:MM|±HHMM)}, years 1000 to 9999. */
    private static boolean timestamptz(String t, Buffer out) {
        int n = t.length();
        if (n < 20 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' && t.charAt(10) != ' '
                || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return false;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        if (year < 1000 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return false;
        }
        int i = 19;
        long micros = 0;
        if (t.charAt(i) == '.') {
            int scale = 100_000;
            int start = ++i;
            for (; i < n && isDigit(t.charAt(i)); i++) {
                micros += (t.charAt(i) - '0') * (long) scale;
                scale /= 10;
            }
            if (i == start || i - start > 6) {
                return false; // PostgreSQL rounds a seventh digit: not proven here
            }
        }
        if (i >= n) {
            return false; // no offset: its meaning is the session's TimeZone
        }
        int offsetSeconds;
        char sign = t.charAt(i);
        if (sign == 'Z' && i + 1 == n) {
            offsetSeconds = 0;
        } else if (sign == '+' || sign == '-') {
            int rest = n - i - 1;
            int oh = digits(t, i + 1, 2);
            int om = rest == 2 ? 0 : rest == 5 && t.charAt(i + 3) == ':' ? digits(t, i + 4, 2) : rest == 4 ? digits(t, i + 3, 2) : -1;
            if (oh < 0 || oh > 14 || om < 0 || om > 59) {
                return false;
            }
            offsetSeconds = (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        } else {
            return false;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return false; // February 30th and the like: PostgreSQL refuses them itself
        }
        long seconds = epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
        out.i64(seconds * 1_000_000 + micros - MICROS_2000);
        return true;
    }

    /** The number of {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String t, int from, int count) {
        if (from + count > t.length()) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char ch = t.charAt(i);
            if (!isDigit(ch)) {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    private static boolean isDigit(char ch) {
        return ch >= '0' && ch <= '9';
    }

    /** A growable byte buffer in network byte order, as binary COPY wants. */
    static final class Buffer {
        private byte[] bytes = new byte[64 * 1024];
        private int size;

        int size() {
            return size;
        }

        byte[] array() {
            return bytes;
        }

        void clear() {
            size = 0;
        }

        /** Drops what was written after {@code mark}: a tuple that could not be finished. */
        void truncate(int mark) {
            size = mark;
        }

        Buffer u8(int v) {
            ensure(1);
            bytes[size++] = (byte) v;
            return this;
        }

        Buffer i16(int v) {
            ensure(2);
            bytes[size++] = (byte) (v >>> 8);
            bytes[size++] = (byte) v;
            return this;
        }

        Buffer i32(int v) {
            ensure(4);
            putInt(size, v);
            size += 4;
            return this;
        }

        Buffer i64(long v) {
            ensure(8);
            putInt(size, (int) (v >>> 32));
            putInt(size + 4, (int) v);
            size += 8;
            return this;
        }

        /** Writes the text's UTF-8 bytes. */
        boolean utf8(String text) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            ensure(b.length);
            System.arraycopy(b, 0, bytes, size, b.length);
            size += b.length;
            return true;
        }

        /** Overwrites the four bytes at {@code at} (a length word written before its value). */
        void putInt(int at, int v) {
            bytes[at] = (byte) (v >>> 24);
            bytes[at + 1] = (byte) (v >>> 16);
            bytes[at + 2] = (byte) (v >>> 8);
            bytes[at + 3] = (byte) v;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                byte[] grown = new byte[Math.max(bytes.length * 2, size + more)];
                System.arraycopy(bytes, 0, grown, 0, size);
                bytes = grown;
            }
        }
    }
}

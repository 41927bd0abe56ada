package dev.ingest.engine.internal.sql;

/**
 * PostgreSQL array literals ({@code {"a","b"}}), as array_in reads them: every element quoted
 * (so that no delimiter, brace or blank inside a value is taken for syntax), with double quotes
 * and backslashes escaped, and {@code NULL} for SQL null. Elements are separated by the element
 * type's delimiter ({@code pg_type.typdelim}: a comma, but a semicolon for {@code box}).
 */
public final class ArrayLiterals {
    private ArrayLiterals() {
    }

    /** Appends {@code value} as one element of an array literal: quoted, or {@code NULL}. */
    public static void appendElement(StringBuilder out, String value) {
        if (value == null) {
            out.append("NULL");
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"' || ch == '\\') {
                out.append('\\');
            }
            out.append(ch);
        }
        out.append('"');
    }
}

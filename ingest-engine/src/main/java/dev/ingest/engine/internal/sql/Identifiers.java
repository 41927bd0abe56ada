package dev.ingest.engine.internal.sql;

/**
 * Quoting of SQL identifiers. Only names that were read from the database catalog are ever quoted
 * into SQL text; this makes any such name safe, whatever characters it holds.
 */
public final class Identifiers {
    private Identifiers() {
    }

    /** {@code name} as a quoted identifier: wrapped in double quotes, inner quotes doubled. */
    public static String quote(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("identifier contains NUL");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    public static String qualified(String schema, String name) {
        return quote(schema) + '.' + quote(name);
    }
}

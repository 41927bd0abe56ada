package dev.ingest.api.common;

import dev.ingest.engine.TableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A table named without ambiguity: schema and table apart, exactly as in the catalog. Written
 * the way PostgreSQL writes identifiers: {@code schema.table}, with double quotes around a part
 * that contains a dot, a quote or a space ({@code public."public.events"}); unquoted parts are
 * taken as they are (names are exact-case, as everywhere in the service).
 */
public record TableName(String schema, String table) {
    public TableName {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
    }

    public static TableName of(TableSchema t) {
        return new TableName(t.schema(), t.name());
    }

    /**
     * Parses {@code table}, {@code schema.table} or their quoted forms; a bare table name is in
     * {@code defaultSchema}.
     *
     * @throws IllegalArgumentException for anything else (empty parts, unbalanced quotes, three parts)
     */
    public static TableName parse(String text, String defaultSchema) {
        List<String> parts = parts(text);
        return parts.size() == 1 ? new TableName(defaultSchema, parts.get(0)) : new TableName(parts.get(0), parts.get(1));
    }

    /** Whether {@code text} names its schema (else it is a bare table name). */
    public static boolean qualified(String text) {
        return parts(text).size() == 2;
    }

    private static List<String> parts(String text) {
        List<String> parts = new ArrayList<>(2);
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    part.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    part.append(c);
                }
            } else if (c == '"' && part.length() == 0 && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
            } else if (c == '.') {
                parts.add(checked(part, text));
                part.setLength(0);
                wasQuoted = false;
            } else if (c == '"' || wasQuoted) {
                throw invalid(text);
            } else {
                part.append(c);
            }
        }
        if (quoted) {
            throw invalid(text);
        }
        parts.add(checked(part, text));
        if (parts.size() > 2) {
            throw invalid(text);
        }
        return parts;
    }

    private static String checked(StringBuilder part, String text) {
        if (part.length() == 0) {
            throw invalid(text);
        }
        return part.toString();
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("\"" + text + "\" is not a table name: write table, schema.table, or quote a part "
                + "that has a dot in it, e.g. public.\"my.table\"");
    }

    /** The name as {@link #parse} reads it back. */
    @Override
    public String toString() {
        return part(schema) + "." + part(table);
    }

    private static String part(String identifier) {
        boolean plain = !identifier.isEmpty() && identifier.chars().noneMatch(c -> c == '.' || c == '"' || Character.isWhitespace(c));
        return plain ? identifier : "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}

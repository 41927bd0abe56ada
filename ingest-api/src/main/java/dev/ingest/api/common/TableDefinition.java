package dev.ingest.api.common;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A table to create: its schema, name and typed columns, and the one way its DDL is written, shared
 * by {@code ingest load --create-table} (to print it) and the service's {@code POST /v1/tables}
 * (to run it). Identifiers are always double-quoted (exact case, any character but NUL); types
 * come only from {@link #TYPES}, so nothing from a file reaches the SQL text except as a quoted
 * identifier.
 */
public record TableDefinition(String schema, String name, List<Column> columns) {
    /** The types a column may be given: what inference chooses from. */
    public static final List<String> TYPES = List.of("text", "bigint", "numeric", "double precision", "boolean", "uuid",
            "timestamptz", "jsonb");
    /** PostgreSQL cuts longer identifiers silently (NAMEDATALEN - 1 bytes): refused instead. */
    static final int MAX_IDENTIFIER_BYTES = 63;
    /** PostgreSQL's limit on the columns of a table. */
    static final int MAX_COLUMNS = 1600;

    /** One column: its name as in the file, and one of {@link #TYPES}. */
    public record Column(String name, String type) {
        public Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }
    }

    /** @throws IllegalArgumentException naming what is wrong: a bad identifier, an unknown type, a repeated column */
    public TableDefinition {
        checkIdentifier("schema", schema);
        checkIdentifier("table", name);
        columns = List.copyOf(columns);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        if (columns.size() > MAX_COLUMNS) {
            throw new IllegalArgumentException(columns.size() + " columns: PostgreSQL allows at most " + MAX_COLUMNS);
        }
        Set<String> seen = new HashSet<>();
        for (Column c : columns) {
            checkIdentifier("column", c.name());
            if (!TYPES.contains(c.type())) {
                throw new IllegalArgumentException("column \"" + c.name() + "\": type \"" + c.type() + "\" is not one of " + TYPES);
            }
            if (!seen.add(c.name())) {
                throw new IllegalArgumentException("column \"" + c.name() + "\" is named twice");
            }
        }
    }

    /** {@code CREATE TABLE "schema"."name" ("a" bigint, ...)}, one column per line. */
    public String ddl() {
        return "CREATE TABLE " + quote(schema) + "." + quote(name) + " (\n"
                + columns.stream().map(c -> "  " + quote(c.name()) + " " + c.type()).collect(Collectors.joining(",\n")) + "\n)";
    }

    /** {@code schema.name}, as the service names tables. */
    public String qualifiedName() {
        return schema + "." + name;
    }

    /** An identifier as PostgreSQL reads it back exactly: in double quotes, a quote doubled. */
    public static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static void checkIdentifier(String what, String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            throw new IllegalArgumentException("a " + what + " needs a name (an empty " + what + " name)");
        }
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " name \"" + identifier.replace("\0", "\\0") + "\" contains a NUL character");
        }
        if (identifier.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
            throw new IllegalArgumentException(what + " name \"" + identifier + "\" is longer than PostgreSQL's "
                    + MAX_IDENTIFIER_BYTES + " bytes (it would be cut)");
        }
    }
}

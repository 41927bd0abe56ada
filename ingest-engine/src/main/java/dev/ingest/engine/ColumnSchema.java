package dev.ingest.engine;

import java.util.Objects;

/**
 * One column of an ingestible table, as read from the database catalog.
 *
 * @param name        the column name exactly as stored in the catalog (case-sensitive)
 * @param sqlType     the SQL spelling of the column's type without modifiers, from
 *                    {@code format_type(atttypid, NULL)}, for people (listings, messages); never taken from input
 * @param kind        how values are checked and written
 * @param elementKind the element kind for {@link ColumnKind#ARRAY} columns, otherwise {@code null}
 * @param nullable    false when the column is {@code NOT NULL}
 * @param hasDefault  true when an omitted value takes a DEFAULT (or an identity / serial value)
 * @param writable    false for {@code GENERATED ALWAYS} identity and generated columns
 * @param castType    the type to cast parameters to, by its schema-qualified catalog name
 *                    ({@code "pg_catalog"."bpchar"}): unlike the SQL spelling ({@code character},
 *                    {@code bit}), which means a length of 1 in a cast and would cut the value,
 *                    it carries no type modifier, so the column's own modifier is applied by
 *                    the assignment as in a plain INSERT
 * @param arrayDelimiter what separates the elements of an array literal of the column's type
 *                    ({@code pg_type.typdelim}): a comma, but a semicolon for {@code box} and
 *                    domains over it
 */
public record ColumnSchema(
        String name,
        String sqlType,
        ColumnKind kind,
        ColumnKind elementKind,
        boolean nullable,
        boolean hasDefault,
        boolean writable,
        String castType,
        char arrayDelimiter) {

    /** A column of a type whose array literals are delimited by commas, as all but {@code box}'s are. */
    public ColumnSchema(String name, String sqlType, ColumnKind kind, ColumnKind elementKind, boolean nullable,
            boolean hasDefault, boolean writable, String castType) {
        this(name, sqlType, kind, elementKind, nullable, hasDefault, writable, castType, ',');
    }

    /** A column whose SQL spelling is also what parameters are cast to (no modifier-bearing spelling). */
    public ColumnSchema(String name, String sqlType, ColumnKind kind, ColumnKind elementKind, boolean nullable,
            boolean hasDefault, boolean writable) {
        this(name, sqlType, kind, elementKind, nullable, hasDefault, writable, sqlType);
    }

    public ColumnSchema {
        Objects.requireNonNull(castType, "castType");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sqlType, "sqlType");
        Objects.requireNonNull(kind, "kind");
        if ((kind == ColumnKind.ARRAY) != (elementKind != null)) {
            throw new IllegalArgumentException("elementKind is required for, and only for, arrays: " + name);
        }
    }
}

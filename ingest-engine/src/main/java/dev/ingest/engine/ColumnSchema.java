package dev.ingest.engine;

import java.util.Objects;

/**
 * One column of an ingestible table, as read from the database catalog.
 *
 * @param name        the column name exactly as stored in the catalog (case-sensitive)
 * @param sqlType     the SQL spelling of the column's type without modifiers, from
 *                    {@code format_type(atttypid, NULL)}; used only in casts, never taken from input
 * @param kind        how values are checked and written
 * @param elementKind the element kind for {@link ColumnKind#ARRAY} columns, otherwise {@code null}
 * @param nullable    false when the column is {@code NOT NULL}
 * @param hasDefault  true when an omitted value takes a DEFAULT (or an identity / serial value)
 * @param writable    false for {@code GENERATED ALWAYS} identity and generated columns
 */
public record ColumnSchema(
        String name,
        String sqlType,
        ColumnKind kind,
        ColumnKind elementKind,
        boolean nullable,
        boolean hasDefault,
        boolean writable) {

    public ColumnSchema {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sqlType, "sqlType");
        Objects.requireNonNull(kind, "kind");
        if ((kind == ColumnKind.ARRAY) != (elementKind != null)) {
            throw new IllegalArgumentException("elementKind is required for, and only for, arrays: " + name);
        }
    }
}

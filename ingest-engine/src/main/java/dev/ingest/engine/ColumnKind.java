package dev.ingest.engine;

/**
 * How the engine treats a column's values: what it checks before the database sees them and
 * how it writes them as PostgreSQL text. Derived from the column's (base) type in the catalog.
 */
public enum ColumnKind {
    BOOLEAN,
    SMALLINT,
    INTEGER,
    BIGINT,
    NUMERIC,
    FLOAT,
    TEXT,
    JSON,
    UUID,
    /** Dates, times, intervals, and every other scalar type: written as given, checked by PostgreSQL. */
    OTHER,
    /** A one- or multi-dimensional array; {@link ColumnSchema#elementKind()} tells the element kind. */
    ARRAY
}

package dev.ingest.engine.internal.catalog;

import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.TableSchema;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the ingestible tables from {@code pg_catalog}: ordinary and partitioned tables of the
 * configured schemas on which the connected role holds INSERT. Domains are seen through to their
 * base type, so a domain over {@code int4} converts as an integer and PostgreSQL checks the rest.
 */
public final class CatalogQuery {
    private static final String SQL = """
            SELECT n.nspname, c.relname, a.attname,
                   format_type(a.atttypid, NULL) AS sql_type,
                   quote_ident(tn.nspname) || '.' || quote_ident(t.typname) AS cast_type, t.typdelim AS array_delimiter,
                   bt.typname AS base_type, bt.typcategory AS category, et.typname AS element_type,
                   a.attnotnull, a.atthasdef OR a.attidentity <> '' AS has_default,
                   a.attidentity = 'a' OR a.attgenerated <> '' AS generated,
                   %s AS shape, c.relkind = 'p' AS partitioned
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
              JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
              JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
              LEFT JOIN pg_catalog.pg_type et ON bt.typcategory = 'A' AND et.oid = bt.typelem
             WHERE n.nspname = ANY (?)
               AND c.relkind IN ('r', 'p')
               AND (? OR NOT c.relispartition)
               AND has_table_privilege(c.oid, 'INSERT')
             ORDER BY n.nspname, c.relname, a.attnum
            """.formatted(shapeOf("c.oid"));

    /**
     * Primary keys and unique constraints of the tables, key columns in key order. Partial unique
     * indexes are not constraints and cannot be an ON CONFLICT target by name: left out.
     */
    private static final String KEYS = """
            SELECT n.nspname, c.relname, k.contype,
                   array(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(attnum, ord)
                         JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
                         ORDER BY u.ord)::text[]
              FROM pg_catalog.pg_constraint k
              JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE k.contype IN ('p', 'u') AND n.nspname = ANY (?)
             ORDER BY n.nspname, c.relname, k.contype, k.conname
            """;

    private CatalogQuery() {
    }

    /**
     * SQL for a table's shape: a digest of its columns' names, types (by oid, so a type dropped and
     * created again under the same name differs), and generated/identity kinds, in column order;
     * NULL when {@code relation} (an oid expression) names no table. The catalog records it with
     * each table, and writers compare it inside their transaction, after their inserts took the
     * table's lock, so that no DDL can commit between the comparison and the commit.
     */
    public static String shapeOf(String relation) {
        return "(SELECT md5(string_agg(quote_ident(s.attname) || ' ' || s.atttypid::text || ' ' || s.attgenerated::text"
                + " || s.attidentity::text, ',' ORDER BY s.attnum)) FROM pg_catalog.pg_attribute s WHERE s.attrelid = "
                + relation + " AND s.attnum > 0 AND NOT s.attisdropped)";
    }

    /** Every ingestible table, keyed by {@code schema.name}, in a stable order; partitions only when asked for. */
    public static Map<String, TableSchema> load(Connection connection, List<String> schemas, boolean partitionsAsTables)
            throws SQLException {
        Map<String, List<ColumnSchema>> columns = new LinkedHashMap<>();
        Map<String, String[]> names = new LinkedHashMap<>();
        Map<String, String> shapes = new LinkedHashMap<>();
        Map<String, Boolean> partitioned = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(SQL)) {
            Array schemaArray = connection.createArrayOf("text", schemas.toArray());
            ps.setArray(1, schemaArray);
            ps.setBoolean(2, partitionsAsTables);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String schema = rs.getString(1);
                    String table = rs.getString(2);
                    String key = schema + "." + table; // as TableSchema.qualifiedName() spells it
                    names.putIfAbsent(key, new String[] {schema, table});
                    shapes.putIfAbsent(key, rs.getString("shape"));
                    partitioned.putIfAbsent(key, rs.getBoolean("partitioned"));
                    columns.computeIfAbsent(key, k -> new ArrayList<>()).add(column(rs));
                }
            }
        }
        Map<String, List<Key>> keys = candidateKeys(connection, schemas);
        Map<String, TableSchema> tables = new LinkedHashMap<>();
        names.forEach((key, n) -> tables.put(key, new TableSchema(n[0], n[1], columns.get(key),
                conflictKey(keys.getOrDefault(key, List.of()), columns.get(key)), shapes.get(key), partitioned.get(key))));
        return tables;
    }

    /**
     * The upsert target: among the keys whose columns records can give (not generated), the
     * primary key, or else the only one. None when that is ambiguous.
     */
    static List<String> conflictKey(List<Key> candidates, List<ColumnSchema> columns) {
        List<Key> writable = new ArrayList<>();
        for (Key key : candidates) {
            if (key.columns().stream().allMatch(k -> columns.stream().anyMatch(c -> c.name().equals(k) && c.writable()))) {
                writable.add(key);
            }
        }
        for (Key key : writable) {
            if (key.primary()) {
                return key.columns();
            }
        }
        return writable.size() == 1 ? writable.get(0).columns() : List.of();
    }

    /** A primary key or unique constraint: its columns in key order. */
    record Key(boolean primary, List<String> columns) {
    }

    /** Per table: its primary key and unique constraints. */
    private static Map<String, List<Key>> candidateKeys(Connection connection, List<String> schemas) throws SQLException {
        Map<String, List<Key>> keys = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(KEYS)) {
            ps.setArray(1, connection.createArrayOf("text", schemas.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString(1) + "." + rs.getString(2);
                    keys.computeIfAbsent(table, t -> new ArrayList<>())
                            .add(new Key("p".equals(rs.getString(3)), List.of((String[]) rs.getArray(4).getArray())));
                }
            }
        }
        return keys;
    }

    private static ColumnSchema column(ResultSet rs) throws SQLException {
        String category = rs.getString("category");
        boolean array = "A".equals(category);
        ColumnKind kind = array ? ColumnKind.ARRAY : kindOf(rs.getString("base_type"));
        ColumnKind element = array ? kindOf(rs.getString("element_type")) : null;
        return new ColumnSchema(
                rs.getString("attname"),
                rs.getString("sql_type"),
                kind,
                element,
                !rs.getBoolean("attnotnull"),
                rs.getBoolean("has_default"),
                !rs.getBoolean("generated"),
                rs.getString("cast_type"),
                rs.getString("array_delimiter").charAt(0));
    }

    static ColumnKind kindOf(String typeName) {
        if (typeName == null) {
            return ColumnKind.OTHER;
        }
        return switch (typeName) {
            case "bool" -> ColumnKind.BOOLEAN;
            case "int2" -> ColumnKind.SMALLINT;
            case "int4" -> ColumnKind.INTEGER;
            case "int8" -> ColumnKind.BIGINT;
            case "numeric" -> ColumnKind.NUMERIC;
            case "float4", "float8" -> ColumnKind.FLOAT;
            case "text", "varchar", "bpchar", "name", "citext" -> ColumnKind.TEXT;
            case "json", "jsonb" -> ColumnKind.JSON;
            case "uuid" -> ColumnKind.UUID;
            default -> ColumnKind.OTHER;
        };
    }
}

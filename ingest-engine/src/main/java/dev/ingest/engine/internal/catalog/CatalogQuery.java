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
                   bt.typname AS base_type, bt.typcategory AS category, et.typname AS element_type,
                   a.attnotnull, a.atthasdef OR a.attidentity <> '' AS has_default,
                   a.attidentity = 'a' OR a.attgenerated <> '' AS generated
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
              JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
              LEFT JOIN pg_catalog.pg_type et ON bt.typcategory = 'A' AND et.oid = bt.typelem
             WHERE n.nspname = ANY (?)
               AND c.relkind IN ('r', 'p')
               AND NOT c.relispartition
               AND has_table_privilege(c.oid, 'INSERT')
             ORDER BY n.nspname, c.relname, a.attnum
            """;

    private CatalogQuery() {
    }

    /** Every ingestible table, keyed by {@code schema.name}, in a stable order. */
    public static Map<String, TableSchema> load(Connection connection, List<String> schemas) throws SQLException {
        Map<String, List<ColumnSchema>> columns = new LinkedHashMap<>();
        Map<String, String[]> names = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(SQL)) {
            Array schemaArray = connection.createArrayOf("text", schemas.toArray());
            ps.setArray(1, schemaArray);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String schema = rs.getString(1);
                    String table = rs.getString(2);
                    String key = schema + "." + table;
                    names.putIfAbsent(key, new String[] {schema, table});
                    columns.computeIfAbsent(key, k -> new ArrayList<>()).add(column(rs));
                }
            }
        }
        Map<String, TableSchema> tables = new LinkedHashMap<>();
        names.forEach((key, n) -> tables.put(key, new TableSchema(n[0], n[1], columns.get(key))));
        return tables;
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
                !rs.getBoolean("generated"));
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

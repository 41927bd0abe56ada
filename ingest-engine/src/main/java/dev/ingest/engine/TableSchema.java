package dev.ingest.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An ingestible table: its schema, name and columns in catalog order. Immutable and thread-safe.
 * Column positions ({@link #indexOf}) index the value arrays of {@link IngestRequest} rows.
 */
public final class TableSchema {
    private final String schema;
    private final String name;
    private final List<ColumnSchema> columns;
    private final List<String> conflictKey;
    private final Map<String, Integer> positions;
    private final String shape;
    private final boolean partitioned;
    private final String qualifiedName; // a lookup key on every submit and batch: made once

    public TableSchema(String schema, String name, List<ColumnSchema> columns) {
        this(schema, name, columns, List.of());
    }

    /**
     * @param conflictKey the columns of the primary key, or else of the table's only unique
     *                    constraint: the target of {@link OnConflict#UPDATE}; empty when neither
     */
    public TableSchema(String schema, String name, List<ColumnSchema> columns, List<String> conflictKey) {
        this(schema, name, columns, conflictKey, null);
    }

    /**
     * @param shape the catalog's digest of the table's column names and types when it was read
     *              (see {@link #shape()}); null for a schema not read from a database
     */
    public TableSchema(String schema, String name, List<ColumnSchema> columns, List<String> conflictKey, String shape) {
        this(schema, name, columns, conflictKey, shape, false);
    }

    /** @param partitioned the table is a declaratively partitioned parent (see {@link #partitioned()}) */
    public TableSchema(String schema, String name, List<ColumnSchema> columns, List<String> conflictKey, String shape,
            boolean partitioned) {
        this.shape = shape;
        this.partitioned = partitioned;
        this.schema = Objects.requireNonNull(schema, "schema");
        this.name = Objects.requireNonNull(name, "name");
        this.qualifiedName = schema + "." + name;
        this.columns = List.copyOf(columns);
        this.conflictKey = List.copyOf(conflictKey);
        this.positions = new HashMap<>(columns.size() * 2);
        for (int i = 0; i < this.columns.size(); i++) {
            positions.put(this.columns.get(i).name(), i);
        }
    }

    /**
     * A digest of the columns' names and types as the catalog read them: writers compare it with
     * the table's current one before they commit, and convert again when it changed. Null for a
     * schema not read from a database (nothing is compared then).
     */
    public String shape() {
        return shape;
    }

    public String schema() {
        return schema;
    }

    /**
     * A declaratively partitioned parent ({@code PARTITION BY}): rows go to its partitions, and a
     * statement on it cannot return system columns (an upsert tells inserts from updates another way).
     */
    public boolean partitioned() {
        return partitioned;
    }

    public String name() {
        return name;
    }

    /** {@code schema.name}: how the catalog, the writers and the bookkeeping tables name it. */
    public String qualifiedName() {
        return qualifiedName;
    }

    public List<ColumnSchema> columns() {
        return columns;
    }

    /** The upsert target: primary key columns, or the only unique constraint's; may be empty. */
    public List<String> conflictKey() {
        return conflictKey;
    }

    public ColumnSchema column(int position) {
        return columns.get(position);
    }

    /** The position of the column with exactly this name, or -1 when the table has no such column. */
    public int indexOf(String columnName) {
        Integer position = positions.get(columnName);
        return position == null ? -1 : position;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TableSchema other
                && schema.equals(other.schema) && name.equals(other.name) && columns.equals(other.columns)
                && conflictKey.equals(other.conflictKey) && Objects.equals(shape, other.shape) && partitioned == other.partitioned;
    }

    @Override
    public int hashCode() {
        return Objects.hash(schema, name, columns);
    }

    @Override
    public String toString() {
        return schema + "." + name + columns;
    }
}

package dev.ingest.engine.internal.write;

import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.internal.sql.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/**
 * One multi-row {@code INSERT ... VALUES} with bind parameters. Names come from the catalog and
 * are quoted; each parameter carries an explicit cast to the column's type (without modifiers, so
 * that a too-long varchar is refused by the assignment rather than truncated by the cast).
 */
final class ValuesInsert implements RowWriter {
    static final ValuesInsert INSTANCE = new ValuesInsert();

    /** PostgreSQL's limit on bind parameters in one statement (the protocol counts them in 16 bits). */
    static final int MAX_PARAMETERS = 65535;

    private ValuesInsert() {
    }

    /** How many rows of {@code columnCount} columns fit in one statement. */
    static int maxRows(int columnCount) {
        return columnCount == 0 ? Integer.MAX_VALUE : MAX_PARAMETERS / columnCount;
    }

    @Override
    public int maxRows(RowGroup group) {
        return maxRows(group.columns.length);
    }

    /**
     * The largest power of two that fits: a batch of any size becomes a few statements whose texts
     * repeat from batch to batch (at most ~16 per column set), so pgjdbc prepares each once per
     * connection and PostgreSQL stops parsing statements of tens of thousands of parameters anew.
     */
    @Override
    public int nextChunk(RowGroup group, int remaining) {
        return Integer.highestOneBit(Math.min(remaining, maxRows(group)));
    }

    @Override
    public Written write(Connection c, RowGroup group, int from, int to) throws SQLException {
        int n = to - from;
        if (group.columns.length == 0) {
            // Every column omitted: let each row take all its defaults.
            try (PreparedStatement ps = c.prepareStatement(ConflictClause.statement(
                    "INSERT INTO " + Identifiers.qualified(group.table.schema(), group.table.name())
                            + " SELECT FROM generate_series(1, ?)", group))) {
                ps.setInt(1, n);
                return ConflictClause.execute(ps, group);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(ConflictClause.statement(sql(group.table, group.columns, n), group))) {
            int p = 1;
            for (int r = from; r < to; r++) {
                String[] values = group.rows.get(r).values();
                for (int column : group.columns) {
                    String v = values[column];
                    if (v == null) {
                        ps.setNull(p++, Types.OTHER);
                    } else {
                        ps.setObject(p++, v, Types.OTHER);
                    }
                }
            }
            return ConflictClause.execute(ps, group);
        }
    }

    static String sql(TableSchema table, int[] columns, int rows) {
        StringBuilder tuple = new StringBuilder(columns.length * 16).append('(');
        StringBuilder sql = new StringBuilder(64 + rows * columns.length * 14)
                .append("INSERT INTO ").append(Identifiers.qualified(table.schema(), table.name())).append(" (");
        for (int i = 0; i < columns.length; i++) {
            ColumnSchema column = table.column(columns[i]);
            if (i > 0) {
                sql.append(", ");
                tuple.append(',');
            }
            sql.append(Identifiers.quote(column.name()));
            tuple.append("?::").append(column.castType());
        }
        tuple.append(')');
        sql.append(") VALUES ");
        for (int r = 0; r < rows; r++) {
            if (r > 0) {
                sql.append(',');
            }
            sql.append(tuple);
        }
        return sql.toString();
    }
}

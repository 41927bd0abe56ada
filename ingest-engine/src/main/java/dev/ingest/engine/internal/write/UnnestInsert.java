package dev.ingest.engine.internal.write;

import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.internal.sql.ArrayLiterals;
import dev.ingest.engine.internal.sql.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.UUID;

/**
 * {@code INSERT INTO t (a, b) SELECT * FROM unnest($1::ta[], $2::tb[])}: one bind parameter per
 * column whatever the row count, so the statement text is the same for every batch of a column
 * set and stays prepared on the server. Each parameter is an array literal of the column's values.
 * Groups with array columns or no columns go to {@link ValuesInsert} (unnest would flatten arrays).
 */
final class UnnestInsert implements RowWriter {
    static final UnnestInsert INSTANCE = new UnnestInsert();

    private UnnestInsert() {
    }

    static boolean supports(RowGroup group) {
        return group.everyColumn(c -> c.kind() != ColumnKind.ARRAY);
    }

    @Override
    public int maxRows(RowGroup group) {
        return Integer.MAX_VALUE;
    }

    @Override
    public Written write(Connection c, RowGroup group, int from, int to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ConflictClause.statement(sql(group), group))) {
            bindArrays(ps, group, from, to);
            return ConflictClause.execute(ps, group);
        }
    }

    /**
     * Writes the whole group and the batch's marker ({@link Bookkeeping#MARK_IF_SHAPED}, checking
     * {@code table}'s shape) in one round trip: the two statements in one text, which the driver
     * sends together, the marker after the insert as when sent alone. If the insert fails the
     * server skips the marker, and the caller sees the insert's error. Not for upserts that
     * update (their rows come back as a result set).
     *
     * @throws StaleSchemaException when the table's columns changed (no marker was written)
     */
    Written writeMarked(Connection c, RowGroup group, UUID batchId, TableSchema table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql(group) + ConflictClause.of(group) + "; " + Bookkeeping.MARK_IF_SHAPED)) {
            bindArrays(ps, group, 0, group.size());
            Bookkeeping.bindMark(ps, group.columns.length + 1, batchId, table);
            ps.execute();
            int inserted = ps.getUpdateCount();
            if (ps.getMoreResults() || ps.getUpdateCount() < 0) {
                throw new SQLException("the marker statement gave no update count", "XX000");
            }
            Bookkeeping.checkMarked(ps.getUpdateCount(), table);
            return new Written(inserted, 0);
        }
    }

    /** Binds one array parameter per column of the group, from rows {@code [from, to)}. */
    private static void bindArrays(PreparedStatement ps, RowGroup group, int from, int to) throws SQLException {
        for (int i = 0; i < group.columns.length; i++) {
            ps.setObject(i + 1, literal(group, group.columns[i], from, to), Types.OTHER);
        }
    }

    /**
     * The values of {@code column} in rows {@code [from, to)} as one array literal, separated by
     * the delimiter of the column's type.
     */
    static String literal(RowGroup group, int column, int from, int to) {
        char delimiter = group.table.column(column).arrayDelimiter();
        StringBuilder literal = new StringBuilder(2 + (to - from) * 16).append('{');
        for (int r = from; r < to; r++) {
            if (r > from) {
                literal.append(delimiter);
            }
            ArrayLiterals.appendElement(literal, group.rows.get(r).values()[column]);
        }
        return literal.append('}').toString();
    }

    private static String sql(RowGroup group) {
        StringBuilder names = new StringBuilder();
        StringBuilder arrays = new StringBuilder();
        for (int i = 0; i < group.columns.length; i++) {
            ColumnSchema column = group.table.column(group.columns[i]);
            if (i > 0) {
                names.append(", ");
                arrays.append(", ");
            }
            names.append(Identifiers.quote(column.name()));
            arrays.append("?::").append(column.castType()).append("[]");
        }
        return "INSERT INTO " + Identifiers.qualified(group.table.schema(), group.table.name())
                + " (" + names + ") SELECT * FROM unnest(" + arrays + ")";
    }
}

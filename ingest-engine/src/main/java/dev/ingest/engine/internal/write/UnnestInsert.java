package dev.ingest.engine.internal.write;

import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.internal.sql.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/**
 * {@code INSERT INTO t (a, b) SELECT * FROM unnest($1::ta[], $2::tb[])}: one bind parameter per
 * column whatever the row count, so the statement text is the same for every batch of a column
 * set and stays prepared on the server. Each parameter is an array literal of the column's values.
 * Groups with array columns or no columns go to {@link ValuesInsert} (unnest would flatten arrays),
 * and so do groups of a type whose array literals are not delimited by commas ({@code box}).
 */
final class UnnestInsert implements RowWriter {
    static final UnnestInsert INSTANCE = new UnnestInsert();

    private UnnestInsert() {
    }

    static boolean supports(RowGroup group) {
        // Elements are joined by commas: a type whose array literals use another delimiter (box,
        // and domains over it, use semicolons) would read them as part of its values.
        return group.everyColumn(c -> c.kind() != ColumnKind.ARRAY && c.arrayDelimiter() == ',');
    }

    @Override
    public int maxRows(RowGroup group) {
        return Integer.MAX_VALUE;
    }

    @Override
    public Written write(Connection c, RowGroup group, int from, int to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql(group) + ConflictClause.of(group))) {
            StringBuilder literal = new StringBuilder();
            for (int i = 0; i < group.columns.length; i++) {
                int column = group.columns[i];
                literal.setLength(0);
                literal.append('{');
                for (int r = from; r < to; r++) {
                    if (r > from) {
                        literal.append(',');
                    }
                    appendElement(literal, group.rows.get(r).values()[column]);
                }
                literal.append('}');
                ps.setObject(i + 1, literal.toString(), Types.OTHER);
            }
            return ConflictClause.execute(ps, group);
        }
    }

    /** Appends {@code value} as one element of an array literal: quoted, or {@code NULL}. */
    static void appendElement(StringBuilder out, String value) {
        if (value == null) {
            out.append("NULL");
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"' || ch == '\\') {
                out.append('\\');
            }
            out.append(ch);
        }
        out.append('"');
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

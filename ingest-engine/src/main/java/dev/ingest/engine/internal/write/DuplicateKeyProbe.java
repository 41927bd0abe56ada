package dev.ingest.engine.internal.write;

import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.OnConflict;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.internal.sql.Identifiers;
import dev.ingest.engine.internal.sql.SqlStates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds, in one statement, the records of a slice that a unique violation ({@code 23505}) is
 * about: those whose key is already in the table, and those that repeat the key of an earlier
 * record of the slice. This turns the worst case of bisection (a body of one record repeated:
 * every record bad, each tried alone) into a few statements.
 *
 * <p>The probe only ever <em>removes</em> records it is sure would conflict; the caller still
 * writes the rest and isolates whatever fails there. It is used for the unique index the error
 * names, when that index is over plain columns (no expressions, not partial) that the slice gives,
 * none of them arrays. Key equality is the column type's {@code =}, as for the index; rows with a
 * NULL in the key are never flagged (a NULL repeats nothing under a unique index's default rule),
 * so a {@code NULLS NOT DISTINCT} index is merely not helped. Each refused record gets the
 * message the server gives for it alone: the constraint, then {@code Key (...)=(...) already exists.}
 *
 * <p>Not thread-safe: one per isolating transaction (it caches the index's columns).
 */
final class DuplicateKeyProbe {
    static final String UNIQUE_VIOLATION = "23505";

    /** One record the probe found. {@code repeated}: its key is an earlier record's of the slice, not yet in the table. */
    record Hit(int position, boolean repeated, String message) {
    }

    /** A unique index's key: table column positions, and the names as the server prints them. */
    private record Key(int[] columns, List<String> shown) {
    }

    private static final Key NOT_USABLE = new Key(new int[0], List.of());

    private final Map<String, Key> keys = new HashMap<>();

    /** Whether a failure of {@code g} may be probed at all. */
    static boolean applies(RowGroup g, SQLException failure) {
        return UNIQUE_VIOLATION.equals(failure.getSQLState()) && g.onConflict == OnConflict.ERROR
                && SqlStates.constraintOf(failure) != null && g.columns.length > 0;
    }

    /**
     * The records of {@code g.rows[from, to)} that conflict on the index {@code failure} names,
     * in slice order; null when this index or slice cannot be probed or the probe itself failed
     * (then the caller bisects). Runs under its own savepoint.
     *
     * @param statements counts each statement sent
     */
    List<Hit> find(Connection c, RowGroup g, int from, int to, SQLException failure, Runnable statements)
            throws SQLException {
        String constraint = SqlStates.constraintOf(failure);
        Savepoint savepoint = c.setSavepoint();
        try {
            Key key = keys.get(constraint);
            if (key == null) {
                statements.run();
                key = lookUp(c, g.table, constraint);
                keys.put(constraint, key);
            }
            List<Hit> hits = null;
            if (key != NOT_USABLE && covers(g, key)) {
                statements.run();
                hits = probe(c, g, from, to, key, SqlStates.primaryMessage(failure));
            }
            c.releaseSavepoint(savepoint);
            return hits;
        } catch (SQLException e) {
            if (SqlStates.classify(e) != SqlStates.Kind.DATA) {
                throw e;
            }
            // A value that does not even cast to its column's type, say: leave it to bisection.
            c.rollback(savepoint);
            c.releaseSavepoint(savepoint);
            return null;
        }
    }

    private static boolean covers(RowGroup g, Key key) {
        for (int column : key.columns) {
            boolean given = false;
            for (int c : g.columns) {
                given |= c == column;
            }
            if (!given || g.table.column(column).kind() == ColumnKind.ARRAY) {
                return false;
            }
        }
        return true;
    }

    /** The key columns of the table's unique index {@code name}, or NOT_USABLE. */
    private static Key lookUp(Connection c, TableSchema table, String name) throws SQLException {
        String sql = "SELECT a.attname, pg_get_indexdef(i.indexrelid, k.ord::int, true) "
                + "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
                + "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
                + "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                + "WHERE i.indrelid = ?::regclass AND ic.relname = ? AND i.indisunique "
                + "AND i.indpred IS NULL AND i.indexprs IS NULL AND k.ord <= i.indnkeyatts ORDER BY k.ord";
        List<Integer> columns = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, Identifiers.qualified(table.schema(), table.name()));
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(table.indexOf(rs.getString(1)));
                    shown.add(rs.getString(2));
                }
            }
        }
        if (columns.isEmpty() || columns.contains(-1)) {
            return NOT_USABLE; // no such plain unique index, or a column the catalog does not know yet
        }
        return new Key(columns.stream().mapToInt(Integer::intValue).toArray(), shown);
    }

    private static List<Hit> probe(Connection c, RowGroup g, int from, int to, Key key, String message)
            throws SQLException {
        TableSchema t = g.table;
        StringBuilder arrays = new StringBuilder();
        StringBuilder aliases = new StringBuilder();
        StringBuilder match = new StringBuilder();
        StringBuilder notNull = new StringBuilder();
        StringBuilder partition = new StringBuilder();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < key.columns.length; i++) {
            String sep = i == 0 ? "" : ", ";
            String and = i == 0 ? "" : " AND ";
            String u = "u.k" + i;
            arrays.append(sep).append("?::").append(t.column(key.columns[i]).castType()).append("[]");
            aliases.append("k").append(i).append(", ");
            match.append(and).append("x.").append(Identifiers.quote(t.column(key.columns[i]).name())).append(" = ").append(u);
            notNull.append(and).append(u).append(" IS NOT NULL");
            partition.append(sep).append(u);
            text.append(sep).append(u).append("::text");
        }
        String sql = "SELECT s.n, s.taken, s.shown FROM (SELECT u.n, "
                + "EXISTS (SELECT 1 FROM " + Identifiers.qualified(t.schema(), t.name()) + " x WHERE " + match + ") AS taken, "
                + "(" + notNull + ") AND row_number() OVER (PARTITION BY " + partition + " ORDER BY u.n) > 1 AS repeated, "
                + "concat_ws(', ', " + text + ") AS shown "
                + "FROM unnest(" + arrays + ") WITH ORDINALITY AS u(" + aliases + "n)) s "
                + "WHERE s.taken OR s.repeated ORDER BY s.n";
        String names = String.join(", ", key.shown);
        List<Hit> hits = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < key.columns.length; i++) {
                ps.setObject(i + 1, UnnestInsert.literal(g, key.columns[i], from, to), Types.OTHER);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String detail = "Key (" + names + ")=(" + rs.getString(3) + ") already exists.";
                    hits.add(new Hit(from + rs.getInt(1) - 1, !rs.getBoolean(2), SqlStates.describe(message, detail)));
                }
            }
        }
        return hits;
    }
}

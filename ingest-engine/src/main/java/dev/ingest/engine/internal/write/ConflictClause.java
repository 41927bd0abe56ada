package dev.ingest.engine.internal.write;

import dev.ingest.engine.OnConflict;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.internal.sql.Identifiers;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The ON CONFLICT clause of a row group's INSERT, and how to read what the statement did. An
 * upsert updates the group's columns other than the key, and returns {@code xmax = 0} per row,
 * which is true for a row inserted and false for a row updated. A partitioned table cannot return
 * system columns ("cannot retrieve a system column in this context"): there the upsert returns
 * its rows' keys to an outer query, which asks whether each key was in the table before the
 * statement (the statement's snapshot). Exact unless another transaction inserts the same key
 * after that snapshot and before the upsert reaches it: the update of its row is then counted
 * as an insert. The rows written are the same either way.
 */
final class ConflictClause {
    private ConflictClause() {
    }

    /** The whole statement: {@code insert} (an INSERT without ON CONFLICT) with the group's clause. */
    static String statement(String insert, RowGroup g) {
        if (!updatesColumns(g) || !g.table.partitioned()) {
            return insert + of(g);
        }
        List<String> key = g.table.conflictKey();
        StringBuilder returning = new StringBuilder(" RETURNING ");
        StringBuilder existed = new StringBuilder();
        for (int i = 0; i < key.size(); i++) {
            String k = Identifiers.quote(key.get(i));
            returning.append(i == 0 ? "" : ", ").append(k);
            existed.append(i == 0 ? "" : " AND ").append("t.").append(k).append(" = u.").append(k);
        }
        return "WITH upserted AS (" + insert + update(g) + returning
                + ") SELECT NOT EXISTS (SELECT 1 FROM " + Identifiers.qualified(g.table.schema(), g.table.name())
                + " t WHERE " + existed + ") FROM upserted u";
    }

    static String of(RowGroup g) {
        if (g.onConflict == OnConflict.IGNORE) {
            return " ON CONFLICT DO NOTHING";
        }
        if (g.onConflict != OnConflict.UPDATE) {
            return "";
        }
        return updatesColumns(g) ? update(g) + " RETURNING (xmax = 0)" : target(g) + " DO NOTHING";
    }

    /** {@code ON CONFLICT (key)}. */
    private static String target(RowGroup g) {
        StringBuilder target = new StringBuilder(" ON CONFLICT (");
        List<String> key = g.table.conflictKey();
        for (int i = 0; i < key.size(); i++) {
            target.append(i == 0 ? "" : ", ").append(Identifiers.quote(key.get(i)));
        }
        return target.append(')').toString();
    }

    /** {@code ON CONFLICT (key) DO UPDATE SET} each of the group's columns outside the key, without RETURNING. */
    private static String update(RowGroup g) {
        TableSchema t = g.table;
        StringBuilder set = new StringBuilder(target(g)).append(" DO UPDATE SET ");
        boolean first = true;
        for (int c : g.columns) {
            String name = t.column(c).name();
            if (!t.conflictKey().contains(name)) {
                set.append(first ? "" : ", ").append(Identifiers.quote(name)).append(" = EXCLUDED.").append(Identifiers.quote(name));
                first = false;
            }
        }
        return set.toString();
    }

    /** An upsert whose records give a column outside the key: it updates, and returns a row each. */
    private static boolean updatesColumns(RowGroup g) {
        if (g.onConflict != OnConflict.UPDATE) {
            return false;
        }
        for (int c : g.columns) {
            if (!g.table.conflictKey().contains(g.table.column(c).name())) {
                return true;
            }
        }
        return false;
    }

    /** Runs the statement and says what it did. */
    static Written execute(PreparedStatement ps, RowGroup g) throws SQLException {
        if (!updatesColumns(g)) {
            return new Written(ps.executeUpdate(), 0);
        }
        long inserted = 0;
        long updated = 0;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (rs.getBoolean(1)) {
                    inserted++;
                } else {
                    updated++;
                }
            }
        }
        return new Written(inserted, updated);
    }
}

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
 * which is true for a row inserted and false for a row updated.
 */
final class ConflictClause {
    private ConflictClause() {
    }

    static String of(RowGroup g) {
        if (g.onConflict == OnConflict.IGNORE) {
            return " ON CONFLICT DO NOTHING";
        }
        if (g.onConflict != OnConflict.UPDATE) {
            return "";
        }
        TableSchema t = g.table;
        List<String> key = t.conflictKey();
        StringBuilder target = new StringBuilder(" ON CONFLICT (");
        for (int i = 0; i < key.size(); i++) {
            target.append(i == 0 ? "" : ", ").append(Identifiers.quote(key.get(i)));
        }
        target.append(')');
        StringBuilder set = new StringBuilder();
        for (int c : g.columns) {
            String name = t.column(c).name();
            if (!key.contains(name)) {
                set.append(set.length() == 0 ? " DO UPDATE SET " : ", ")
                        .append(Identifiers.quote(name)).append(" = EXCLUDED.").append(Identifiers.quote(name));
            }
        }
        return set.length() == 0 ? target + " DO NOTHING" : target + set.toString() + " RETURNING (xmax = 0)";
    }

    /** Runs the statement and says what it did, for {@code rows} rows given. */
    static Written execute(PreparedStatement ps, RowGroup g) throws SQLException {
        if (g.onConflict != OnConflict.UPDATE || !of(g).endsWith("RETURNING (xmax = 0)")) {
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

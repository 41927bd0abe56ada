package dev.ingest.engine.internal.write;

import dev.ingest.engine.OnConflict;
import dev.ingest.engine.internal.sql.Identifiers;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * {@code COPY t (a, b) FROM STDIN} in PostgreSQL's text format, through pgjdbc's CopyManager,
 * inside the writer's transaction (so a savepoint can isolate a failing slice as for INSERTs).
 * Values are already PostgreSQL text; only the format's escapes are added. Groups with no columns
 * go to {@link ValuesInsert}.
 */
final class CopyFromStdin implements RowWriter {
    static final CopyFromStdin INSTANCE = new CopyFromStdin();
    private static final int FLUSH_BYTES = 256 * 1024;

    private CopyFromStdin() {
    }

    /** COPY has no ON CONFLICT: groups with a conflict mode go to another writer. */
    static boolean supports(RowGroup group) {
        return group.columns.length > 0 && group.onConflict == OnConflict.ERROR;
    }

    @Override
    public int maxRows(RowGroup group) {
        return Integer.MAX_VALUE;
    }

    @Override
    public Written write(Connection c, RowGroup group, int from, int to) throws SQLException {
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        CopyIn in = copy.copyIn(sql(group));
        try {
            StringBuilder buffer = new StringBuilder(64 * 1024);
            for (int r = from; r < to; r++) {
                String[] values = group.rows.get(r).values();
                for (int i = 0; i < group.columns.length; i++) {
                    if (i > 0) {
                        buffer.append('\t');
                    }
                    appendEscaped(buffer, values[group.columns[i]]);
                }
                buffer.append('\n');
                if (buffer.length() >= FLUSH_BYTES) {
                    send(in, buffer);
                }
            }
            send(in, buffer);
            return new Written(in.endCopy(), 0);
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    private static void send(CopyIn in, StringBuilder buffer) throws SQLException {
        byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
        in.writeToCopy(bytes, 0, bytes.length);
        buffer.setLength(0);
    }

    /** Text format: NULL is {@code \N}; backslash, tab, newline and carriage return are escaped. */
    private static void appendEscaped(StringBuilder out, String value) {
        if (value == null) {
            out.append("\\N");
            return;
        }
        if (!needsEscape(value)) {
            out.append(value); // the common case: one bulk copy
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(ch);
            }
        }
    }

    private static boolean needsEscape(String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
                return true;
            }
        }
        return false;
    }

    /** {@code COPY t (a, b) FROM STDIN}, text format; binary COPY appends its option. */
    static String sql(RowGroup group) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < group.columns.length; i++) {
            if (i > 0) {
                names.append(", ");
            }
            names.append(Identifiers.quote(group.table.column(group.columns[i]).name()));
        }
        return "COPY " + Identifiers.qualified(group.table.schema(), group.table.name()) + " (" + names + ") FROM STDIN";
    }
}

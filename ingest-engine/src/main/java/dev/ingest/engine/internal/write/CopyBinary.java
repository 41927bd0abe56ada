package dev.ingest.engine.internal.write;

import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.OnConflict;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * {@code COPY t (a, b) FROM STDIN WITH (FORMAT binary)}: the rows in PostgreSQL's binary COPY
 * format, which the server stores without running the types' text parsers. Only for groups whose
 * every column has a {@link BinaryValues} encoder; a slice holding a value that its encoder cannot
 * prove (see there) goes as {@link CopyFromStdin} text instead, so that PostgreSQL judges it as it
 * judges any text. The slice is encoded whole before the COPY starts: a COPY once begun cannot
 * change its format without failing the transaction.
 */
final class CopyBinary implements RowWriter {
    static final CopyBinary INSTANCE = new CopyBinary();
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final int SEND_BYTES = 256 * 1024;
    private static final int KEEP_BYTES = 4 * 1024 * 1024;
    // The writer thread's buffer, reused from batch to batch; one writer per thread.
    private static final ThreadLocal<BinaryValues.Buffer> BUFFERS = ThreadLocal.withInitial(BinaryValues.Buffer::new);

    private CopyBinary() {
    }

    /** Conflict-free groups whose every column's type has a binary encoder. */
    static boolean supports(RowGroup group) {
        return group.onConflict == OnConflict.ERROR && group.everyColumn(c -> BinaryValues.forType(c.castType()) != null);
    }

    @Override
    public int maxRows(RowGroup group) {
        return Integer.MAX_VALUE;
    }

    @Override
    public Written write(Connection c, RowGroup group, int from, int to) throws SQLException {
        BinaryValues.Buffer buffer = BUFFERS.get();
        buffer.clear();
        if (!encode(group, from, to, buffer)) {
            return CopyFromStdin.INSTANCE.write(c, group, from, to);
        }
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(CopyFromStdin.sql(group) + " WITH (FORMAT binary)");
        try {
            for (int at = 0; at < buffer.size(); at += SEND_BYTES) {
                in.writeToCopy(buffer.array(), at, Math.min(SEND_BYTES, buffer.size() - at));
            }
            return new Written(in.endCopy(), 0);
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
            if (buffer.array().length > KEEP_BYTES) {
                BUFFERS.remove(); // one huge request does not pin its buffer for the writer's life
            }
        }
    }

    /** The whole COPY stream of the slice into {@code out}; false if some value has no proven binary form. */
    static boolean encode(RowGroup group, int from, int to, BinaryValues.Buffer out) {
        int[] columns = group.columns;
        BinaryValues.Encoder[] encoders = new BinaryValues.Encoder[columns.length];
        for (int i = 0; i < columns.length; i++) {
            ColumnSchema column = group.table.column(columns[i]);
            encoders[i] = BinaryValues.forType(column.castType());
        }
        for (byte b : HEADER) {
            out.u8(b);
        }
        for (int r = from; r < to; r++) {
            String[] values = group.rows.get(r).values();
            out.i16(columns.length);
            for (int i = 0; i < columns.length; i++) {
                String value = values[columns[i]];
                if (value == null) {
                    out.i32(-1);
                    continue;
                }
                int lengthAt = out.size();
                out.i32(0);
                if (!encoders[i].encode(value, out)) {
                    return false;
                }
                out.putInt(lengthAt, out.size() - lengthAt - 4);
            }
        }
        out.i16(-1);
        return true;
    }
}

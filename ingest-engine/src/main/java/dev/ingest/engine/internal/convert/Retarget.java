package dev.ingest.engine.internal.convert;

import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.IngestRequest.Row;
import dev.ingest.engine.RecordSink;
import dev.ingest.engine.Rejection;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.internal.sql.SqlStates;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Moves a request onto a later version of its table, read after DDL committed: each row's values
 * are carried over by column name, and a record that gave a value for a column the table no longer
 * has is refused as PostgreSQL refuses it (42703), keeping what was received for the dead-letter
 * table. Values are PostgreSQL text, so a column whose type changed is given the same text and
 * judged by its new type. The estimate of the request's memory does not change. Stateless.
 */
public final class Retarget {
    private Retarget() {
    }

    /** The request as it would have been converted for {@code now}; the request itself when {@code now} is its table. */
    public static IngestRequest onto(IngestRequest request, TableSchema now) {
        TableSchema was = request.table();
        if (now == was) {
            return request;
        }
        int[] from = new int[now.columns().size()];
        for (int i = 0; i < from.length; i++) {
            from[i] = was.indexOf(now.column(i).name());
        }
        List<Row> moved = new ArrayList<>(request.rows().size());
        List<Rejection> rejected = new ArrayList<>(request.rejectedEarly());
        List<String> kept = request.keepsRejects() ? new ArrayList<>(request.keptRecords()) : null;
        for (Row row : request.rows()) {
            String gone = droppedColumnGiven(row, was, now);
            if (gone != null) {
                rejected.add(new Rejection(row.index(), SqlStates.UNDEFINED_COLUMN,
                        "column \"" + gone + "\" of relation \"" + now.name() + "\" does not exist"));
                if (kept != null) {
                    kept.add(RecordJson.ofValues(was, asValues(row)));
                }
                continue;
            }
            String[] values = new String[from.length];
            for (int i = 0; i < from.length; i++) {
                values[i] = from[i] < 0 ? Row.ABSENT : row.values()[from[i]];
            }
            moved.add(new Row(row.index(), values));
        }
        rejected.sort(Comparator.comparingInt(Rejection::index));
        return new IngestRequest(now, moved, rejected, kept, request.bytes(), request.identity(), request.firstIndex(),
                request.endIndex(), request.onConflict(), request.deadLetter(), request.source());
    }

    private static String droppedColumnGiven(Row row, TableSchema was, TableSchema now) {
        for (int i = 0; i < row.values().length; i++) {
            if (!Row.isAbsent(row.values()[i]) && now.indexOf(was.column(i).name()) < 0) {
                return was.column(i).name();
            }
        }
        return null;
    }

    /** The values with {@link RecordSink#ABSENT} for omitted columns, as records are built. */
    private static Object[] asValues(Row row) {
        Object[] out = new Object[row.values().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Row.isAbsent(row.values()[i]) ? RecordSink.ABSENT : row.values()[i];
        }
        return out;
    }
}

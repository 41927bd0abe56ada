package dev.ingest.engine.internal.write;

import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.IngestRequest.Row;
import dev.ingest.engine.OnConflict;
import dev.ingest.engine.TableSchema;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Rows of one batch that can share one INSERT: same table version and the same set of columns
 * given (omitted columns take their DEFAULT, so they are left out of the column list).
 */
final class RowGroup {
    final TableSchema table;
    final int[] columns;
    final OnConflict onConflict;
    final List<Row> rows = new ArrayList<>();
    final List<IngestRequest> owners = new ArrayList<>();
    private final boolean[] present;

    private RowGroup(TableSchema table, int[] columns, OnConflict onConflict) {
        this.table = table;
        this.columns = columns;
        this.onConflict = onConflict;
        this.present = new boolean[table.columns().size()];
        for (int c : columns) {
            present[c] = true;
        }
    }

    /** Whether {@code row} (of this group's table) gives exactly this group's columns. */
    private boolean fits(Row row) {
        String[] values = row.values();
        for (int i = 0; i < values.length; i++) {
            if (Row.isAbsent(values[i]) == present[i]) {
                return false;
            }
        }
        return true;
    }

    /** True when the group has columns and every one of them passes {@code test}: what a writer can carry. */
    boolean everyColumn(Predicate<ColumnSchema> test) {
        if (columns.length == 0) {
            return false;
        }
        for (int column : columns) {
            if (!test.test(table.column(column))) {
                return false;
            }
        }
        return true;
    }

    int size() {
        return rows.size();
    }

    /** A group of the same shape holding only the rows at {@code positions}, in that order. */
    RowGroup part(List<Integer> positions) {
        RowGroup out = new RowGroup(table, columns, onConflict);
        for (int p : positions) {
            out.rows.add(rows.get(p));
            out.owners.add(owners.get(p));
        }
        return out;
    }

    /** The end of the run of rows from {@code from} that belong to the same request. */
    int ownerRunEnd(int from) {
        IngestRequest owner = owners.get(from);
        int end = from + 1;
        while (end < owners.size() && owners.get(end) == owner) {
            end++;
        }
        return end;
    }

    /**
     * Splits a batch into groups, keeping body order within each group. Rows nearly always give the
     * same columns as the row before, so that is checked first, without allocating.
     */
    static List<RowGroup> of(List<IngestRequest> batch) {
        Map<Key, RowGroup> groups = new LinkedHashMap<>();
        RowGroup last = null;
        for (IngestRequest request : batch) {
            for (Row row : request.rows()) {
                if (last != null && last.table == request.table() && last.onConflict == request.onConflict()
                        && (request.onConflict() == OnConflict.ERROR || last.owners.get(0) == request) && last.fits(row)) {
                    last.rows.add(row);
                    last.owners.add(request);
                    continue;
                }
                BitSet present = new BitSet(row.values().length);
                for (int i = 0; i < row.values().length; i++) {
                    if (!Row.isAbsent(row.values()[i])) {
                        present.set(i);
                    }
                }
                // Upserts get statements of their own per request, so that what each statement did
                // (inserted, updated, ignored) is that request's.
                Object owner = request.onConflict() == OnConflict.ERROR ? null : request;
                RowGroup g = groups.computeIfAbsent(new Key(request.table(), present, request.onConflict(), owner),
                        k -> new RowGroup(k.table, k.present.stream().toArray(), k.onConflict));
                g.rows.add(row);
                g.owners.add(request);
                last = g;
            }
        }
        return new ArrayList<>(groups.values());
    }

    private record Key(TableSchema table, BitSet present, OnConflict onConflict, Object owner) {
        @Override
        public boolean equals(Object o) {
            // Identity for the table (rows of one table version share a TableSchema instance) and
            // for the owning request of an upsert.
            return o instanceof Key k && k.table == table && k.present.equals(present) && k.onConflict == onConflict
                    && k.owner == owner;
        }

        @Override
        public int hashCode() {
            return Objects.hash(System.identityHashCode(table), present, onConflict, System.identityHashCode(owner));
        }
    }
}

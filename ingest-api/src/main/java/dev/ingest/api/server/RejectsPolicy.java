package dev.ingest.api.server;

import dev.ingest.api.common.TableName;
import dev.ingest.engine.TableSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * Which tables keep the rejected records of every request in {@code ingest.rejects}, as the
 * operator configured them ({@code keep_rejects}): named {@code schema.table}, or by a bare
 * table name, which matches that table in every schema (as the {@code tables} section does).
 * A request can ask for the same itself ({@code rejects=keep}). Immutable and thread-safe.
 */
public final class RejectsPolicy {
    /** Keeps the rejects of no table unless a request asks. */
    public static final RejectsPolicy NONE = new RejectsPolicy(List.of(), List.of());

    private final List<TableName> qualified;
    private final List<String> bare;

    private RejectsPolicy(List<TableName> qualified, List<String> bare) {
        this.qualified = qualified;
        this.bare = bare;
    }

    /**
     * @throws IllegalArgumentException naming the first malformed entry
     */
    public static RejectsPolicy of(List<String> names) {
        List<TableName> qualified = new ArrayList<>();
        List<String> bare = new ArrayList<>();
        for (String name : names) {
            try {
                if (TableName.qualified(name.trim())) {
                    qualified.add(TableName.parse(name.trim(), "public"));
                } else {
                    bare.add(TableName.parse(name.trim(), "public").table());
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("keep_rejects: " + e.getMessage());
            }
        }
        return qualified.isEmpty() && bare.isEmpty() ? NONE : new RejectsPolicy(List.copyOf(qualified), List.copyOf(bare));
    }

    /** Whether every request for {@code table} keeps its rejected records. */
    public boolean keeps(TableSchema table) {
        return bare.contains(table.name()) || qualified.contains(TableName.of(table));
    }
}

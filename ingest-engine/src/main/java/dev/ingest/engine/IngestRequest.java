package dev.ingest.engine;

import dev.ingest.engine.internal.convert.ConversionException;
import dev.ingest.engine.internal.convert.RecordJson;
import dev.ingest.engine.internal.convert.ValueConverter;
import dev.ingest.engine.internal.sql.SqlStates;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The records of one client request for one table, converted and ready to queue, with the future
 * that completes when they are committed.
 *
 * <p>Built on one thread with {@link #builder(TableSchema)}; after {@link IngestEngine#submit} it
 * belongs to the engine, and {@link #result()} is the only part the caller still touches.
 */
public final class IngestRequest {
    // Replaced by retarget() on the writer thread that owns the request after submission.
    private volatile TableSchema table;
    private volatile List<Row> rows;
    private volatile List<Rejection> refused;
    private final long bytes;
    private final String idempotencyScope;
    private final String idempotencyKey;
    private final Fingerprint fingerprint;
    private final int firstIndex;
    private final int endIndex;
    private final OnConflict onConflict;
    private volatile List<String> refusedRecords;
    private final boolean queued;
    private final String source;
    private final CompletableFuture<IngestResult> result = new CompletableFuture<>();

    private IngestRequest(TableSchema table, List<Row> rows, List<Rejection> refused, long bytes,
            String idempotencyScope, String idempotencyKey, Fingerprint fingerprint, int firstIndex, int endIndex,
            OnConflict onConflict, List<String> refusedRecords, boolean queued, String source) {
        this.source = source;
        this.queued = queued;
        this.onConflict = onConflict;
        this.refusedRecords = refusedRecords;
        this.table = table;
        this.rows = rows;
        this.refused = refused;
        this.bytes = bytes;
        this.idempotencyScope = idempotencyScope;
        this.idempotencyKey = idempotencyKey;
        this.fingerprint = fingerprint;
        this.firstIndex = firstIndex;
        this.endIndex = endIndex;
    }

    public static Builder builder(TableSchema table) {
        return new Builder(table, 0);
    }

    /**
     * A builder whose first record has body index {@code firstIndex}: for one segment of a
     * streamed body, so that rejections name positions in the whole body.
     */
    public static Builder builder(TableSchema table, int firstIndex) {
        return new Builder(table, firstIndex);
    }

    public TableSchema table() {
        return table;
    }

    /** The records that passed conversion, in body order. */
    public List<Row> rows() {
        return rows;
    }

    /** The records refused during conversion, before any database work. */
    public List<Rejection> refusedEarly() {
        return refused;
    }

    /**
     * Whether no client waits for the answer ({@code ack=queued}): refused records go to the
     * dead-letter table {@code ingest.rejects} (see {@link #keepsRejects()}), and so do all the
     * records when the database refuses the batch as a whole, since nobody else would hear of them.
     */
    public boolean deadLetter() {
        return queued;
    }

    /**
     * Whether refused records are written to {@code ingest.rejects}, once, in the same transaction
     * as the accepted rows: for every {@linkplain #deadLetter() dead-letter} request, and for a
     * request whose client waits for the answer but asked to keep them too. A request that fails as
     * a whole (its exception) keeps nothing unless it is a dead-letter one.
     */
    public boolean keepsRejects() {
        return refusedRecords != null;
    }

    /**
     * The records of {@link #refusedEarly()} as JSON text, in the same order; only for a request
     * that {@linkplain #keepsRejects() keeps its rejects} (empty otherwise).
     */
    public List<String> refusedEarlyRecords() {
        return refusedRecords == null ? List.of() : refusedRecords;
    }

    /** Where the records come from, for the dead-letter table (a scheduled import's job and file), or null. */
    public String source() {
        return source;
    }

    /** An estimate of the memory the converted rows hold, in bytes. */
    public long bytes() {
        return bytes;
    }

    /** What to do with records that collide with existing rows. */
    public OnConflict onConflict() {
        return onConflict;
    }

    /** The client's idempotency key, or null. The answer is stored under it, with the rows. */
    public String idempotencyKey() {
        return idempotencyKey;
    }

    /**
     * Whose key {@link #idempotencyKey()} is (e.g. one API key's identity): keys of different
     * scopes never meet. Non-null when the key is.
     */
    public String idempotencyScope() {
        return idempotencyScope;
    }

    /** What the key is bound to, stored with it; null when the caller gives none. */
    public Fingerprint fingerprint() {
        return fingerprint;
    }

    /**
     * The request an idempotency key was first used for, so that a repeat can be told from a
     * different request reusing the key.
     *
     * @param request    a digest of the table, format and options
     * @param bodyBytes  how many bytes of the body {@code bodySha256} covers (from the start)
     * @param bodySha256 the SHA-256 of those bytes, in hex
     */
    public record Fingerprint(String request, long bodyBytes, String bodySha256) {
        public Fingerprint {
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(bodySha256, "bodySha256");
        }
    }

    /**
     * The body indexes of the records this request holds: [firstIndex, endIndex), starting at
     * its first record not skipped as committed before. Empty when it holds none.
     */
    public int firstIndex() {
        return firstIndex;
    }

    public int endIndex() {
        return endIndex;
    }

    /**
     * Completes after the accepted rows are committed, with the per-record outcome; completes
     * exceptionally with {@link IngestException} when the engine could not write them at all.
     * Completed on an engine writer thread: callers hop to their own thread before heavy work.
     */
    public CompletableFuture<IngestResult> result() {
        return result;
    }

    /**
     * One converted record.
     *
     * @param index  its 0-based position in the request body
     * @param values PostgreSQL text per table column; {@code null} is SQL NULL and
     *               {@link #isAbsent} marks columns left to their DEFAULT
     */
    public record Row(int index, String[] values) {
        /** The sentinel for an omitted column. Compared by identity, never by value. */
        private static final String ABSENT_TEXT = new String("\u0000absent");

        public static boolean isAbsent(String value) {
            return value == ABSENT_TEXT;
        }

        /** The values with {@link RecordSink#ABSENT} for omitted columns, as records are built. */
        Object[] asValues() {
            Object[] out = new Object[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = isAbsent(values[i]) ? RecordSink.ABSENT : values[i];
            }
            return out;
        }
    }

    /**
     * Moves the request onto {@code now}, a later version of its table read after DDL committed:
     * each row's values are carried over by column name, and a record that gave a value for a
     * column the table no longer has is refused as PostgreSQL refuses it (42703), keeping what was
     * received for the dead-letter table. Values are PostgreSQL text, so a column whose type
     * changed is given the same text and judged by its new type. For the writer that owns the
     * request after submission; {@link #bytes()} does not change.
     */
    public void retarget(TableSchema now) {
        TableSchema was = table;
        if (now == was) {
            return;
        }
        int[] from = new int[now.columns().size()];
        for (int i = 0; i < from.length; i++) {
            from[i] = was.indexOf(now.column(i).name());
        }
        List<Row> moved = new ArrayList<>(rows.size());
        List<Rejection> refusedNow = new ArrayList<>(refused);
        List<String> recordsNow = refusedRecords == null ? null : new ArrayList<>(refusedRecords);
        for (Row row : rows) {
            String gone = droppedColumnGiven(row, was, now);
            if (gone != null) {
                refusedNow.add(new Rejection(row.index(), SqlStates.UNDEFINED_COLUMN,
                        "column \"" + gone + "\" of relation \"" + now.name() + "\" does not exist"));
                if (recordsNow != null) {
                    recordsNow.add(RecordJson.ofValues(was, row.asValues()));
                }
                continue;
            }
            String[] values = new String[from.length];
            for (int i = 0; i < from.length; i++) {
                values[i] = from[i] < 0 ? Row.ABSENT_TEXT : row.values()[from[i]];
            }
            moved.add(new Row(row.index(), values));
        }
        refusedNow.sort(java.util.Comparator.comparingInt(Rejection::index));
        this.rows = List.copyOf(moved);
        this.refused = List.copyOf(refusedNow);
        this.refusedRecords = recordsNow == null ? null : List.copyOf(recordsNow);
        this.table = now;
    }

    private static String droppedColumnGiven(Row row, TableSchema was, TableSchema now) {
        for (int i = 0; i < row.values().length; i++) {
            if (!Row.isAbsent(row.values()[i]) && now.indexOf(was.column(i).name()) < 0) {
                return was.column(i).name();
            }
        }
        return null;
    }

    /** Converts records one by one; a record with a bad value becomes a {@link Rejection}. */
    public static final class Builder implements RecordSink {
        private final TableSchema table;
        private final List<Row> rows = new ArrayList<>();
        private final List<Rejection> refused = new ArrayList<>(0);
        private final int firstIndex;
        private int count;
        private long bytes;
        private String idempotencyScope;
        private String idempotencyKey;
        private Fingerprint fingerprint;
        private OnConflict onConflict = OnConflict.ERROR;
        private java.util.function.IntPredicate skip = i -> false;
        private List<String> refusedRecords; // non-null when refused records are kept
        private boolean queued;
        private String source;
        // The first and last index of records this builder holds (added or refused), skipped ones
        // aside: a request's key range starts at a record committed under no earlier range.
        private int lowest = Integer.MAX_VALUE;
        private int highest = -1;

        private void held(int index) {
            lowest = Math.min(lowest, index);
            highest = Math.max(highest, index);
        }

        private Builder(TableSchema table, int firstIndex) {
            this.table = Objects.requireNonNull(table, "table");
            this.firstIndex = firstIndex;
        }

        /**
         * Adds the next record of the body.
         *
         * @param values one value per table column, in column order, with {@link RecordSink#ABSENT} for
         *               columns the record does not mention; the array is not retained
         */
        @Override
        public Builder add(Object[] values) {
            int index = firstIndex + count++;
            if (skip.test(index)) {
                return this; // committed before under the same idempotency key
            }
            held(index);
            if (values.length != table.columns().size()) {
                throw new IllegalArgumentException("expected " + table.columns().size() + " values, got " + values.length);
            }
            String[] text = new String[values.length];
            long size = 16L + 8L * values.length;
            try {
                for (int i = 0; i < values.length; i++) {
                    Object v = values[i];
                    if (v == RecordSink.ABSENT) {
                        text[i] = Row.ABSENT_TEXT;
                    } else {
                        String t = ValueConverter.toText(v, table.column(i));
                        text[i] = t;
                        size += t == null ? 0 : 40L + 2L * t.length();
                    }
                }
            } catch (ConversionException e) {
                refused.add(new Rejection(index, e.sqlstate(), e.getMessage()));
                if (refusedRecords != null) {
                    keep(RecordJson.ofValues(table, values));
                }
                return this;
            }
            rows.add(new Row(index, text));
            bytes += size;
            return this;
        }

        /**
         * Counts the next record of the body as refused before conversion (a malformed line, a
         * row with the wrong number of fields), with the SQLSTATE that best names the problem.
         */
        public Builder refuse(String sqlstate, String message) {
            return refuse(sqlstate, message, null);
        }

        /**
         * As {@link #refuse(String, String)}, keeping what was received for the dead-letter table:
         * the text of a malformed line, or the fields of a CSV row as a list of strings.
         */
        @Override
        public Builder refuse(String sqlstate, String message, Object raw) {
            int index = firstIndex + count++;
            if (!skip.test(index)) {
                held(index);
                refused.add(new Rejection(index, sqlstate, message));
                if (refusedRecords != null) {
                    keep(RecordJson.ofRaw(raw));
                }
            }
            return this;
        }

        private void keep(String recordJson) {
            refusedRecords.add(recordJson);
            bytes += 40L + 2L * recordJson.length();
        }

        /**
         * Sends refused records to the dead-letter table {@code ingest.rejects} with the batch
         * ({@code ack=queued}). Set before the first record is added.
         */
        public Builder deadLetter(boolean value) {
            if (count > 0) {
                throw new IllegalStateException("deadLetter is set before records are added");
            }
            this.queued = value;
            this.refusedRecords = value ? new ArrayList<>(0) : null;
            return this;
        }

        /**
         * Also writes refused records to {@code ingest.rejects}, with the batch, for a request whose
         * client waits for the answer (which still names them). A dead-letter request keeps them
         * whatever this says. Set before the first record is added.
         */
        public Builder keepRejects(boolean value) {
            if (count > 0) {
                throw new IllegalStateException("keepRejects is set before records are added");
            }
            if (value && refusedRecords == null) {
                this.refusedRecords = new ArrayList<>(0);
            } else if (!value && !queued) {
                this.refusedRecords = null;
            }
            return this;
        }

        /** What to do with records that collide with existing rows (default: refuse them). */
        public Builder onConflict(OnConflict value) {
            this.onConflict = value;
            return this;
        }

        /**
         * Stores the answer under this key of this caller ({@code scope}), in the same
         * transaction as the rows.
         */
        public Builder idempotencyKey(String scope, String key) {
            this.idempotencyScope = Objects.requireNonNull(scope, "scope");
            this.idempotencyKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /** Binds the key to this request: stored with it, compared by later repeats. */
        public Builder fingerprint(Fingerprint value) {
            this.fingerprint = value;
            return this;
        }

        /** Names where the records come from, in the dead-letter table. */
        public Builder source(String value) {
            this.source = value;
            return this;
        }

        /** Records whose index matches are counted but not added: they were committed earlier. */
        public Builder skip(java.util.function.IntPredicate indexes) {
            this.skip = indexes;
            return this;
        }

        /** Whether it holds any record that was not skipped (added or refused). */
        public boolean holdsRecords() {
            return highest >= 0;
        }

        /** Records added so far, good and refused. */
        public int count() {
            return count;
        }

        @Override
        public int nextIndex() {
            return firstIndex + count;
        }

        /** The estimated memory of the converted rows so far. */
        public long bytes() {
            return bytes;
        }

        /**
         * The request. Its {@link IngestRequest#firstIndex()}..{@link IngestRequest#endIndex()}
         * span the records it holds, from the first that was not skipped; empty when it holds none.
         */
        public IngestRequest build() {
            int first = highest < 0 ? firstIndex + count : lowest;
            int end = highest < 0 ? first : highest + 1;
            return new IngestRequest(table, List.copyOf(rows), List.copyOf(refused), bytes, idempotencyScope, idempotencyKey, fingerprint, first, end,
                    onConflict, refusedRecords == null ? null : List.copyOf(refusedRecords), queued, source);
        }
    }
}

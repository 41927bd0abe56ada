package dev.ingest.engine;

import dev.ingest.engine.IngestRequest.Fingerprint;
import dev.ingest.engine.IngestRequest.Row;
import dev.ingest.engine.internal.convert.ConversionException;
import dev.ingest.engine.internal.convert.RecordJson;
import dev.ingest.engine.internal.convert.ValueConverter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * Builds an {@link IngestRequest}: converts records one by one as a decoder adds them (a record
 * with a bad value becomes a {@link Rejection}) and estimates the memory they take.
 *
 * <p>Confined to one thread; not reusable after {@link #build()}.
 */
public final class RequestBuilder implements RecordSink {
    private final TableSchema table;
    private final List<Row> rows = new ArrayList<>();
    private final List<Rejection> rejected = new ArrayList<>(0);
    private final int firstIndex;
    private int count;
    private long bytes;
    private String idempotencyScope;
    private String idempotencyKey;
    private Fingerprint fingerprint;
    private OnConflict onConflict = OnConflict.ERROR;
    private IntPredicate skip = i -> false;
    private List<String> rejectedRecords; // non-null when rejected records are kept
    private boolean queued;
    private String source;
    // The first and last index of records this builder holds (added or rejected), skipped ones
    // aside: a request's key range starts at a record committed under no earlier range.
    private int lowest = Integer.MAX_VALUE;
    private int highest = -1;

    RequestBuilder(TableSchema table, int firstIndex) {
        this.table = Objects.requireNonNull(table, "table");
        this.firstIndex = firstIndex;
    }

    private void held(int index) {
        lowest = Math.min(lowest, index);
        highest = Math.max(highest, index);
    }

    /**
     * Adds the next record of the body.
     *
     * @param values one value per table column, in column order, with {@link RecordSink#ABSENT} for
     *               columns the record does not mention; the array is not retained
     */
    @Override
    public RequestBuilder add(Object[] values) {
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
                    text[i] = Row.ABSENT;
                } else {
                    String t = ValueConverter.toText(v, table.column(i));
                    text[i] = t;
                    size += t == null ? 0 : 40L + 2L * t.length();
                }
            }
        } catch (ConversionException e) {
            rejected.add(new Rejection(index, e.sqlstate(), e.getMessage()));
            if (rejectedRecords != null) {
                keep(RecordJson.ofValues(table, values));
            }
            return this;
        }
        rows.add(new Row(index, text));
        bytes += size;
        return this;
    }

    /**
     * Counts the next record of the body as rejected before conversion (a malformed line, a
     * row with the wrong number of fields), with the SQLSTATE that best names the problem,
     * keeping what was received for the dead-letter table: the text of a malformed line, or the
     * fields of a CSV row as a list of strings.
     */
    @Override
    public RequestBuilder reject(String sqlstate, String message, Object raw) {
        int index = firstIndex + count++;
        if (!skip.test(index)) {
            held(index);
            rejected.add(new Rejection(index, sqlstate, message));
            if (rejectedRecords != null) {
                keep(RecordJson.ofRaw(raw));
            }
        }
        return this;
    }

    private void keep(String recordJson) {
        rejectedRecords.add(recordJson);
        bytes += 40L + 2L * recordJson.length();
    }

    /**
     * Sends rejected records to the dead-letter table {@code ingest.rejects} with the batch
     * ({@code ack=queued}). Set before the first record is added.
     */
    public RequestBuilder deadLetter(boolean value) {
        if (count > 0) {
            throw new IllegalStateException("deadLetter is set before records are added");
        }
        this.queued = value;
        this.rejectedRecords = value ? new ArrayList<>(0) : null;
        return this;
    }

    /**
     * Also writes rejected records to {@code ingest.rejects}, with the batch, for a request whose
     * client waits for the answer (which still names them). A dead-letter request keeps them
     * whatever this says. Set before the first record is added.
     */
    public RequestBuilder keepRejects(boolean value) {
        if (count > 0) {
            throw new IllegalStateException("keepRejects is set before records are added");
        }
        if (value && rejectedRecords == null) {
            this.rejectedRecords = new ArrayList<>(0);
        } else if (!value && !queued) {
            this.rejectedRecords = null;
        }
        return this;
    }

    /** What to do with records that collide with existing rows (default: refuse them). */
    public RequestBuilder onConflict(OnConflict value) {
        this.onConflict = value;
        return this;
    }

    /**
     * Stores the answer under this key of this caller ({@code scope}), in the same
     * transaction as the rows.
     */
    public RequestBuilder idempotencyKey(String scope, String key) {
        this.idempotencyScope = Objects.requireNonNull(scope, "scope");
        this.idempotencyKey = Objects.requireNonNull(key, "key");
        return this;
    }

    /** Binds the key to this request: stored with it, compared by later repeats. */
    public RequestBuilder fingerprint(Fingerprint value) {
        this.fingerprint = value;
        return this;
    }

    /** Names where the records come from, in the dead-letter table. */
    public RequestBuilder source(String value) {
        this.source = value;
        return this;
    }

    /** Records whose index matches are counted but not added: they were committed earlier. */
    public RequestBuilder skip(IntPredicate indexes) {
        this.skip = indexes;
        return this;
    }

    /** Whether it holds any record that was not skipped (added or rejected). */
    public boolean holdsRecords() {
        return highest >= 0;
    }

    /** Records added so far, good and rejected. */
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
        IngestRequest.Key key = idempotencyKey == null ? null : new IngestRequest.Key(idempotencyScope, idempotencyKey, fingerprint);
        return new IngestRequest(table, rows, rejected, rejectedRecords, bytes, key, first, end, onConflict, queued, source);
    }
}

package dev.ingest.engine;

import java.util.List;
import java.util.Objects;

/**
 * The records of one client request for one table, converted and ready to queue: an immutable
 * value, built with {@link #builder(TableSchema)} and handed to {@link IngestEngine#submit}, whose
 * {@link Submission} carries the outcome. Thread-safe.
 *
 * @param table        the table version the rows were converted for
 * @param rows         the records that passed conversion, in body order
 * @param rejectedEarly the records refused during conversion, before any database work
 * @param keptRecords  the records of {@code rejectedEarly} as JSON text, in the same order, when
 *                     refused records are written to {@code ingest.rejects}; null otherwise
 * @param bytes        an estimate of the memory the converted rows hold
 * @param identity     the idempotency key with its scope and fingerprint, or null
 * @param firstIndex   the body index of the first record held, from the first one not skipped as
 *                     committed before; equal to {@code endIndex} when it holds none
 * @param endIndex     one past the body index of the last record held
 * @param onConflict   what to do with records that collide with existing rows
 * @param deadLetter   whether no client waits for the answer ({@code ack=queued}): refused records
 *                     go to {@code ingest.rejects}, and so do all the records when the database
 *                     refuses the batch as a whole, since nobody else would hear of them
 * @param source       where the records come from, for the dead-letter table, or null
 */
public record IngestRequest(TableSchema table, List<Row> rows, List<Rejection> rejectedEarly, List<String> keptRecords,
        long bytes, Key identity, int firstIndex, int endIndex, OnConflict onConflict, boolean deadLetter, String source) {

    public IngestRequest {
        Objects.requireNonNull(table, "table");
        rows = List.copyOf(rows);
        rejectedEarly = List.copyOf(rejectedEarly);
        keptRecords = keptRecords == null ? null : List.copyOf(keptRecords);
    }

    public static RequestBuilder builder(TableSchema table) {
        return new RequestBuilder(table, 0);
    }

    /** A builder whose first record has body index {@code firstIndex}: one segment of a streamed body. */
    public static RequestBuilder builder(TableSchema table, int firstIndex) {
        return new RequestBuilder(table, firstIndex);
    }

    /**
     * Whether refused records are written to {@code ingest.rejects}, once, in the same transaction
     * as the accepted rows: for every dead-letter request, and for one whose client waits for the
     * answer but asked to keep them too.
     */
    public boolean keepsRejects() {
        return keptRecords != null;
    }

    /** The JSON text of {@link #rejectedEarly()}'s records; empty unless it {@linkplain #keepsRejects() keeps them}. */
    public List<String> rejectedEarlyRecords() {
        return keptRecords == null ? List.of() : keptRecords;
    }

    /** The client's idempotency key, or null. The answer is stored under it, with the rows. */
    public String idempotencyKey() {
        return identity == null ? null : identity.key();
    }

    /** Whose key {@link #idempotencyKey()} is: keys of different scopes never meet. */
    public String idempotencyScope() {
        return identity == null ? null : identity.scope();
    }

    /** What the key is bound to, stored with it; null when the caller gives none. */
    public Fingerprint fingerprint() {
        return identity == null ? null : identity.fingerprint();
    }

    /** Whether nothing of it needs a writer: no rows, no answer to store, no refused record to keep. */
    public boolean needsNoWriter() {
        return rows.isEmpty() && (identity == null || firstIndex == endIndex) && (keptRecords == null || rejectedEarly.isEmpty());
    }

    /** An idempotency key of one caller ({@code scope}), with what it is bound to (nullable). */
    public record Key(String scope, String key, Fingerprint fingerprint) {
        public Key {
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(key, "key");
        }
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
     * One converted record.
     *
     * @param index  its 0-based position in the request body
     * @param values PostgreSQL text per table column; {@code null} is SQL NULL and
     *               {@link #ABSENT} (compared by identity) marks columns left to their DEFAULT
     */
    public record Row(int index, String[] values) {
        /** The text of an omitted column. Compared by identity, never by value. */
        @SuppressWarnings("StringOperationCanBeSimplified")
        public static final String ABSENT = new String("\u0000absent");

        public static boolean isAbsent(String value) {
            return value == ABSENT;
        }
    }
}

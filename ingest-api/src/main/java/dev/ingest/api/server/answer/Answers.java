package dev.ingest.api.server.answer;

import dev.ingest.api.formats.BodyException;
import dev.ingest.engine.Admission;
import dev.ingest.engine.EngineStats;
import dev.ingest.engine.IngestEngine;
import dev.ingest.engine.IngestException;
import dev.ingest.engine.RequestAnswer;
import dev.ingest.engine.TableSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one map from what happened to what a client is told: the HTTP status, the stable
 * {@code error} code and the {@code Retry-After} of every answer that is not a plain success,
 * for every handler. What it maps: the engine's {@link Admission} refusals, whole-request
 * failures ({@link IngestException}, by SQLSTATE), failures of the database to create a table (by
 * SQLSTATE), body problems ({@link BodyException.Problem}), upload results (200, or 422 when every
 * record was refused), and the handlers' own refusals of a request line, a header or a key. A
 * client's retry policy can rest on the status alone: only what may succeed when sent again later
 * is 429 or 503 with {@code Retry-After}; what fails the same way on every retry is a 4xx that
 * says what to fix. Where a drain rate does not say when to retry, the {@code Retry-After} is
 * the caller's {@code unavailableRetryAfter} (the service's {@code HttpConfig#unavailableRetryAfter}).
 *
 * <table>
 *   <caption>Engine admission and whole-request failures</caption>
 *   <tr><th>What happened</th><th>Status</th><th>{@code error}</th></tr>
 *   <tr><td>{@link Admission#BUDGET_FULL}</td><td>429 + Retry-After</td><td>busy</td></tr>
 *   <tr><td>{@link Admission#QUEUE_FULL}</td><td>429 + Retry-After</td><td>queue_full</td></tr>
 *   <tr><td>{@link Admission#DATABASE_DOWN}</td><td>503 + Retry-After</td><td>database_unavailable</td></tr>
 *   <tr><td>{@link Admission#CLOSED}</td><td>503 + Retry-After (the unavailable one)</td><td>shutting_down</td></tr>
 *   <tr><td>retryable failure (outage, shutdown, internal error)</td><td>503 + Retry-After (the unavailable one)</td><td>unavailable</td></tr>
 *   <tr><td>IG001 the table's columns kept changing while writing</td><td>503 + Retry-After (the unavailable one)</td><td>schema_changed</td></tr>
 *   <tr><td>42P01 the table is gone</td><td>404</td><td>unknown_table</td></tr>
 *   <tr><td>42703 a column is gone</td><td>400</td><td>unknown_column</td></tr>
 *   <tr><td>42501 the service's database role may not write</td><td>403</td><td>insufficient_privilege</td></tr>
 *   <tr><td>anything else (data classes 22, 23 and others)</td><td>422</td><td>refused</td></tr>
 *   <tr><td>a body problem</td><td>413 for too many records or a record too long, else 400</td><td>its {@link BodyException#code()}</td></tr>
 *   <tr><td>an upload's records all refused</td><td>422</td><td>all_rejected</td></tr>
 * </table>
 *
 * <p>Thread-safe: static methods without state.
 */
public final class Answers {
    private static final Logger log = LoggerFactory.getLogger(Answers.class);
    static final String SCHEMA_CHANGED = "IG001";
    private static final String DATABASE_DOWN = "the database is unavailable and the service holds as many records as it may "
            + "until it is back";
    private static final String UNAVAILABLE = "the database is unavailable; retry later";

    private Answers() {
    }

    /**
     * What the service held when the engine refused a request, for the answer's message.
     *
     * @param table             the table's name as the client gave it
     * @param queueDepth        requests waiting in the table's queue
     * @param budgetUsed        bytes of the memory budget in use
     * @param budgetLimit       bytes the memory budget allows
     * @param retryAfterSeconds when to try again, from the observed drain rate
     */
    public record Backlog(String table, int queueDepth, long budgetUsed, long budgetLimit, int retryAfterSeconds) {
        /** What {@code engine} holds now, for a refused request of {@code bytes} for {@code table}. */
        public static Backlog of(IngestEngine engine, TableSchema table, long bytes) {
            EngineStats stats = engine.stats();
            return new Backlog(table.name(), engine.queueDepth(table), stats.budgetUsedBytes(), stats.budgetLimitBytes(),
                    engine.retryAfterSeconds(bytes));
        }
    }

    /**
     * The answer to a request the engine refused.
     *
     * @param unavailableRetryAfter the {@code Retry-After} of {@link Admission#CLOSED}, in seconds
     * @throws IllegalArgumentException for {@link Admission#ACCEPTED}: an accepted request is answered by its result
     */
    public static Answer refused(Admission admission, Backlog backlog, int unavailableRetryAfter) {
        int retryAfter = backlog.retryAfterSeconds();
        return switch (admission) {
            case BUDGET_FULL -> new Answer(429, "busy", "the service holds as many records as its memory budget allows ("
                    + backlog.budgetUsed() + " of " + backlog.budgetLimit() + " bytes); retry later", null, retryAfter);
            case QUEUE_FULL -> new Answer(429, "queue_full", "the queue of table \"" + backlog.table() + "\" is full ("
                    + backlog.queueDepth() + " requests waiting)", null, retryAfter);
            case DATABASE_DOWN -> new Answer(503, "database_unavailable", DATABASE_DOWN, null, retryAfter);
            case CLOSED -> new Answer(503, "shutting_down", "the service is shutting down", null, unavailableRetryAfter);
            case ACCEPTED -> throw new IllegalArgumentException("an accepted request is answered by its result");
        };
    }

    /**
     * The answer to {@code e}, a failure of a request for table {@code table} (its name as the client gave it or qualified).
     *
     * @param unavailableRetryAfter the {@code Retry-After} of a failure that may succeed on a retry, in seconds
     */
    public static Answer failed(IngestException e, String table, int unavailableRetryAfter) {
        String state = e.sqlstate();
        if (e.retryable()) {
            return new Answer(503, "unavailable", retryableMessage(e), state, unavailableRetryAfter);
        }
        return switch (state) {
            case SCHEMA_CHANGED -> new Answer(503, "schema_changed", "the columns of table \"" + table
                    + "\" changed repeatedly while the records were written; send them again", state, unavailableRetryAfter);
            case "42P01" -> new Answer(404, "unknown_table", "table \"" + table
                    + "\" no longer exists; create it again, or send the records to another table", state, 0);
            case "42703" -> new Answer(400, "unknown_column", e.getMessage()
                    + "; send only columns the table has (GET /v1/tables lists them)", state, 0);
            case "42501" -> new Answer(403, "insufficient_privilege", "the database refused the service's own role: "
                    + e.getMessage() + "; an operator must grant it INSERT on table \"" + table + "\"", state, 0);
            default -> new Answer(422, "refused", e.getMessage(), state, 0);
        };
    }

    /**
     * What a client is told of a write that may succeed on a retry: the engine's message, which
     * is written for clients, except for outages and internal errors, whose details (which may
     * name hosts, ports or classes) belong in the log only.
     */
    private static String retryableMessage(IngestException e) {
        if (e.sqlstate().startsWith("XX") || e.sqlstate().startsWith("08")) {
            log.warn("write failed, the client may retry: sqlstate={} message={}", e.sqlstate(), e.getMessage());
            return e.sqlstate().startsWith("08") ? UNAVAILABLE
                    : "an internal error occurred while writing (it has been logged); retry later";
        }
        return e.getMessage();
    }

    /** The answer to a body that cannot be taken: its code and message (with where), no location fields. */
    public static Answer body(BodyException e) {
        return new Answer(status(e.problem()), e.code(), e.getMessage(), null, 0);
    }

    /** The status of a body problem: too much is 413, the rest is a bad request. */
    static int status(BodyException.Problem problem) {
        return switch (problem) {
            case TOO_MANY_RECORDS, RECORD_TOO_LARGE -> 413;
            case MALFORMED_BODY, INVALID_ENCODING, NESTING_TOO_DEEP, INVALID_VALUE, UNKNOWN_COLUMN, COLUMN_NOT_WRITABLE,
                    DUPLICATE_COLUMN, MALFORMED_CONTENT_ENCODING, TRUNCATED_BODY, MALFORMED_REQUEST -> 400;
        };
    }

    /** A body without a single record. */
    public static Answer emptyBody() {
        return new Answer(400, BodyException.Problem.MALFORMED_BODY.code(), "empty body: expected records", null, 0);
    }

    /**
     * The status line of an upload whose records are answered for: 200 with no error, or 422
     * {@code all_rejected} when every record was refused ({@link Answer#addTo} puts the error after the counts).
     */
    public static Answer result(RequestAnswer result) {
        return switch (result.outcome()) {
            case COMMITTED -> new Answer(200, null, null, null, 0);
            case ALL_REJECTED -> new Answer(422, "all_rejected", "every record was refused; see rejected", null, 0);
        };
    }

    /** The database could not create a table, by SQLSTATE ({@code POST /v1/tables}). */
    public static Answer tableNotCreated(String sqlstate, String message, String table) {
        String detail = message + " (SQLSTATE " + sqlstate + ")";
        return switch (sqlstate) {
            case "42P07" -> new Answer(409, "table_exists", "table " + table + " exists already", null, 0);
            case "42501" -> new Answer(403, "permission_denied", "the service's database role may not create it: " + detail, null, 0);
            case "3F000" -> new Answer(400, "unknown_schema", detail, null, 0);
            default -> sqlstate.startsWith("08") || sqlstate.startsWith("57") || sqlstate.startsWith("53")
                    ? new Answer(503, "database_unavailable", detail, null, 5) : invalidTableDefinition(detail);
        };
    }

    /** The database could not be reached to create a table. */
    public static Answer tableDatabaseUnreachable() {
        return new Answer(503, "database_unavailable", "the database cannot be reached; try again", null, 5);
    }

    public static Answer invalidTableDefinition(String message) {
        return new Answer(400, "invalid_table_definition", message, null, 0);
    }

    public static Answer malformedJson(String message) {
        return new Answer(400, "malformed_json", message, null, 0);
    }

    /** The database is unavailable for a read the answer needs (stored answers, rejects, import jobs). */
    public static Answer unavailable() {
        return unavailable(1);
    }

    /** As {@link #unavailable()}, with a {@code Retry-After} of {@code retryAfterSeconds}. */
    public static Answer unavailable(int retryAfterSeconds) {
        return new Answer(503, "unavailable", UNAVAILABLE, null, retryAfterSeconds);
    }

    /**
     * The database is unavailable for the look-up of a key's stored answers before the body is
     * read. Its {@code Retry-After: 1} has always been a header alone, without
     * {@code retry_after_seconds} in the body, so the caller sets the header; {@link #unavailable}
     * is the same answer with both.
     */
    public static Answer keysUnavailable() {
        return new Answer(503, "unavailable", UNAVAILABLE, null, 0);
    }

    /** Not ready to take writes ({@code /health/ready}); no Retry-After: probes ask again on their own schedule. */
    public static Answer notReady(String message) {
        return new Answer(503, "not_ready", message, null, 0);
    }

    public static Answer unsupportedMediaType(String message) {
        return new Answer(415, "unsupported_media_type", message, null, 0);
    }

    public static Answer unsupportedContentEncoding(String message) {
        return new Answer(415, "unsupported_content_encoding", message, null, 0);
    }

    public static Answer unsupportedParameter(String message) {
        return new Answer(400, "unsupported_parameter", message, null, 0);
    }

    public static Answer missingParameter(String message) {
        return new Answer(400, "missing_parameter", message, null, 0);
    }

    /** A body over the limit of {@code maxBodyBytes}. */
    public static Answer bodyTooLarge(long maxBodyBytes) {
        return payloadTooLarge("the body exceeds the limit of " + maxBodyBytes + " bytes");
    }

    public static Answer payloadTooLarge(String message) {
        return new Answer(413, "payload_too_large", message, null, 0);
    }

    /** The whole body did not arrive within the request timeout. */
    public static Answer requestTimeout(long seconds) {
        return new Answer(408, "request_timeout", "the body did not arrive within " + seconds + " s", null, 0);
    }

    /** No byte of a streamed body arrived for the idle timeout; the message says what was committed. */
    public static Answer bodyTimeout(String message) {
        return new Answer(408, "body_timeout", message, null, 0);
    }

    public static Answer invalidIdempotencyKey(String message) {
        return new Answer(400, "invalid_idempotency_key", message, null, 0);
    }

    /** The key was used before for another request (another body, format or options). */
    public static Answer keyReused(String message) {
        return new Answer(422, "idempotency_key_reused", message, null, 0);
    }

    /** A request with the same key is still being processed. */
    public static Answer inProgress() {
        return new Answer(409, "in_progress", "a request with this Idempotency-Key is still being processed; retry later", null, 0);
    }

    /** {@code on_conflict=update} for a table without a key to upsert on. */
    public static Answer noConflictKey(String table) {
        return new Answer(400, "no_conflict_key", "on_conflict=update needs a key to upsert on: table \"" + table
                + "\" has no primary key or single unique constraint on columns records can give", null, 0);
    }

    /** No ingestible table of the name the client gave. */
    public static Answer unknownTable(String name) {
        return new Answer(404, "unknown_table", "no ingestible table \"" + name + "\"", null, 0);
    }

    /** The caller's API key is not granted the table. */
    public static Answer notGranted(TableSchema table) {
        return forbidden("this API key is not granted table \"" + table.qualifiedName() + "\"");
    }

    public static Answer forbidden(String message) {
        return new Answer(403, "forbidden", message, null, 0);
    }

    public static Answer unknownImport(String name) {
        return new Answer(404, "unknown_import", "no import job \"" + name + "\"", null, 0);
    }

    /** No API key, or one that is not valid. */
    public static Answer unauthorized(String message) {
        return new Answer(401, "unauthorized", message, null, 0);
    }

    /** The API key made more than {@code ratePerSecond} requests per second. */
    public static Answer rateLimited(double ratePerSecond, int retryAfterSeconds) {
        return new Answer(429, "rate_limited", "this API key may make " + ratePerSecond + " requests per second", null,
                retryAfterSeconds);
    }

    /** A request Vert.x could not read. */
    public static Answer badRequest() {
        return new Answer(400, "bad_request", "the request could not be read", null, 0);
    }

    public static Answer noSuchEndpoint(String path) {
        return new Answer(404, "not_found", "no such endpoint: " + path, null, 0);
    }

    /** {@code allowed} lists the methods the path takes (also the {@code Allow} header). */
    public static Answer methodNotAllowed(String method, String path, String allowed) {
        return new Answer(405, "method_not_allowed", method + " is not allowed on " + path + "; use " + allowed, null, 0);
    }

    /** A request in an HTTP version other than 1.0 and 1.1 ({@code version} as the request line gave it). */
    public static Answer httpVersionNotSupported(String version) {
        return new Answer(505, "http_version_not_supported", version + " is not supported: send HTTP/1.1 (or HTTP/1.0)", null, 0);
    }

    /** A defect: no input is meant to get here. */
    public static Answer internalError() {
        return new Answer(500, "internal_error", "an internal error occurred; it has been logged", null, 0);
    }
}

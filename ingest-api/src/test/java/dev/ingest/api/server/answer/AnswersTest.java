package dev.ingest.api.server.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingest.api.formats.BodyException;
import dev.ingest.api.formats.BodyException.Problem;
import dev.ingest.engine.Admission;
import dev.ingest.engine.IngestException;
import dev.ingest.engine.IngestResult;
import dev.ingest.engine.Rejection;
import dev.ingest.engine.RequestAnswer;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The one map from what happened to the answer: status, error code and Retry-After, case by case. */
class AnswersTest {
    private static final Answers.Backlog BACKLOG = new Answers.Backlog("events", 7, 900, 1000, 3);

    @ParameterizedTest(name = "{0} -> {1} {2} Retry-After {3}")
    @CsvSource({
            "BUDGET_FULL,   429, busy,                 3",
            "QUEUE_FULL,    429, queue_full,           3",
            "DATABASE_DOWN, 503, database_unavailable, 3",
            "CLOSED,        503, shutting_down,        1"})
    void eachRefusalOfTheEngineHasOneAnswer(Admission admission, int status, String code, int retryAfter) {
        Answer a = Answers.refused(admission, BACKLOG, 1);
        assertThat(a.status()).isEqualTo(status);
        assertThat(a.code()).isEqualTo(code);
        assertThat(a.retryAfterSeconds()).isEqualTo(retryAfter);
        assertThat(a.body().getInteger("retry_after_seconds")).isEqualTo(retryAfter);
        assertThat(a.body().containsKey("sqlstate")).isFalse();
    }

    @Test
    void everyAdmissionIsMappedAndAnAcceptedRequestIsAnsweredByItsResult() {
        for (Admission admission : Admission.values()) {
            if (admission == Admission.ACCEPTED) {
                assertThatThrownBy(() -> Answers.refused(admission, BACKLOG, 1)).isInstanceOf(IllegalArgumentException.class);
            } else {
                assertThat(Answers.refused(admission, BACKLOG, 1).status()).isIn(429, 503);
            }
        }
    }

    @Test
    void refusalsSayWhatTheServiceHoldsInTheWordsTheyAlwaysHad() {
        assertThat(Answers.refused(Admission.BUDGET_FULL, BACKLOG, 1).body().encode()).isEqualTo("{\"error\":\"busy\",\"message\":"
                + "\"the service holds as many records as its memory budget allows (900 of 1000 bytes); retry later\","
                + "\"retry_after_seconds\":3}");
        assertThat(Answers.refused(Admission.QUEUE_FULL, BACKLOG, 1).message())
                .isEqualTo("the queue of table \"events\" is full (7 requests waiting)");
        assertThat(Answers.refused(Admission.DATABASE_DOWN, BACKLOG, 1).message()).isEqualTo("the database is unavailable and the "
                + "service holds as many records as it may until it is back");
        assertThat(Answers.refused(Admission.CLOSED, BACKLOG, 1).body().encode())
                .isEqualTo("{\"error\":\"shutting_down\",\"message\":\"the service is shutting down\",\"retry_after_seconds\":1}");
    }

    @ParameterizedTest(name = "{0} retryable={1} -> {2} {3}")
    @CsvSource({
            "57P01, true,  503, unavailable,            1",
            "08006, true,  503, unavailable,            1",
            "XX000, true,  503, unavailable,            1",
            "40001, true,  503, unavailable,            1",
            "IG001, false, 503, schema_changed,         1",
            "42P01, false, 404, unknown_table,          0",
            "42703, false, 400, unknown_column,         0",
            "42501, false, 403, insufficient_privilege, 0",
            "22P02, false, 422, refused,                0",
            "23505, false, 422, refused,                0",
            "42883, false, 422, refused,                0",
            "0A000, false, 422, refused,                0"})
    void eachFailureClassHasOneAnswer(String sqlstate, boolean retryable, int status, String code, int retryAfter) {
        Answer a = Answers.failed(new IngestException(sqlstate, "it failed", retryable, null), "public.t", 1);
        assertThat(a.status()).isEqualTo(status);
        assertThat(a.code()).isEqualTo(code);
        assertThat(a.retryAfterSeconds()).isEqualTo(retryAfter);
        assertThat(a.body().getString("error")).isEqualTo(code);
        assertThat(a.body().getString("sqlstate")).isEqualTo(sqlstate);
        assertThat(a.body().containsKey("retry_after_seconds")).isEqualTo(retryAfter > 0);
        assertThat(a.body().fieldNames()).containsExactly(retryAfter > 0
                ? new String[] {"error", "message", "sqlstate", "retry_after_seconds"} : new String[] {"error", "message", "sqlstate"});
        assertThat(a.message()).isNotBlank().doesNotContain("\n");
    }

    @ParameterizedTest
    @CsvSource({"08006", "XX000"})
    void detailsOfOutagesAndInternalErrorsStayInTheLog(String sqlstate) {
        Answer a = Answers.failed(new IngestException(sqlstate, "connect to db.internal:5432 failed", true, null), "t", 1);
        assertThat(a.message()).doesNotContain("db.internal").endsWith("retry later");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Problem.class)
    void everyBodyProblemHasItsStatusAndCode(Problem problem) {
        BodyException e = SAMPLES.get(problem);
        assertThat(e.problem()).isEqualTo(problem);
        Answer a = Answers.body(e);
        assertThat(a.status()).isEqualTo(BODY_STATUSES.get(problem));
        assertThat(a.code()).isEqualTo(problem.code()).isEqualTo(e.code());
        assertThat(a.retryAfterSeconds()).isZero();
        assertThat(a.body().encode()).isEqualTo(new JsonObject().put("error", e.code())
                .put("message", e.getMessage()).encode());
    }

    @Test
    void theRetryAfterOfAnUnavailableServiceIsTheCallersSetting() {
        assertThat(Answers.refused(Admission.CLOSED, BACKLOG, 7).retryAfterSeconds()).isEqualTo(7);
        assertThat(Answers.refused(Admission.BUDGET_FULL, BACKLOG, 7).retryAfterSeconds()).isEqualTo(3); // the drain rate's
        assertThat(Answers.failed(new IngestException("08006", "gone", true, null), "t", 7).retryAfterSeconds()).isEqualTo(7);
        assertThat(Answers.failed(new IngestException("IG001", "changed", false, null), "t", 7).retryAfterSeconds()).isEqualTo(7);
        assertThat(Answers.unavailable(7).body().getInteger("retry_after_seconds")).isEqualTo(7);
    }

    @Test
    void anUploadWhoseRecordsWereAllRefusedIs422AndTheRestIs200() {
        List<Rejection> one = List.of(new Rejection(0, "22P02", "bad"));
        Answer allRejected = Answers.result(new IngestResult(0, one).answer());
        assertThat(allRejected.status()).isEqualTo(422);
        assertThat(allRejected.code()).isEqualTo("all_rejected");
        assertThat(allRejected.retryAfterSeconds()).isZero();
        assertThat(allRejected.addTo(new JsonObject().put("accepted", 0)).encode())
                .isEqualTo("{\"accepted\":0,\"error\":\"all_rejected\",\"message\":\"every record was refused; see rejected\"}");
        for (RequestAnswer ok : List.of(new IngestResult(1, one).answer(), new IngestResult(0, List.of()).answer())) {
            Answer a = Answers.result(ok);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.code()).isNull();
            assertThat(a.addTo(new JsonObject()).isEmpty()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource({
            "42P07, 409, table_exists,             0",
            "42501, 403, permission_denied,        0",
            "3F000, 400, unknown_schema,           0",
            "08006, 503, database_unavailable,     5",
            "57P03, 503, database_unavailable,     5",
            "53300, 503, database_unavailable,     5",
            "42601, 400, invalid_table_definition, 0",
            "'',    400, invalid_table_definition, 0"})
    void aTableTheDatabaseWouldNotCreateIsAnsweredBySqlstate(String sqlstate, int status, String code, int retryAfter) {
        Answer a = Answers.tableNotCreated(sqlstate, "it failed", "public.t");
        assertThat(a.status()).isEqualTo(status);
        assertThat(a.code()).isEqualTo(code);
        assertThat(a.retryAfterSeconds()).isEqualTo(retryAfter);
    }

    @Test
    void theKeyLookUpBeforeTheBodyCarriesItsRetryAfterInTheHeaderOnly() {
        assertThat(Answers.keysUnavailable().body().encode())
                .isEqualTo("{\"error\":\"unavailable\",\"message\":\"the database is unavailable; retry later\"}");
        assertThat(Answers.unavailable().body().getInteger("retry_after_seconds")).isEqualTo(1);
    }

    @Test
    void theHandlersOwnRefusalsKeepTheirStatusesCodesAndRetryAfter() {
        record Expected(Answer answer, int status, String code, int retryAfter) {
        }
        for (Expected e : List.of(
                new Expected(Answers.unsupportedMediaType("m"), 415, "unsupported_media_type", 0),
                new Expected(Answers.unsupportedContentEncoding("m"), 415, "unsupported_content_encoding", 0),
                new Expected(Answers.unsupportedParameter("m"), 400, "unsupported_parameter", 0),
                new Expected(Answers.missingParameter("m"), 400, "missing_parameter", 0),
                new Expected(Answers.bodyTooLarge(10), 413, "payload_too_large", 0),
                new Expected(Answers.requestTimeout(30), 408, "request_timeout", 0),
                new Expected(Answers.bodyTimeout("m"), 408, "body_timeout", 0),
                new Expected(Answers.emptyBody(), 400, "malformed_body", 0),
                new Expected(Answers.invalidIdempotencyKey("m"), 400, "invalid_idempotency_key", 0),
                new Expected(Answers.keyReused("m"), 422, "idempotency_key_reused", 0),
                new Expected(Answers.inProgress(), 409, "in_progress", 0),
                new Expected(Answers.noConflictKey("t"), 400, "no_conflict_key", 0),
                new Expected(Answers.unknownTable("t"), 404, "unknown_table", 0),
                new Expected(Answers.forbidden("m"), 403, "forbidden", 0),
                new Expected(Answers.unknownImport("j"), 404, "unknown_import", 0),
                new Expected(Answers.unavailable(), 503, "unavailable", 1),
                new Expected(Answers.notReady("m"), 503, "not_ready", 0),
                new Expected(Answers.unauthorized("m"), 401, "unauthorized", 0),
                new Expected(Answers.rateLimited(5.0, 2), 429, "rate_limited", 2),
                new Expected(Answers.tableDatabaseUnreachable(), 503, "database_unavailable", 5),
                new Expected(Answers.malformedJson("m"), 400, "malformed_json", 0),
                new Expected(Answers.badRequest(), 400, "bad_request", 0),
                new Expected(Answers.noSuchEndpoint("/x"), 404, "not_found", 0),
                new Expected(Answers.methodNotAllowed("PUT", "/x", "GET"), 405, "method_not_allowed", 0),
                new Expected(Answers.httpVersionNotSupported("HTTP/2.0"), 505, "http_version_not_supported", 0),
                new Expected(Answers.internalError(), 500, "internal_error", 0))) {
            assertThat(e.answer().status()).as(e.code()).isEqualTo(e.status());
            assertThat(e.answer().code()).isEqualTo(e.code());
            assertThat(e.answer().retryAfterSeconds()).as(e.code()).isEqualTo(e.retryAfter());
            assertThat(e.answer().body().getString("message")).as(e.code()).isNotBlank();
        }
        assertThat(Answers.rateLimited(5.0, 2).message()).isEqualTo("this API key may make 5.0 requests per second");
    }

    private static final Map<Problem, BodyException> SAMPLES = new EnumMap<>(Map.ofEntries(
            Map.entry(Problem.MALFORMED_BODY, BodyException.malformed("malformed JSON", 2, 3)),
            Map.entry(Problem.INVALID_ENCODING, BodyException.invalidEncoding("invalid byte sequence", 1, 1)),
            Map.entry(Problem.NESTING_TOO_DEEP, BodyException.nestingTooDeep(100, 1, 1)),
            Map.entry(Problem.INVALID_VALUE, BodyException.refusedValue("22003", "out of range", 1, 4)),
            Map.entry(Problem.UNKNOWN_COLUMN, BodyException.unknownColumn("t", "x", 1)),
            Map.entry(Problem.COLUMN_NOT_WRITABLE, BodyException.notWritable("t", "g", 1)),
            Map.entry(Problem.DUPLICATE_COLUMN, BodyException.duplicateColumn("a")),
            Map.entry(Problem.TOO_MANY_RECORDS, BodyException.tooManyRecords(10)),
            Map.entry(Problem.RECORD_TOO_LARGE, BodyException.recordTooLarge(1024)),
            Map.entry(Problem.MALFORMED_CONTENT_ENCODING, BodyException.malformedEncoding("not gzip")),
            Map.entry(Problem.TRUNCATED_BODY, BodyException.truncated("cut short")),
            Map.entry(Problem.MALFORMED_REQUEST, BodyException.malformedRequest("broken chunked encoding"))));

    private static final Map<Problem, Integer> BODY_STATUSES = new EnumMap<>(Map.ofEntries(
            Map.entry(Problem.MALFORMED_BODY, 400), Map.entry(Problem.INVALID_ENCODING, 400),
            Map.entry(Problem.NESTING_TOO_DEEP, 400), Map.entry(Problem.INVALID_VALUE, 400),
            Map.entry(Problem.UNKNOWN_COLUMN, 400), Map.entry(Problem.COLUMN_NOT_WRITABLE, 400),
            Map.entry(Problem.DUPLICATE_COLUMN, 400), Map.entry(Problem.TOO_MANY_RECORDS, 413),
            Map.entry(Problem.RECORD_TOO_LARGE, 413), Map.entry(Problem.MALFORMED_CONTENT_ENCODING, 400),
            Map.entry(Problem.TRUNCATED_BODY, 400), Map.entry(Problem.MALFORMED_REQUEST, 400)));
}

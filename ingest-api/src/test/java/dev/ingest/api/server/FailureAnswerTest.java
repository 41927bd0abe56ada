package dev.ingest.api.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.IngestException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one mapping from a whole-request failure to its answer, class by class. */
class FailureAnswerTest {
    @ParameterizedTest(name = "{0} retryable={1} -> {2} {3}")
    @CsvSource({
            "57P01, true,  503, unavailable,            1",
            "08006, true,  503, unavailable,            1",
            "XX000, true,  503, unavailable,            1",
            "IG001, false, 503, schema_changed,         1",
            "42P01, false, 404, unknown_table,          0",
            "42703, false, 400, unknown_column,         0",
            "42501, false, 403, insufficient_privilege, 0",
            "22P02, false, 422, refused,                0",
            "23505, false, 422, refused,                0",
            "42883, false, 422, refused,                0",
            "0A000, false, 422, refused,                0"})
    void eachFailureClassHasOneAnswer(String sqlstate, boolean retryable, int status, String code, int retryAfter) {
        FailureAnswer a = FailureAnswer.of(new IngestException(sqlstate, "it failed", retryable, null), "public.t");
        assertThat(a.status()).isEqualTo(status);
        assertThat(a.code()).isEqualTo(code);
        assertThat(a.retryAfterSeconds()).isEqualTo(retryAfter);
        assertThat(a.body().getString("error")).isEqualTo(code);
        assertThat(a.body().getString("sqlstate")).isEqualTo(sqlstate);
        assertThat(a.body().containsKey("retry_after_seconds")).isEqualTo(retryAfter > 0);
        assertThat(a.message()).isNotBlank().doesNotContain("\n");
    }

    @ParameterizedTest
    @CsvSource({"08006", "XX000"})
    void detailsOfOutagesAndInternalErrorsStayInTheLog(String sqlstate) {
        FailureAnswer a = FailureAnswer.of(new IngestException(sqlstate, "connect to db.internal:5432 failed", true, null), "t");
        assertThat(a.message()).doesNotContain("db.internal").endsWith("retry later");
    }
}

package dev.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one JSON form of a request's answer: the bytes stored and answered, and reading them back. */
class RequestAnswerJsonTest {
    private static final List<Rejection> TWO = List.of(new Rejection(1, "22P02", "invalid input syntax for type bigint: \"x\""),
            new Rejection(4, "23505", "duplicate key value \u00e9 \u2028 \"quoted\"\n"));

    @Test
    void aPlainAnswerIsWrittenAsTheEngineAlwaysStoredIt() {
        RequestAnswer a = new IngestResult(3, TWO).answer();
        assertThat(RequestAnswerJson.encode(a)).isEqualTo("{\"accepted\":3,\"rejected\":[{\"index\":1,\"sqlstate\":\"22P02\","
                + "\"message\":\"invalid input syntax for type bigint: \\\"x\\\"\"},{\"index\":4,\"sqlstate\":\"23505\","
                + "\"message\":\"duplicate key value \u00e9 \u2028 \\\"quoted\\\"\\n\"}]}");
        assertThat(RequestAnswerJson.decode(RequestAnswerJson.encode(a))).isEqualTo(a);
    }

    @Test
    void anUpsertCarriesItsCountsBeforeTheRejections() {
        RequestAnswer a = new IngestResult(5, List.of(), false, new IngestResult.Conflicts(2, 1, 2)).answer();
        assertThat(RequestAnswerJson.encode(a)).isEqualTo("{\"accepted\":5,\"inserted\":2,\"updated\":1,\"ignored\":2,\"rejected\":[]}");
        assertThat(RequestAnswerJson.decode(RequestAnswerJson.encode(a))).isEqualTo(a);
    }

    @Test
    void aCutListSaysHowManyThereWere() {
        RequestAnswer a = new RequestAnswer(0, TWO.subList(0, 1), 7, null);
        assertThat(a.truncated()).isTrue();
        assertThat(RequestAnswerJson.encode(a)).endsWith("}],\"rejected_count\":7,\"rejected_truncated\":true}");
        assertThat(RequestAnswerJson.decode(RequestAnswerJson.encode(a))).isEqualTo(a);
    }

    @Test
    void readsWhatPostgresqlGivesBackOfJsonbAndTheServicesAnswerWithItsExtraFields() {
        // jsonb orders keys by length and adds spaces; an all-rejected answer adds error and message.
        RequestAnswer a = RequestAnswerJson.decode("{\"error\": \"all_rejected\", \"message\": \"every record was refused\", "
                + "\"ignored\": 0, \"updated\": 0, \"accepted\": 0, \"inserted\": 0, \"rejected\": [{\"index\": 4, \"message\": \"m\", "
                + "\"sqlstate\": \"23505\", \"detail\": {\"a\": [1]}}]}");
        assertThat(a).isEqualTo(new RequestAnswer(0, List.of(new Rejection(4, "23505", "m")), 1, new IngestResult.Conflicts(0, 0, 0)));
        assertThat(a.outcome()).isEqualTo(RequestAnswer.Outcome.ALL_REJECTED);
    }

    @Test
    void theStoredStatusCodesStayThoseOfExistingRows() {
        assertThat(new IngestResult(0, TWO).answer().outcome().storedCode()).isEqualTo(422);
        assertThat(new IngestResult(1, TWO).answer().outcome().storedCode()).isEqualTo(200);
        assertThat(new IngestResult(0, List.of()).answer().outcome().storedCode()).isEqualTo(200);
    }

    @Test
    void whatIsNotAnAnswerIsRefused() {
        assertThatThrownBy(() -> RequestAnswerJson.decode("[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RequestAnswerJson.decode("{\"accepted\": ")).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.internal.sql.SqlStates;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The errors seen through PgBouncer 1.18 in transaction mode without prepareThreshold=0, as its server and our clients word them. */
class PoolerHintTest {
    @Test
    void thePoolersErrorsGetTheAdviceAndKeepTheirRecords() {
        assertThat(PoolerHint.after("42P05", "ERROR: prepared statement \"S_13\" already exists")).contains("prepareThreshold=0");
        assertThat(PoolerHint.after("08P01", "ERROR: bind message supplies 1 parameters, but prepared statement \"S_2\" requires 0"))
                .contains("PgBouncer");
        assertThat(PoolerHint.after(null, "ERROR: unnamed prepared statement does not exist (26000)")).isNotEmpty();
        // Not the records' fault: the batch is kept and tried again, never refused.
        assertThat(SqlStates.classify(new SQLException("prepared statement \"S_13\" already exists", "42P05")))
                .isEqualTo(SqlStates.Kind.TRANSIENT);
    }

    @Test
    void otherErrorsGetNoAdvice() {
        assertThat(PoolerHint.after("23505", "duplicate key value violates unique constraint \"events_event_id_key\"")).isEmpty();
        assertThat(PoolerHint.after("08006", "An I/O error occurred while sending to the backend.")).isEmpty();
        assertThat(PoolerHint.after(null, null)).isEmpty();
    }
}

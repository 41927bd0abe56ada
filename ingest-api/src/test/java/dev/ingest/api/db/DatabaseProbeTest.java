package dev.ingest.api.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.DatabaseConfig;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * How login failures are classified and told. The IT covers what the test server can produce;
 * a wrong password (28P01) needs password authentication, which the embedded test server does
 * not use, so that one is checked here on the exception pgjdbc raises for it.
 */
class DatabaseProbeTest {
    private final DatabaseProbe probe = DatabaseConfig.DEFAULTS.probe(
            DatabaseUrl.parse("postgresql://app:s3cret@db.internal:5433/warehouse"), m -> { });

    @Test
    void aWrongPasswordIsRefusedAndNamesTheUserButNotThePassword() {
        SQLException e = new SQLException("FATAL: password authentication failed for user \"app\"", "28P01");
        assertThat(DatabaseProbe.outcome(e)).isEqualTo(DatabaseProbe.Outcome.REFUSED);
        assertThat(probe.explain(e)).contains("app@db.internal:5433/warehouse").contains("password authentication failed")
                .contains("check the user and password").doesNotContain("s3cret").doesNotContain("FATAL");
    }

    @Test
    void nothingListeningIsWorthWaitingForAndAnUnknownHostIsNot() {
        assertThat(DatabaseProbe.outcome(new SQLException("Connection refused", "08001", new ConnectException("refused"))))
                .isEqualTo(DatabaseProbe.Outcome.UNREACHABLE);
        assertThat(DatabaseProbe.outcome(new SQLException("the database system is starting up", "57P03")))
                .isEqualTo(DatabaseProbe.Outcome.UNREACHABLE);
        assertThat(DatabaseProbe.outcome(new SQLException("attempt failed", "08001", new UnknownHostException("db.internal"))))
                .isEqualTo(DatabaseProbe.Outcome.REFUSED);
    }
}

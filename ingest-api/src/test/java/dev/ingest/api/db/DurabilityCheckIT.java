package dev.ingest.api.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The start-up warnings about durability, on a real server (one without standbys; FailoverIT has one with). */
class DurabilityCheckIT {
    private final TestDatabase.Database db = TestDatabase.create();

    @Test
    void oneServerWithDurableCommitsNeedsNoWarning() throws Exception {
        try (Connection c = db.connect()) {
            assertThat(DurabilityCheck.warnings(c, false)).isEmpty();
        }
    }

    @Test
    void severalServersWithoutASynchronousStandbyAreWarnedAbout() throws Exception {
        try (Connection c = db.connect()) {
            assertThat(DurabilityCheck.warnings(c, true)).singleElement().asString()
                    .contains("no synchronous standby", "synchronous_standby_names is empty", "ack=commit", "High availability");
        }
    }

    @Test
    void commitsThatDoNotWaitForTheDiskAreWarnedAbout() throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("SET synchronous_commit = off");
            assertThat(DurabilityCheck.warnings(c, false)).singleElement().asString()
                    .contains("synchronous_commit is off", "crashes");
            assertThat(DurabilityCheck.warnings(c, true)).hasSize(2);
        }
    }
}

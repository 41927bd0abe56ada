package dev.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/** The public way to the service's schema without an engine, as {@code ingest keys} takes it. */
@Timeout(120)
class ServiceSchemaIT {
    @Test
    void migrateCreatesTheServiceSchemaOnceAndThenLeavesItAlone() {
        TestDatabase.Database db = TestDatabase.create();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(db.jdbcUrl());
        ds.setUser(db.user());
        ds.setPassword(db.password());

        ServiceSchema.migrate(ds);
        long applied = db.queryLong("SELECT count(*) FROM ingest.flyway_schema_history WHERE success");
        ServiceSchema.migrate(ds);

        assertThat(applied).as("every migration of db/migrations").isPositive();
        assertThat(db.queryLong("SELECT count(*) FROM ingest.flyway_schema_history WHERE success")).as("nothing applied twice")
                .isEqualTo(applied);
        assertThat(db.queryLong("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'ingest' AND table_name = 'api_keys'"))
                .as("the table ingest keys works on").isEqualTo(1);
    }
}

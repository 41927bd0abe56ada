package dev.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.internal.schema.Migrations;
import dev.ingest.engine.testing.TestDatabase;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * What the README's upgrade notes promise about the schema: migrations apply on start, once; an
 * older version started on a schema a newer one migrated starts anyway (Flyway ignores applied
 * migrations it does not know, by default), without touching the newer objects.
 */
@Timeout(120)
class MigrationsIT {
    @Test
    void anOlderVersionStartsOnANewerSchema() {
        TestDatabase.Database db = TestDatabase.create();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(db.jdbcUrl());
        ds.setUser(db.user());
        ds.setPassword(db.password());
        MigrateResult first = Migrations.apply(ds);
        assertThat(first.migrationsExecuted).isPositive();
        assertThat(Migrations.apply(ds).migrationsExecuted).as("applied once").isZero();

        // What a future version would leave: a migration this version does not ship, and its table.
        db.execute("CREATE TABLE ingest.from_the_future (id int)",
                "INSERT INTO ingest.flyway_schema_history (installed_rank, version, description, type, script, checksum, "
                        + "installed_by, execution_time, success) SELECT max(installed_rank) + 1, '999', 'future', 'SQL', "
                        + "'V999__future.sql', 1, current_user, 1, true FROM ingest.flyway_schema_history");
        MigrateResult older = Migrations.apply(ds);
        assertThat(older.success).isTrue();
        assertThat(older.migrationsExecuted).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM ingest.from_the_future")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM ingest.flyway_schema_history WHERE version = '999'")).isEqualTo(1);
    }
}

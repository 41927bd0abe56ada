package dev.ingest.engine.internal.schema;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Applies the service's own schema ({@code db/migrations}, packaged in the jar) with Flyway. */
public final class Migrations {
    /** The schema that holds the service's tables, and Flyway's history table. */
    public static final String SCHEMA = "ingest";

    private Migrations() {
    }

    public static MigrateResult apply(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .createSchemas(true)
                .locations("classpath:db/migrations")
                .load()
                .migrate();
    }
}

package dev.ingest.engine;

import dev.ingest.engine.internal.schema.Migrations;
import javax.sql.DataSource;

/**
 * The service's own schema {@code ingest} (API keys, idempotency keys, rejected records, import
 * history), for tools that work on the database without running an engine ({@code ingest keys}).
 * {@link IngestEngine#start} applies the same migrations, so the two never disagree.
 */
public final class ServiceSchema {
    private ServiceSchema() {
    }

    /**
     * Brings the schema up to this version: creates it on a new database, applies the migrations
     * it lacks, and does nothing when it is current or newer (a newer version's migrations are
     * left as they are). Blocks until done.
     *
     * @throws org.flywaydb.core.api.FlywayException when the database cannot be reached or a
     *         migration fails
     */
    public static void migrate(DataSource dataSource) {
        Migrations.apply(dataSource);
    }
}

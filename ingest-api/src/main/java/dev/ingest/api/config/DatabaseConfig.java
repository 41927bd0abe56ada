package dev.ingest.api.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Which PostgreSQL the service writes to.
 *
 * @param url          {@code postgresql://...} or {@code jdbc:postgresql://...}, or null to start the
 *                     embedded PostgreSQL kept in {@code dataDir}; default null
 * @param dataDir      where the embedded PostgreSQL keeps its data (and imports their downloads);
 *                     default {@code .ingest}
 * @param startTimeout how long to wait at start for a database that does not answer (yet); default
 *                     60 s, long enough for a PostgreSQL started alongside (docker compose, systemd)
 */
public record DatabaseConfig(String url, Path dataDir, Duration startTimeout) {

    /** Every default: the embedded database. */
    public static final DatabaseConfig DEFAULTS = new DatabaseConfig(null, Path.of(".ingest"), Duration.ofSeconds(60));

    public DatabaseConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(startTimeout, "startTimeout");
        if (startTimeout.isNegative()) {
            throw new IllegalArgumentException("database_start_timeout_seconds must not be negative but was "
                    + startTimeout.toSeconds());
        }
    }
}

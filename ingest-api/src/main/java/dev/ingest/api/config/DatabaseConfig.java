package dev.ingest.api.config;

import dev.ingest.api.db.DatabaseProbe;
import dev.ingest.api.db.DatabaseUrl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Which PostgreSQL the service writes to.
 *
 * @param url          {@code postgresql://...} or {@code jdbc:postgresql://...}, or null to start the
 *                     embedded PostgreSQL kept in {@code dataDir}; default null
 * @param dataDir      where the embedded PostgreSQL keeps its data (and imports their downloads);
 *                     default {@code .ingest}
 * @param startTimeout how long to wait at start for a database that does not answer (yet); default
 *                     60 s, long enough for a PostgreSQL started alongside (docker compose, systemd)
 * @param probeFirstPause while waiting at start, the pause after the first attempt (it doubles after
 *                     each); default 250 ms (no key in the file, as for the ones below)
 * @param probeMaxPause while waiting at start, the longest pause between attempts; default 2 s
 * @param sessionSettingsTimeout how long reading the database's session settings (TimeZone, DateStyle,
 *                     IntervalStyle) for a new writer connection may take; default 10 s
 * @param embeddedStartupWait how long the embedded PostgreSQL may take to start; default 60 s
 */
public record DatabaseConfig(String url, Path dataDir, Duration startTimeout, Duration probeFirstPause, Duration probeMaxPause,
        Duration sessionSettingsTimeout, Duration embeddedStartupWait) {

    /** Every default: the embedded database. */
    public static final DatabaseConfig DEFAULTS = new DatabaseConfig(null, Path.of(".ingest"), Duration.ofSeconds(60),
            Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(60));

    public DatabaseConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(startTimeout, "startTimeout");
        if (startTimeout.isNegative()) {
            throw new IllegalArgumentException("database_start_timeout_seconds must not be negative but was "
                    + startTimeout.toSeconds());
        }
        Positive.duration("probeFirstPause", probeFirstPause);
        Positive.duration("probeMaxPause", probeMaxPause);
        Positive.duration("sessionSettingsTimeout", sessionSettingsTimeout);
        Positive.duration("embeddedStartupWait", embeddedStartupWait);
    }

    /** These settings for another database or data directory. */
    public DatabaseConfig at(String otherUrl, Path otherDataDir) {
        return new DatabaseConfig(otherUrl, otherDataDir, startTimeout, probeFirstPause, probeMaxPause, sessionSettingsTimeout,
                embeddedStartupWait);
    }

    /** A probe of {@code database} with these pauses. */
    public DatabaseProbe probe(DatabaseUrl database, Consumer<String> notices) {
        return new DatabaseProbe(database, notices, probeFirstPause, probeMaxPause);
    }
}

package dev.ingest.api.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Scheduled imports: the jobs of the config file's {@code imports} section and how they run.
 * Only the jobs have keys in the file; the rest are tunables fixed at their defaults.
 *
 * @param jobs                   the jobs, validated; default none
 * @param chunkBytes             bytes of records per engine request while a file is imported; default 1 MiB
 * @param maxChunkRecords        records per engine request while a file is imported, at most (whatever their
 *                               bytes; as {@code ingest load}'s {@link ClientConfig#maxChunkRecords}); default 10000
 * @param chunksInFlight         engine requests of one import in flight at once; default 4
 * @param pollingInterval        how often the scheduler looks for due jobs; default 1 s
 * @param shutdownMaxWait        how long a stopping service waits for running imports; default 30 s
 * @param downloadConnectTimeout how long connecting to an http(s) source may take; default 10 s
 * @param downloadTimeout        how long one download of an http(s) source may take; default 30 min
 * @param tableLookupTimeout     how long finding the job's table in the catalog may take; default 30 s
 */
public record ImportsConfig(
        List<ImportJob> jobs,
        int chunkBytes,
        int maxChunkRecords,
        int chunksInFlight,
        Duration pollingInterval,
        Duration shutdownMaxWait,
        Duration downloadConnectTimeout,
        Duration downloadTimeout,
        Duration tableLookupTimeout) {

    /** Every default: no jobs. */
    public static final ImportsConfig DEFAULTS = new ImportsConfig(List.of(), 1024 * 1024, 10_000, 4, Duration.ofSeconds(1),
            Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(30), Duration.ofSeconds(30));

    public ImportsConfig {
        jobs = List.copyOf(jobs);
        Positive.count("chunkBytes", chunkBytes);
        Positive.count("maxChunkRecords", maxChunkRecords);
        Positive.count("chunksInFlight", chunksInFlight);
        Positive.duration("pollingInterval", pollingInterval);
        Objects.requireNonNull(shutdownMaxWait, "shutdownMaxWait");
        Positive.duration("downloadConnectTimeout", downloadConnectTimeout);
        Positive.duration("downloadTimeout", downloadTimeout);
        Positive.duration("tableLookupTimeout", tableLookupTimeout);
    }

    /** These settings with other jobs. */
    public ImportsConfig withJobs(List<ImportJob> value) {
        return new ImportsConfig(value, chunkBytes, maxChunkRecords, chunksInFlight, pollingInterval, shutdownMaxWait, downloadConnectTimeout,
                downloadTimeout, tableLookupTimeout);
    }
}

package dev.ingest.api.imports;

import java.time.Instant;

/** One run of an import job, as recorded in {@code ingest.import_runs}. */
public record ImportRun(long id, String job, String trigger, String instance, Instant startedAt, Instant finishedAt, String status,
        int files, long rowsAccepted, long rowsRejected, String error) {
}

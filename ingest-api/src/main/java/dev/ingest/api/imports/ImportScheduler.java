package dev.ingest.api.imports;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.ingest.api.config.ImportJob;
import dev.ingest.api.config.ImportsConfig;
import dev.ingest.engine.IngestEngine;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduled imports of one service instance, on db-scheduler: every job is a recurring task on
 * its cron schedule, stored in {@code ingest.scheduled_tasks}, so that with several replicas each
 * occurrence runs on one of them; "run now" is a one-time task per job (at most one pending).
 * Thread-safe.
 */
public final class ImportScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ImportScheduler.class);
    private static final String TASK_PREFIX = "ingest-import:";
    private static final String RUN_NOW = "ingest-import-now";

    private final Map<String, ImportJob> jobs = new LinkedHashMap<>();
    private final ImportRunner runner;
    private final ImportHistory history;
    private final Scheduler scheduler;
    private final OneTimeTask<Void> runNow;

    private ImportScheduler(ImportsConfig config, IngestEngine engine, Path downloads) {
        List<ImportJob> jobs = config.jobs();
        jobs.forEach(j -> this.jobs.put(j.name(), j));
        String instance = ManagementFactory.getRuntimeMXBean().getName();
        this.history = new ImportHistory(engine.dataSource());
        this.runner = new ImportRunner(engine, history, instance, downloads, config);
        this.runNow = Tasks.oneTime(RUN_NOW).execute((inst, ctx) -> {
            ImportJob job = this.jobs.get(inst.getId());
            if (job != null) {
                runner.run(job, "manual");
            }
        });
        List<RecurringTask<Void>> recurring = new ArrayList<>();
        for (ImportJob job : jobs) {
            recurring.add(Tasks.recurring(TASK_PREFIX + job.name(), job.schedule()).execute((inst, ctx) -> runner.run(job, "schedule")));
        }
        this.scheduler = Scheduler.create(engine.dataSource(), List.of(runNow))
                .startTasks(recurring)
                .tableName("ingest.scheduled_tasks")
                .threads(Math.max(2, Math.min(jobs.size(), 4)))
                .pollingInterval(config.pollingInterval())
                .enableImmediateExecution()
                .shutdownMaxWait(config.shutdownMaxWait())
                .build();
    }

    /** Starts the schedule of the configured jobs; none: nothing runs and nothing is started. */
    public static ImportScheduler start(ImportsConfig config, IngestEngine engine, Path downloads) throws SQLException {
        ImportScheduler s = new ImportScheduler(config, engine, downloads);
        s.history.abandonStale();
        if (!s.jobs.isEmpty()) {
            s.scheduler.start();
            log.info("scheduled imports started: jobs={}", s.jobs.keySet());
        }
        return s;
    }

    public List<ImportJob> jobs() {
        return List.copyOf(jobs.values());
    }

    public Optional<ImportJob> job(String name) {
        return Optional.ofNullable(jobs.get(name));
    }

    /**
     * Asks for a run of the job as soon as possible, on whichever instance picks it up.
     *
     * @return false when a run asked for before is still pending
     */
    public boolean runNow(String name) {
        if (!jobs.containsKey(name)) {
            throw new IllegalArgumentException("no import job \"" + name + "\"");
        }
        return scheduler.scheduleIfNotExists(runNow.instance(name), Instant.now());
    }

    /** When the job's schedule fires next, if known. */
    public Optional<Instant> nextRun(String name) {
        return scheduler.getScheduledExecution(TaskInstanceId.of(TASK_PREFIX + name, RecurringTask.INSTANCE))
                .map(e -> e.getExecutionTime());
    }

    /** The job's latest runs, newest first. */
    public List<ImportRun> recentRuns(String name, int limit) throws SQLException {
        return history.recent(name, limit);
    }

    /** Stops scheduling; a run in progress stops after its current chunk (the next run goes on). */
    @Override
    public void close() {
        runner.stop();
        if (!jobs.isEmpty()) {
            scheduler.stop();
        }
    }
}

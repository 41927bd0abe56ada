package dev.ingest.perf;

import dev.ingest.api.config.DatabaseConfig;
import dev.ingest.api.db.DatabaseUrl;
import dev.ingest.api.db.EmbeddedDatabase;
import dev.ingest.engine.WriterMode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import one.profiler.AsyncProfilerLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs every scenario of BENCHMARKS.md and its references back to back against one PostgreSQL,
 * and writes a markdown report with PNG charts. Every figure is the median of several runs after
 * a warm-up; every target is a ratio of figures measured in this one invocation.
 */
@Command(name = "perf/run", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Benchmark ingest against what users would do instead (psql \\copy, pgbench, pgloader, psql upserts) "
                + "and the ceilings (binary COPY, the HTTP limit); write a report with CPU per record.")
public final class PerfRun implements Callable<Integer> {
    @Option(names = "--database-url", paramLabel = "URL",
            description = "PostgreSQL to use (postgresql://user:pass@host:port/db). Default: an embedded PostgreSQL.")
    String databaseUrl;

    @Option(names = "--jar", description = "The service jar (default: ${DEFAULT-VALUE}).")
    Path jar = Path.of("ingest-api/target/ingest.jar");

    @Option(names = "--out", description = "Report directory (default: perf/results/<timestamp>).")
    Path out;

    @Option(names = "--rows", description = "Rows of the bulk workload (default: ${DEFAULT-VALUE}).")
    long rows = 1_000_000;

    @Option(names = "--repeats", description = "Measured runs per scenario (default: ${DEFAULT-VALUE}).")
    int repeats = 3;

    @Option(names = "--small-seconds", description = "Length of each small-request run (default: ${DEFAULT-VALUE}).")
    int smallSeconds = 10;

    @Option(names = "--overload-seconds", description = "Length of the overload run (default: ${DEFAULT-VALUE}).")
    int overloadSeconds = 60;

    @Option(names = "--pgloader-runs", description = "Runs of pgloader when it is installed (default: ${DEFAULT-VALUE}).")
    int pgloaderRuns = 1;

    @Option(names = "--heap", description = "Heap of the service process (default: ${DEFAULT-VALUE}).")
    String heap = "1g";

    @Option(names = "--memory-budget-mb", description = "The service's memory budget (default: ${DEFAULT-VALUE}).")
    long budgetMb = 256;

    @Option(names = "--wrk-script", description = "wrk script of the small-request scenario (default: ${DEFAULT-VALUE}).")
    Path wrkScript = Path.of("perf/small.lua");

    @Option(names = "--scenario", split = ",", paramLabel = "NAME",
            description = "Run only these scenarios (repeatable or a comma list) and the references they need: "
                    + "small, bulk, cli, overload, conflict, references. Default: all.")
    Set<String> scenarios = new LinkedHashSet<>(ALL_SCENARIOS);

    static final List<String> ALL_SCENARIOS = List.of("references", "bulk", "cli", "small", "overload", "conflict");

    @Option(names = "--engine-setting", paramLabel = "KEY=VALUE",
            description = "An engine: setting of the config file for every service this run starts (repeatable), "
                    + "e.g. writers_per_table=4: for ablations; the report names them. A scenario's own setting of the same key wins.")
    Map<String, String> engineSettings = new LinkedHashMap<>();

    @Option(names = "--profile", description = "Record an async-profiler flame graph (CPU, itimer) of each service this run starts, "
            + "linked from the report. The profiler costs some throughput: compare figures of profiled runs with each other only.")
    boolean profile;

    @Option(names = "--quick", description = "A short run for trying the harness: 100k rows, 2 repeats, short scenarios.")
    boolean quick;

    private static final int BODY_RECORDS = 1000;
    private static final int BULK_CLIENTS = 8;
    private static final int SMALL_CLIENTS = 64;
    /** Overload requests open at once: enough that the service's memory budget, not the client, binds. */
    private static final int OVERLOAD_IN_FLIGHT = 512;
    private int nextPort = 18_700;
    private final List<Path> flames = new ArrayList<>();
    /** CPU per record of each measured run, by figure, in the order first measured. */
    private final Map<String, List<CpuUse.PerRecord>> cpu = new LinkedHashMap<>();

    /** A label as a file name: lower case, runs of other characters as one dash. */
    static String fileName(String label) {
        return label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new PerfRun()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (quick) {
            rows = Math.min(rows, 100_000);
            repeats = Math.min(repeats, 2);
            smallSeconds = Math.min(smallSeconds, 5);
            overloadSeconds = Math.min(overloadSeconds, 15);
        }
        out = out != null ? out : Path.of("perf/results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(out);
        EmbeddedDatabase embedded = null;
        try {
            if (databaseUrl == null) {
                embedded = EmbeddedDatabase.start(out.resolve("embedded-postgres"), DatabaseConfig.DEFAULTS.embeddedStartupWait());
                databaseUrl = embedded.url().display();
            }
            return run(DatabaseUrl.parse(databaseUrl));
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** The writer modes of the service this harness was built with: a new mode in the enum is measured with no edit here. */
    static List<String> writerModes() {
        return Arrays.stream(WriterMode.values()).map(m -> m.name().toLowerCase(Locale.ROOT)).toList();
    }

    private boolean wants(String scenario) {
        return scenarios.contains(scenario);
    }

    private int run(DatabaseUrl db) throws Exception {
        for (String s : scenarios) {
            check(ALL_SCENARIOS.contains(s), "unknown scenario " + s + "; one of " + ALL_SCENARIOS);
        }
        boolean bulkLike = wants("bulk") || wants("cli") || wants("conflict") || wants("references");
        Report report = new Report(out);
        report.environment(environment(db));
        report.note("Scenarios run: " + scenarios + ".");
        if (!engineSettings.isEmpty()) {
            report.note("Engine settings of every service in this run (not the default configuration): " + engineSettings + ".");
        }
        execute(db, Workload.tableDdl());
        Workload workload = new Workload(42);

        log("generating %,d rows (seed 42)", rows);
        Path data = Files.createDirectories(out.resolve("data"));
        Path half1 = data.resolve("events-1.csv");
        Path half2 = data.resolve("events-2.csv");
        Path whole = data.resolve("events.csv");
        workload.writeCsv(half1, 0, rows / 2);
        workload.writeCsv(half2, rows / 2, rows);
        workload.writeCsv(whole, 0, rows);
        List<byte[]> bodies = workload.ndjsonBodies(0, rows, BODY_RECORDS);
        report.workload(rows, Files.size(whole), bodies.stream().mapToLong(b -> b.length).sum());
        BulkLoad bulk = wants("bulk") || wants("overload") || wants("conflict") ? bulkLoad(bodies, data, out, report) : null;

        Stats psql = null;
        Stats binary = null;
        Stats pgloader = null;
        // The limit users compare with: psql \copy, two streams.
        Run psqlCopy = () -> {
            execute(db, "TRUNCATE events");
            double s = metered("psql \\copy CSV x2", -1, () -> References.psqlCopy(db, List.of(half1, half2), out.resolve("psql.log")),
                    x -> rows);
            verifyCount(db, rows);
            return rows / s;
        };
        // The same reference again just before each measured run of the targets that compare with
        // it: the runs of a scenario come many minutes after the references, and this machine's
        // speed moved by 8% between invocations minutes apart (2026-12-07).
        Alongside psqlNextToBulk = new Alongside("psql \\copy x2, next to bulk", psqlCopy);
        Alongside psqlNextToCli = new Alongside("psql \\copy x2, next to ingest load", psqlCopy);
        if (bulkLike) {
            psql = measure("psql \\copy x2", repeats, psqlCopy);
            report.figure("psql \\copy CSV, 2 streams (rows/s)", psql);
            // The ceiling: the same rows as binary COPY, produced once from the loaded table.
            List<Path> bins = List.of(data.resolve("events-1.bin"), data.resolve("events-2.bin"));
            References.exportBinary(db, bins, rows, out.resolve("psql.log"));
            binary = measure("binary COPY x2", repeats, () -> {
                execute(db, "TRUNCATE events");
                double s = metered("psql \\copy binary x2", -1, () -> References.psqlBinaryCopy(db, bins, out.resolve("psql.log")),
                        x -> rows);
                verifyCount(db, rows);
                return rows / s;
            });
            report.figure("psql \\copy binary, 2 streams, the ceiling (rows/s)", binary);
        }
        if (wants("cli") || wants("references")) {
            if (References.onPath("pgloader") && pgloaderRuns > 0) {
                pgloader = measure("pgloader", pgloaderRuns, () -> {
                    execute(db, "TRUNCATE events");
                    double s = References.pgloader(db, whole, data, out.resolve("pgloader.log"));
                    verifyCount(db, rows);
                    return rows / s;
                });
                report.figure("pgloader (rows/s)", pgloader);
            } else {
                report.note("pgloader is not installed (apt-get install pgloader): its reference was skipped.");
            }
        }

        // Bulk NDJSON: the default configuration (the target), then each writer mode (reported).
        LoadGenerator load = new LoadGenerator();
        Stats bulkDefault = null;
        Map<String, Stats> modes = new LinkedHashMap<>();
        if (wants("bulk") || wants("overload")) {
            bulkDefault = bulkRuns("ingest default", db, "", "", bulk, wants("bulk") ? repeats : 1,
                    wants("bulk") ? psqlNextToBulk : null);
            report.figure("ingest bulk NDJSON, default configuration (rows/s)", bulkDefault);
            if (wants("bulk")) {
                report.figure("psql \\copy CSV, 2 streams, each just before a bulk default run (rows/s)", psqlNextToBulk.stats());
            }
        }
        if (wants("bulk")) {
            for (String mode : writerModes()) {
                modes.put(mode, bulkRuns("ingest " + mode, db, "engine:\n  writer_mode: " + mode + "\n", "", bulk, repeats, null));
            }
            modes.forEach((mode, s) -> report.figure("ingest bulk NDJSON, writer_mode " + mode + " (rows/s)", s));
        }

        // The CLI: `ingest load` of the whole CSV, as a user runs it (its own JVM, start-up included).
        Stats cli = null;
        if (wants("cli")) {
            try (ServiceProcess service = start(db, "", "cli")) {
                String url = service.uri("/").toString();
                int[] run = {0};
                Run once = () -> {
                    boolean warmUp = run[0] == 0;
                    if (!warmUp) {
                        psqlNextToCli.call();
                    }
                    execute(db, "TRUNCATE events");
                    // A new load id each run: the same file under the same id is (rightly) not loaded twice.
                    String loadId = "perf-" + run[0]++ + "-" + System.nanoTime();
                    Callable<Double> loadFile = () -> References.ingestLoad(Path.of("scripts/ingest"), url, whole, loadId, data.resolve("load-state"),
                            out.resolve("ingest-load.log"));
                    double s = warmUp ? loadFile.call() : metered("ingest load", service.pid(), loadFile, x -> rows);
                    verifyCount(db, rows);
                    return rows / s;
                };
                once.call(); // warm-up of the service
                cli = measure("ingest load", repeats, once);
            }
            report.figure("ingest load of the CSV, default configuration (rows/s)", cli);
            report.figure("psql \\copy CSV, 2 streams, each just before an ingest load run (rows/s)", psqlNextToCli.stats());
        }

        // Upserts: the service's on_conflict=update against psql \copy into a temp table + INSERT ... ON CONFLICT.
        Stats upsertPsql = null;
        Stats upsertIngest = null;
        if (wants("conflict")) {
            upsertPsql = measure("psql upsert x2", repeats, () -> {
                prefill(db);
                double s = metered("psql upsert x2", -1, () -> References.psqlUpsert(db, List.of(half1, half2), out.resolve("psql.log")),
                        x -> rows);
                verifyCount(db, rows);
                return rows / s;
            });
            report.figure("psql \\copy to a temp table + INSERT ON CONFLICT DO UPDATE, 2 streams, table pre-filled (rows/s)", upsertPsql);
            upsertIngest = bulkRuns("ingest upsert", db, "", "?on_conflict=update", bulk, repeats, null);
            report.figure("ingest bulk NDJSON, on_conflict=update, table pre-filled (rows/s)", upsertIngest);
        }

        // Small requests: pgbench (what a user gets with no service), the HTTP limit, the service at 64 and 1,000 connections.
        Stats small = null;
        Stats small1000 = null;
        Stats naive = null;
        Stats httpLimit = null;
        References.Pgbench pgbench = null;
        LoadGenerator.Latency ingestWorst = null;
        LoadGenerator.Latency worst1000 = null;
        LoadGenerator.Latency naiveWorst = null;
        boolean wrk = References.onPath("wrk");
        if (wants("small") || wants("references")) {
            if (References.onPath("pgbench")) {
                execute(db, "TRUNCATE events");
                pgbench = metered("pgbench", -1, () -> References.pgbench(db, SMALL_CLIENTS, smallSeconds, data, out.resolve("pgbench.log")),
                        References.Pgbench::transactions);
                log("pgbench: %,.0f tps, average %.2f ms, p99 %.2f ms", pgbench.tps(), pgbench.averageMs(), pgbench.p99Ms());
                report.note(String.format("pgbench -M prepared -c %d -j 2 -T %d, one one-row INSERT per transaction: %,.0f tps, latency average %.2f ms "
                        + "(pgbench's summary), p99 %.2f ms (from its per-transaction log, %,d transactions).", SMALL_CLIENTS, smallSeconds,
                        pgbench.tps(), pgbench.averageMs(), pgbench.p99Ms(), pgbench.transactions()));
            } else {
                report.note("pgbench is not installed: the small-request reference was skipped.");
            }
            if (wrk) {
                try (ServiceProcess service = start(db, "", "http-limit")) {
                    URI live = service.uri("/health/live");
                    References.wrkGet(live, SMALL_CLIENTS, 3, out.resolve("wrk-live.log")); // warm-up
                    httpLimit = measure("HTTP limit", repeats, () -> References.wrkGet(live, SMALL_CLIENTS, smallSeconds, out.resolve("wrk-live.log")));
                }
                report.figure("HTTP limit: wrk -t2 -c64 on GET /health/live (requests/s)", httpLimit);
            }
        }
        AtomicLong sequence = new AtomicLong(rows);
        if (wants("small")) {
            if (!wrk) {
                report.note("wrk is not installed (apt-get install wrk): the small-request scenario used the JVM client, "
                        + "which competes with the service for the same cores and understates both servers.");
            }
            List<LoadGenerator.Latency> ingestLatency = new ArrayList<>();
            List<LoadGenerator.Latency> latency1000 = new ArrayList<>();
            List<LoadGenerator.Latency> naiveLatency = new ArrayList<>();
            try (ServiceProcess service = start(db, "", "small")) {
                small = smallRuns("ingest small", service, db, workload, sequence, ingestLatency, wrk, SMALL_CLIENTS);
                if (wrk) {
                    try {
                        small1000 = smallRuns("ingest small 1000", service, db, workload, sequence, latency1000, true, 1000);
                    } catch (RuntimeException | IOException e) {
                        report.note("small requests with 1,000 connections failed: " + e.getMessage());
                    }
                }
            }
            // Ablation only ("what batching buys"): the service with batching off. Never the baseline of a target.
            try (ServiceProcess service = start(db, "engine:\n  max_batch_rows: 1\n  writers_per_table: 1\n  linger_ms: 0\n", "small-batching-off")) {
                naive = smallRuns("batching off", service, db, workload, sequence, naiveLatency, wrk, SMALL_CLIENTS);
            }
            report.figure("ingest, 1 record per request, 64 connections (records/s)", small);
            if (small1000 != null) {
                report.figure("ingest, 1 record per request, 1,000 connections (records/s)", small1000);
            }
            report.figure("ablation: the service with batching off, 64 connections (records/s)", naive);
            ingestWorst = worst(ingestLatency);
            worst1000 = latency1000.isEmpty() ? null : worst(latency1000);
            naiveWorst = worst(naiveLatency);
            report.latency(ingestWorst, naiveWorst, wrk);
        }

        // Overload: 3x the sustainable bulk rate (the default configuration's), open loop.
        Report.Overload overload = null;
        if (wants("overload")) {
            overload = overload(db, workload, load, bulkDefault.median());
            report.overload(overload);
        }

        report.targets(targets(psql, psqlNextToBulk.stats(), psqlNextToCli.stats(), binary, pgloader, bulkDefault, modes, cli, small,
                small1000, pgbench, httpLimit, ingestWorst, worst1000, overload, upsertPsql, upsertIngest));
        if (scenarios.containsAll(List.of("bulk", "cli", "small", "overload")) && psql != null) {
            Map<String, Stats> cliModes = new LinkedHashMap<>();
            cliModes.put("default", cli);
            report.charts(psql, pgloader, modes, cliModes, small, naive, ingestWorst, naiveWorst, bulkTimeline, overload);
        } else {
            report.note("Charts are drawn by a run of every scenario.");
        }
        if (!flames.isEmpty()) {
            report.flameGraphs(out, flames);
        }
        report.cpu(cpu);
        Path file = report.write();
        log("report: %s", file);
        return 0;
    }

    /**
     * The verdicts. {@code psqlNextToBulk} and {@code psqlNextToCli} are psql's runs just before
     * each measured run of those scenarios, and their targets' reference where there are any.
     */
    static Targets targets(Stats psql, Stats psqlNextToBulk, Stats psqlNextToCli, Stats binary, Stats pgloader, Stats bulk,
            Map<String, Stats> modes, Stats cli, Stats small, Stats small1000, References.Pgbench pgbench, Stats httpLimit,
            LoadGenerator.Latency smallLatency, LoadGenerator.Latency latency1000, Report.Overload o, Stats upsertPsql,
            Stats upsertIngest) {
        Targets t = new Targets()
                .ratioAtLeast("bulk NDJSON, 8 clients, 1,000-record bodies, ack=commit", "rows/s ÷ psql \\copy CSV x2" + besideNote(psqlNextToBulk),
                        median(bulk), median(nearest(psqlNextToBulk, psql)), 1.0)
                .ratioAtLeast("`ingest load` of the CSV (start-up included)", "rows/s ÷ psql \\copy CSV x2" + besideNote(psqlNextToCli),
                        median(cli), median(nearest(psqlNextToCli, psql)), 1.0)
                .ratioAtLeast("`ingest load` of the CSV (start-up included)", "rows/s ÷ pgloader", median(cli), median(pgloader), 10)
                .ratioAtLeast("1 record per request, 64 connections", "records/s ÷ pgbench tps (64 clients)", median(small),
                        pgbench == null ? null : pgbench.tps(), 2.0)
                .atMost("1 record per request, 64 connections", "p99 latency", smallLatency == null ? null : smallLatency.p99(), 20, "ms")
                .reported("same, 1,000 connections", "records/s, p99", small1000 == null || latency1000 == null ? null
                        : String.format("%,.0f/s, p99 %.1f ms", small1000.median(), latency1000.p99()))
                .atMost("3× overload", "live heap peak − budget", o == null || o.liveHeapPeak() <= 0 ? null
                        : (o.liveHeapPeak() - o.budgetBytes()) / 1048576.0, 64, "MiB")
                .atMost("3× overload", "acked rows lost", o == null ? null : (double) o.missingAckedRows(), 0, "rows")
                .ratioAtLeast("bulk with on_conflict=update", "rows/s ÷ psql temp table + INSERT ON CONFLICT x2", median(upsertIngest),
                        median(upsertPsql), 1.0)
                .fraction("fraction of the ceiling: bulk NDJSON", "rows/s ÷ binary COPY x2", median(bulk), median(binary))
                .fraction("fraction of the ceiling: small, 64 connections", "records/s ÷ HTTP limit (/health/live)", median(small),
                        median(httpLimit));
        for (var e : modes.entrySet()) {
            t.fraction("bulk NDJSON, writer_mode " + e.getKey(), "rows/s ÷ psql \\copy CSV x2", e.getValue().median(), median(psql));
        }
        return t;
    }

    private static Double median(Stats s) {
        return s == null ? null : s.median();
    }

    private List<LoadGenerator.Sampler.Sample> bulkTimeline;

    /** Posts every bulk body to a URI with this run's client; what it achieved. */
    private interface BulkLoad {
        LoadGenerator.Outcome post(URI uri) throws Exception;
    }

    /**
     * The bulk client: curl processes posting the bodies from files, as a user would, where curl is
     * installed; else the JVM client (which costs the shared cores more), said in the report.
     */
    private BulkLoad bulkLoad(List<byte[]> bodies, Path data, Path workDir, Report report) throws IOException {
        LoadGenerator load = new LoadGenerator();
        if (!References.onPath("curl")) {
            report.note("curl is not installed: the bulk loads used the JVM client, which spends more of the shared cores "
                    + "than curl (1.3-3 µs of CPU per record here).");
            return uri -> load.bulk(uri, bodies, BULK_CLIENTS);
        }
        Path dir = Files.createDirectories(data.resolve("bodies"));
        List<Path> files = new ArrayList<>();
        int[] records = new int[bodies.size()];
        for (int i = 0; i < bodies.size(); i++) {
            Path file = dir.resolve(String.format("%06d.ndjson", i));
            Files.write(file, bodies.get(i));
            files.add(file);
            records[i] = lines(bodies.get(i));
        }
        return uri -> load.bulkWithCurl(uri, files, records, BULK_CLIENTS, workDir);
    }

    /** The records of an NDJSON body: one per line. */
    private static int lines(byte[] body) {
        int n = 0;
        for (byte b : body) {
            n += b == '\n' ? 1 : 0;
        }
        return n;
    }

    /**
     * Bulk NDJSON runs of 8 clients against a service with {@code engineConfig}; verifies exact row
     * counts. {@code alongside}, when not null, runs just before each measured run.
     */
    private Stats bulkRuns(String name, DatabaseUrl db, String engineConfig, String query, BulkLoad load, int runs, Run alongside)
            throws Exception {
        boolean upsert = !query.isEmpty();
        try (ServiceProcess service = start(db, engineConfig, name)) {
            var uri = URI.create(service.uri("/v1/tables/events/records") + query);
            execute(db, "TRUNCATE events");
            // Warm-up: one whole unmeasured run. A tenth of one left the JIT cold: the three measured
            // runs of one service rose run by run (108k, 130k, 156k rows/s), and the median
            // depended on the order in which the writer modes ran.
            load.post(uri);
            // The report charts one timeline: the default configuration's first measured run. Only
            // that run is sampled (10 polls of /v1/stats a second): the others, like psql's, run
            // with nobody watching, where the poller cost the machine 0.2-0.4 µs per record.
            boolean charted = engineConfig.isEmpty() && !upsert;
            Stats stats = measure(name, runs, () -> {
                if (alongside != null) {
                    alongside.call();
                }
                if (upsert) {
                    prefill(db);
                } else {
                    execute(db, "TRUNCATE events");
                }
                LoadGenerator.Sampler sampler = charted && bulkTimeline == null ? new LoadGenerator.Sampler(service, 100) : null;
                try {
                    LoadGenerator.Outcome o = metered(name, service.pid(), () -> load.post(uri), LoadGenerator.Outcome::rows);
                    if (sampler != null) {
                        bulkTimeline = sampler.samples();
                    }
                    check(o.failures() == 0 && o.rows() == rows, name + " lost rows: " + o);
                    verifyCount(db, rows);
                    return o.rowsPerSecond();
                } finally {
                    if (sampler != null) {
                        sampler.close();
                    }
                }
            });
            return stats;
        }
    }

    /** The events table holding every workload row, so an upsert of them updates. */
    private void prefill(DatabaseUrl db) throws Exception {
        execute(db, "TRUNCATE events");
        Path data = out.resolve("data");
        References.psqlCopy(db, List.of(data.resolve("events.csv")), out.resolve("psql.log"));
        verifyCount(db, rows);
    }

    private Report.Overload overload(DatabaseUrl db, Workload workload, LoadGenerator load, double sustainable) throws Exception {
        try (ServiceProcess service = start(db, "engine:\n  memory_budget_mb: " + budgetMb + "\n", "overload")) {
            execute(db, "TRUNCATE events");
            double bodiesPerSecond = 3 * sustainable / BODY_RECORDS;
            long first = 10_000_000_000L;
            LoadGenerator.Overload o;
            List<LoadGenerator.Sampler.Sample> samples;
            List<Long> live = Collections.synchronizedList(new ArrayList<>());
            var probe = Executors.newSingleThreadScheduledExecutor();
            probe.scheduleWithFixedDelay(() -> {
                try {
                    live.add(service.liveHeapBytes());
                } catch (IOException e) {
                    log("live heap probe failed: %s", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the run ended while jcmd was reading the heap: no sample, no failure
                }
            }, 5, 5, TimeUnit.SECONDS);
            try (LoadGenerator.Sampler sampler = new LoadGenerator.Sampler(service, 250)) {
                o = load.overload(service.uri("/v1/tables/events/records"), workload, first, BODY_RECORDS, bodiesPerSecond,
                        Duration.ofSeconds(overloadSeconds), OVERLOAD_IN_FLIGHT);
                samples = sampler.samples();
            } finally {
                probe.shutdownNow();
            }
            long missing = missingAckedRows(db, first, o.ackedBodies());
            long retainedPeak = samples.stream().mapToLong(LoadGenerator.Sampler.Sample::heapAfterGc).max().orElse(0);
            long livePeak = live.stream().mapToLong(Long::longValue).max().orElse(0);
            long budgetPeak = samples.stream().mapToLong(LoadGenerator.Sampler.Sample::budgetUsed).max().orElse(0);
            return new Report.Overload(bodiesPerSecond * BODY_RECORDS, o, livePeak, retainedPeak, budgetPeak,
                    budgetMb * 1024 * 1024, missing, samples);
        }
    }
    private int wrkRun;

    private Stats smallRuns(String name, ServiceProcess service, DatabaseUrl db, Workload workload, AtomicLong sequence,
            List<LoadGenerator.Latency> latencies, boolean wrk, int clients) throws Exception {
        LoadGenerator load = new LoadGenerator();
        var uri = service.uri("/v1/tables/events/records");
        Duration length = Duration.ofSeconds(smallSeconds);
        Duration warmUp = length; // one unmeasured run: after 3 s the first measured run was still a quarter slower
        if (wrk) {
            load.smallWithWrk(uri, wrkScript, clients, warmUp, ++wrkRun);
        } else {
            load.small(uri, workload, sequence, clients, warmUp);
        }
        return measure(name, repeats, () -> {
            long before = count(db);
            LoadGenerator.Outcome o = metered(name, service.pid(), () -> wrk ? load.smallWithWrk(uri, wrkScript, clients, length, ++wrkRun)
                    : load.small(uri, workload, sequence, clients, length), LoadGenerator.Outcome::rows);
            check(o.failures() == 0, name + ": " + o.failures() + " requests failed");
            // Requests still in flight when the load stops may commit without being counted.
            check(count(db) - before >= o.rows(), name + ": fewer rows in the table than acknowledged");
            latencies.add(o.latency());
            return o.rowsPerSecond();
        });
    }

    /**
     * The config file of a scenario's service: its engine section (the only section scenarios set,
     * {@code engine:} and one {@code "  key: value"} line a setting) merged over the run's
     * {@code --engine-setting}s, a scenario's own setting winning.
     */
    static String withEngineSettings(String scenarioConfig, Map<String, String> settings) {
        if (settings.isEmpty()) {
            return scenarioConfig;
        }
        Map<String, String> merged = new LinkedHashMap<>(settings);
        String section = "engine:\n";
        if (!scenarioConfig.isEmpty()) {
            check(scenarioConfig.startsWith(section), "a scenario's config is an engine section, not: " + scenarioConfig);
            for (String line : scenarioConfig.substring(section.length()).split("\n")) {
                int colon = line.indexOf(": ");
                check(line.startsWith("  ") && colon > 2, "not an engine setting line: " + line);
                merged.put(line.substring(2, colon), line.substring(colon + 2));
            }
        }
        StringBuilder out = new StringBuilder(section);
        merged.forEach((k, v) -> out.append("  ").append(k).append(": ").append(v).append('\n'));
        return out.toString();
    }

    /**
     * Starts a service for one scenario; with {@code --profile}, under async-profiler, which writes
     * {@code flames/<label>.html} when the service exits.
     */
    private ServiceProcess start(DatabaseUrl db, String scenarioConfig, String label) throws IOException, InterruptedException {
        String engineConfig = withEngineSettings(scenarioConfig, engineSettings);
        List<String> jvm = new ArrayList<>();
        if (profile) {
            Path flame = Files.createDirectories(out.resolve("flames")).resolve(fileName(label) + ".html");
            flames.add(flame);
            jvm.add("-XX:+UnlockDiagnosticVMOptions");
            jvm.add("-XX:+DebugNonSafepoints");
            jvm.add("-agentpath:" + AsyncProfilerLoader.getAsyncProfilerPath() + "=start,event=itimer,file=" + flame);
        }
        String url = "postgresql://" + (db.user() == null ? "postgres" : db.user()) + (db.password() == null ? "" : ":" + db.password())
                + "@" + db.host() + ":" + db.port() + "/" + db.database();
        int port = ServiceProcess.freePortFrom(nextPort);
        nextPort = port + 1;
        return ServiceProcess.start(jar, jvm, url, engineConfig, port, heap, out);
    }

    private interface Run {
        double call() throws Exception;
    }

    /** A reference run again next to each measured run of a scenario; keeps its figures. */
    private static final class Alongside implements Run {
        private final String name;
        private final Run reference;
        private final List<Double> values = new ArrayList<>();

        Alongside(String name, Run reference) {
            this.name = name;
            this.reference = reference;
        }

        @Override
        public double call() throws Exception {
            double v = reference.call();
            log("%-16s run %d: %,.0f", name, values.size() + 1, v);
            values.add(v);
            return v;
        }

        /** The runs so far; null when there were none (the scenario did not run). */
        Stats stats() {
            return values.isEmpty() ? null : new Stats(name, values);
        }
    }

    /** The reference run next to the scenario's runs where there is one, else the one measured at the start. */
    static Stats nearest(Stats alongside, Stats atStart) {
        return alongside != null ? alongside : atStart;
    }

    private static String besideNote(Stats alongside) {
        return alongside != null ? ", each run next to one" : "";
    }

    private static LoadGenerator.Latency worst(List<LoadGenerator.Latency> runs) {
        LoadGenerator.Latency w = null;
        for (LoadGenerator.Latency l : runs) {
            w = l.worst(w);
        }
        return w;
    }

    /**
     * Runs one measured load and keeps the CPU per record it cost under {@code figure} (see
     * {@link CpuUse}); {@code servicePid} is -1 for the references, which run no service.
     */
    private <T> T metered(String figure, long servicePid, Callable<T> load, ToLongFunction<T> records) throws Exception {
        if (!CpuUse.available()) {
            return load.call();
        }
        CpuUse.Snapshot before = CpuUse.now(servicePid);
        T result = load.call();
        cpu.computeIfAbsent(figure, k -> new ArrayList<>()).add(CpuUse.perRecord(before, CpuUse.now(servicePid), records.applyAsLong(result)));
        return result;
    }

    private static Stats measure(String name, int runs, Run run) throws Exception {
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            double v = run.call();
            log("%-16s run %d: %,.0f", name, i + 1, v);
            values.add(v);
        }
        return new Stats(name, values);
    }

    /** Rows of acknowledged overload bodies that are not in the table (must be 0). */
    private static long missingAckedRows(DatabaseUrl db, long first, Set<Long> acked) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE acked (body bigint PRIMARY KEY)");
            try (var ps = c.prepareStatement("INSERT INTO acked VALUES (?)")) {
                for (long b : acked) {
                    ps.setLong(1, b);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM events e JOIN acked a ON (e.user_id - " + first + ") / "
                    + BODY_RECORDS + " = a.body")) {
                rs.next();
                return (long) acked.size() * BODY_RECORDS - rs.getLong(1);
            }
        }
    }

    private static Map<String, String> environment(DatabaseUrl db) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        env.put("memory", Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " "));
        env.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            for (String q : List.of("SELECT version()", "SHOW synchronous_commit", "SHOW fsync", "SHOW shared_buffers",
                    "SHOW max_wal_size", "SHOW wal_level")) {
                try (ResultSet rs = s.executeQuery(q)) {
                    rs.next();
                    env.put(q.replace("SELECT ", "").replace("SHOW ", ""), rs.getString(1));
                }
            }
        }
        env.put("database", db.display());
        return env;
    }

    private static void verifyCount(DatabaseUrl db, long expected) throws SQLException {
        long n = count(db);
        check(n == expected, "expected " + expected + " rows in events, found " + n);
    }

    private static long count(DatabaseUrl db) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(DatabaseUrl db, String sql) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Connection connect(DatabaseUrl db) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    static void log(String format, Object... args) {
        System.out.printf("[perf] " + format + "%n", args);
    }
}

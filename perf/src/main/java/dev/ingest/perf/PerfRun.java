package dev.ingest.perf;

import dev.ingest.api.config.DatabaseConfig;
import dev.ingest.api.db.DatabaseUrl;
import dev.ingest.api.db.EmbeddedDatabase;
import java.io.IOException;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs every scenario of BENCHMARKS.md and its references back to back against one PostgreSQL,
 * and writes a markdown report with PNG charts. Every figure is the median of several runs after
 * a warm-up; every target is a ratio of figures measured in this one invocation.
 */
@Command(name = "perf/run", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Benchmark ingest against psql \\copy, the naive server and pgloader; write a report.")
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

    @Option(names = "--quick", description = "A short run for trying the harness: 100k rows, 2 repeats, short scenarios.")
    boolean quick;

    private static final int BODY_RECORDS = 1000;
    private static final int BULK_CLIENTS = 8;
    private static final int SMALL_CLIENTS = 64;
    /** Overload requests open at once: enough that the service's memory budget, not the client, binds. */
    private static final int OVERLOAD_IN_FLIGHT = 512;
    private int nextPort = 18_700;

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

    private int run(DatabaseUrl db) throws Exception {
        Report report = new Report(out);
        report.environment(environment(db));
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

        // The limit: psql \copy, two streams.
        Stats psql = measure("psql \\copy x2", repeats, () -> {
            execute(db, "TRUNCATE events");
            double s = References.psqlCopy(db, List.of(half1, half2), out.resolve("psql.log"));
            verifyCount(db, rows);
            return rows / s;
        });
        report.figure("psql \\copy, 2 streams (rows/s)", psql);

        Stats pgloader = null;
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

        // Bulk NDJSON, per writer mode.
        Map<String, Stats> modes = new LinkedHashMap<>();
        List<LoadGenerator.Sampler.Sample> bulkTimeline = null;
        LoadGenerator load = new LoadGenerator();
        for (String mode : List.of("values", "unnest", "copy")) {
            try (ServiceProcess service = start(db, "engine:\n  writer_mode: " + mode + "\n")) {
                var uri = service.uri("/v1/tables/events/records");
                execute(db, "TRUNCATE events");
                load.bulk(uri, bodies.subList(0, Math.max(1, bodies.size() / 10)), BULK_CLIENTS); // warm-up
                List<List<LoadGenerator.Sampler.Sample>> timelines = new ArrayList<>();
                Stats stats = measure("ingest " + mode, repeats, () -> {
                    execute(db, "TRUNCATE events");
                    try (LoadGenerator.Sampler sampler = new LoadGenerator.Sampler(service, 100)) {
                        LoadGenerator.Outcome o = load.bulk(uri, bodies, BULK_CLIENTS);
                        timelines.add(sampler.samples());
                        check(o.failures() == 0 && o.rows() == rows, "bulk run lost rows: " + o);
                        verifyCount(db, rows);
                        return o.rowsPerSecond();
                    }
                });
                modes.put(mode, stats);
                if (mode.equals("values")) {
                    bulkTimeline = timelines.get(0);
                }
            }
        }
        modes.forEach((mode, s) -> report.figure("ingest bulk NDJSON, " + mode + " (rows/s)", s));

        // The CLI: `ingest load` of the whole CSV, as a user runs it (its own JVM, start-up included).
        Map<String, Stats> cli = new LinkedHashMap<>();
        for (String mode : List.of("values", "copy")) {
            try (ServiceProcess service = start(db, "engine:\n  writer_mode: " + mode + "\n")) {
                String url = service.uri("/").toString();
                int[] run = {0};
                Run once = () -> {
                    execute(db, "TRUNCATE events");
                    // A new load id each run: the same file under the same id is (rightly) not loaded twice.
                    String loadId = "perf-" + mode + "-" + run[0]++ + "-" + System.nanoTime();
                    double s = References.ingestLoad(Path.of("scripts/ingest"), url, whole, loadId, data.resolve("load-state"),
                            out.resolve("ingest-load.log"));
                    verifyCount(db, rows);
                    return rows / s;
                };
                once.call(); // warm-up of the service
                cli.put(mode, measure("ingest load " + mode, repeats, once));
            }
        }
        cli.forEach((mode, s) -> report.figure("ingest load of the CSV, " + mode + " (rows/s)", s));

        // Small requests: ingest against the naive server (batching off).
        AtomicLong sequence = new AtomicLong(rows);
        boolean wrk = References.onPath("wrk");
        if (!wrk) {
            report.note("wrk is not installed (apt-get install wrk): the small-request scenario used the JVM client, "
                    + "which competes with the service for the same cores and understates both servers.");
        }
        List<LoadGenerator.Latency> ingestLatency = new ArrayList<>();
        List<LoadGenerator.Latency> naiveLatency = new ArrayList<>();
        Stats small;
        Stats naive;
        try (ServiceProcess service = start(db, "")) {
            small = smallRuns("ingest small", service, db, workload, sequence, ingestLatency, wrk);
        }
        try (ServiceProcess service = start(db, "engine:\n  max_batch_rows: 1\n  writers_per_table: 1\n  linger_ms: 0\n")) {
            naive = smallRuns("naive server", service, db, workload, sequence, naiveLatency, wrk);
        }
        // The network transports, on the small-request load (where per-request costs show).
        if (wrk) {
            for (String transport : List.of("nio", "epoll", "io_uring")) {
                try (ServiceProcess service = start(db, "transport: " + transport + "\n")) {
                    Stats t = smallRuns("transport " + transport, service, db, workload, sequence, new ArrayList<>(), true);
                    report.figure("ingest small requests, transport " + transport + " (records/s)", t);
                }
            }
        }
        report.figure("ingest, 1 record per request, 64 clients (records/s)", small);
        report.figure("naive server (one INSERT and commit per record), same load (records/s)", naive);
        LoadGenerator.Latency ingestWorst = worst(ingestLatency);
        LoadGenerator.Latency naiveWorst = worst(naiveLatency);
        report.latency(ingestWorst, naiveWorst, wrk);

        // Overload: 3x the sustainable bulk rate, open loop.
        double sustainable = modes.get("values").median();
        Report.Overload overload;
        try (ServiceProcess service = start(db, "engine:\n  memory_budget_mb: " + budgetMb + "\n")) {
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
                } catch (IOException | InterruptedException e) {
                    log("live heap probe failed: %s", e);
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
            overload = new Report.Overload(bodiesPerSecond * BODY_RECORDS, o, livePeak, retainedPeak, budgetPeak,
                    budgetMb * 1024 * 1024, missing, samples);
        }
        report.overload(overload);

        report.targets(psql, pgloader, modes, cli, small, naive, ingestWorst, overload);
        report.charts(psql, pgloader, modes, cli, small, naive, ingestWorst, naiveWorst, bulkTimeline, overload);
        Path file = report.write();
        log("report: %s", file);
        return 0;
    }

    private int wrkRun;

    private Stats smallRuns(String name, ServiceProcess service, DatabaseUrl db, Workload workload, AtomicLong sequence,
            List<LoadGenerator.Latency> latencies, boolean wrk) throws Exception {
        LoadGenerator load = new LoadGenerator();
        var uri = service.uri("/v1/tables/events/records");
        Duration warmUp = Duration.ofSeconds(3);
        Duration length = Duration.ofSeconds(smallSeconds);
        if (wrk) {
            load.smallWithWrk(uri, wrkScript, SMALL_CLIENTS, warmUp, ++wrkRun);
        } else {
            load.small(uri, workload, sequence, SMALL_CLIENTS, warmUp);
        }
        return measure(name, repeats, () -> {
            long before = count(db);
            LoadGenerator.Outcome o = wrk ? load.smallWithWrk(uri, wrkScript, SMALL_CLIENTS, length, ++wrkRun)
                    : load.small(uri, workload, sequence, SMALL_CLIENTS, length);
            check(o.failures() == 0, name + ": " + o.failures() + " requests failed");
            // Requests still in flight when the load stops may commit without being counted.
            check(count(db) - before >= o.rows(), name + ": fewer rows in the table than acknowledged");
            latencies.add(o.latency());
            return o.rowsPerSecond();
        });
    }

    private ServiceProcess start(DatabaseUrl db, String engineConfig) throws IOException, InterruptedException {
        String url = "postgresql://" + (db.user() == null ? "postgres" : db.user()) + (db.password() == null ? "" : ":" + db.password())
                + "@" + db.host() + ":" + db.port() + "/" + db.database();
        return ServiceProcess.start(jar, url, engineConfig, nextPort++, heap, out);
    }

    private interface Run {
        double call() throws Exception;
    }

    private static LoadGenerator.Latency worst(List<LoadGenerator.Latency> runs) {
        LoadGenerator.Latency w = null;
        for (LoadGenerator.Latency l : runs) {
            w = l.worst(w);
        }
        return w;
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

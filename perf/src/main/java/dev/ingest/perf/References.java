package dev.ingest.perf;

import dev.ingest.api.db.DatabaseUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The reference loaders of BENCHMARKS.md, run as separate processes on the same CSV. */
final class References {
    private References() {
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** {@code psql \copy} of each file, all in parallel (one stream per file); returns seconds. */
    static double psqlCopy(DatabaseUrl db, List<Path> files, Path log) throws IOException, InterruptedException {
        List<Process> processes = new ArrayList<>();
        long start = System.nanoTime();
        for (Path file : files) {
            String copy = "\\copy events (" + Workload.COLUMNS + ") FROM '" + file.toAbsolutePath() + "' WITH (FORMAT csv, HEADER true)";
            ProcessBuilder pb = new ProcessBuilder("psql", "-v", "ON_ERROR_STOP=1", "-h", db.host(), "-p", Integer.toString(db.port()),
                    "-U", db.user() == null ? "postgres" : db.user(), "-d", db.database(), "-c", copy)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            if (db.password() != null) {
                pb.environment().put("PGPASSWORD", db.password());
            }
            processes.add(pb.start());
        }
        for (Process p : processes) {
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("psql \\copy failed; see " + log);
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** pgloader on the CSV, with its defaults; returns seconds. */
    static double pgloader(DatabaseUrl db, Path csv, Path workDir, Path log) throws IOException, InterruptedException {
        String target = "postgresql://" + (db.user() == null ? "postgres" : db.user())
                + (db.password() == null ? "" : ":" + db.password()) + "@" + db.host() + ":" + db.port() + "/" + db.database();
        Path command = workDir.resolve("events.load");
        Files.writeString(command, "LOAD CSV FROM '" + csv.toAbsolutePath() + "' (" + Workload.COLUMNS + ")\n"
                + "  INTO " + target + "?tablename=events (" + Workload.COLUMNS + ")\n"
                + "  WITH skip header = 1, fields optionally enclosed by '\"', fields escaped by double-quote,\n"
                + "       fields terminated by ',';\n");
        long start = System.nanoTime();
        Process p = new ProcessBuilder("pgloader", command.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("pgloader failed; see " + log);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * {@code scripts/ingest load} of the CSV against a running service, as a user runs it (its own
     * JVM, start-up included); returns seconds.
     */
    static double ingestLoad(Path script, String serviceUrl, Path csv, String loadId, Path stateDir, Path log)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(script.toString(), "load", "--url", serviceUrl, "--table", "events", "--load-id", loadId, "--state-dir", stateDir.toString(),
                csv.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("ingest load failed; see " + log);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** A psql process on {@code db} running {@code command} ({@code -c}), output appended to {@code log}. */
    private static Process psql(DatabaseUrl db, String command, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("psql", "-v", "ON_ERROR_STOP=1", "-h", db.host(), "-p", Integer.toString(db.port()),
                "-U", user(db), "-d", db.database(), "-c", command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        password(db, pb);
        return pb.start();
    }

    private static String user(DatabaseUrl db) {
        return db.user() == null ? "postgres" : db.user();
    }

    private static void password(DatabaseUrl db, ProcessBuilder pb) {
        if (db.password() != null) {
            pb.environment().put("PGPASSWORD", db.password());
        }
    }

    /** Runs the psql commands in parallel, one process each; returns seconds until the last ended. */
    static double psqlParallel(DatabaseUrl db, List<String> commands, Path log) throws IOException, InterruptedException {
        List<Process> processes = new ArrayList<>();
        long start = System.nanoTime();
        for (String command : commands) {
            processes.add(psql(db, command, log));
        }
        for (Process p : processes) {
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("psql failed; see " + log);
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Writes the table's rows in PostgreSQL's binary COPY format (the rows must be loaded already):
     * the input of the ceiling reference. File {@code i} of {@code n} holds rows
     * {@code [i*rows/n, (i+1)*rows/n)} in row-number order, exactly the rows and the order of the
     * CSV halves: the order matters, since rows sorted by the unique {@code event_id} reach its
     * index far more cheaply (about a third less time for PostgreSQL here) than the workload's
     * random order, and the ceiling would not be the same work.
     */
    static void exportBinary(DatabaseUrl db, List<Path> files, long rows, Path log) throws IOException, InterruptedException {
        int n = files.size();
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long from = i * rows / n;
            long to = (i + 1) * rows / n;
            commands.add("\\copy (SELECT " + Workload.COLUMNS + " FROM events WHERE user_id >= " + from + " AND user_id < " + to
                    + " ORDER BY user_id) TO '" + files.get(i).toAbsolutePath() + "' WITH (FORMAT binary)");
        }
        psqlParallel(db, commands, log);
    }

    /** {@code psql \\copy ... WITH (FORMAT binary)} of each file in parallel: PostgreSQL's own ceiling here; returns seconds. */
    static double psqlBinaryCopy(DatabaseUrl db, List<Path> files, Path log) throws IOException, InterruptedException {
        List<String> commands = new ArrayList<>();
        for (Path file : files) {
            commands.add("\\copy events (" + Workload.COLUMNS + ") FROM '" + file.toAbsolutePath() + "' WITH (FORMAT binary)");
        }
        return psqlParallel(db, commands, log);
    }

    /**
     * What a user does for an upsert without the service: per stream, one psql session that copies its
     * CSV into a TEMP table and then {@code INSERT ... ON CONFLICT (event_id) DO UPDATE} into events;
     * returns seconds.
     */
    static double psqlUpsert(DatabaseUrl db, List<Path> files, Path log) throws IOException, InterruptedException {
        List<String> commands = new ArrayList<>();
        String update = Arrays.stream(Workload.COLUMNS.split(",")).filter(c -> !c.equals("event_id"))
                .map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
        for (Path file : files) {
            Path script = file.resolveSibling(file.getFileName() + ".upsert.sql");
            // The staging table a user would make: the loaded columns only (LIKE would copy the
            // NOT NULL of the identity column without its identity, and refuse every row).
            Files.writeString(script, "CREATE TEMP TABLE tmp AS SELECT " + Workload.COLUMNS + " FROM events WITH NO DATA;\n"
                    + "\\copy tmp (" + Workload.COLUMNS + ") FROM '" + file.toAbsolutePath() + "' WITH (FORMAT csv, HEADER true)\n"
                    + "INSERT INTO events (" + Workload.COLUMNS + ") SELECT " + Workload.COLUMNS + " FROM tmp\n"
                    + "  ON CONFLICT (event_id) DO UPDATE SET " + update + ";\n");
            commands.add("\\i " + script.toAbsolutePath());
        }
        return psqlParallel(db, commands, log);
    }

    /** What pgbench reported: throughput and, from its per-transaction log, latency percentiles in ms. */
    record Pgbench(double tps, double averageMs, double p99Ms, long transactions) {
    }

    /**
     * pgbench with {@code clients} clients on 2 threads for {@code seconds}, each transaction one
     * one-row INSERT into events shaped like perf/small.lua's body: what a user gets with no service.
     * The INSERT is a prepared statement ({@code -M prepared}), as drivers with a statement cache
     * run it; pgbench's default simple protocol would parse and plan it on every transaction.
     */
    static Pgbench pgbench(DatabaseUrl db, int clients, int seconds, Path dir, Path log) throws IOException, InterruptedException {
        Path script = dir.resolve("pgbench-insert.sql");
        Files.writeString(script, PGBENCH_SCRIPT);
        Path logs = Files.createDirectories(dir.resolve("pgbench-log-" + System.nanoTime()));
        ProcessBuilder pb = new ProcessBuilder("pgbench", "-n", "-M", "prepared", "-c", Integer.toString(clients), "-j", "2", "-T", Integer.toString(seconds),
                "-f", script.toAbsolutePath().toString(), "-l", "--log-prefix=" + logs.resolve("tx"), "-h", db.host(), "-p",
                Integer.toString(db.port()), "-U", user(db), db.database()).redirectErrorStream(true);
        password(db, pb);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        Files.writeString(log, output, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("pgbench failed; see " + log);
        }
        org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3);
        try (var files = Files.list(logs)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                try (var lines = Files.lines(f)) {
                    lines.forEach(line -> h.recordValue(Math.max(1, pgbenchLatencyMicros(line))));
                }
            }
        }
        PgbenchSummary s = parsePgbench(output);
        return new Pgbench(s.tps(), s.averageMs(), h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1000.0,
                h.getTotalCount());
    }

    /** The one-row INSERT of the pgbench reference; the same columns and shape as perf/small.lua. */
    static final String PGBENCH_SCRIPT = "INSERT INTO events (" + Workload.COLUMNS + ") VALUES (gen_random_uuid(), "
            + "'2026-01-01T00:00:00Z', 'pgbench', 'small', :client_id, 1.5, "
            + "'{\"session\":\"abcdef0123456789\",\"page\":\"/p/1\",\"n\":1,\"tags\":[\"a\",\"b\"]}');\n";

    record PgbenchSummary(double tps, double averageMs) {
    }

    /** Reads {@code tps = ...} and {@code latency average = ... ms} from pgbench's summary. */
    static PgbenchSummary parsePgbench(String output) {
        var tps = java.util.regex.Pattern.compile("(?m)^tps = ([0-9.]+)").matcher(output);
        var avg = java.util.regex.Pattern.compile("(?m)^latency average = ([0-9.]+) ms").matcher(output);
        if (!tps.find()) {
            throw new IllegalStateException("no 'tps = ' line in pgbench output:\n" + output);
        }
        return new PgbenchSummary(Double.parseDouble(tps.group(1)), avg.find() ? Double.parseDouble(avg.group(1)) : Double.NaN);
    }

    /** The latency (µs, third field) of one line of pgbench's per-transaction log. */
    static long pgbenchLatencyMicros(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException("not a pgbench log line: " + line);
        }
        return Long.parseLong(f[2]);
    }

    /** wrk -t2 on a GET URL: requests per second of the service's HTTP layer alone. */
    static double wrkGet(java.net.URI uri, int connections, int seconds, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", "ulimit -n 65536 2>/dev/null || true; exec wrk -t2 -c" + connections + " -d" + seconds
                + "s " + uri).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        Files.writeString(log, output, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("wrk failed; see " + log);
        }
        return parseWrkRate(output);
    }

    /** Reads {@code Requests/sec: N} from wrk's summary. */
    static double parseWrkRate(String output) {
        var m = java.util.regex.Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("no 'Requests/sec:' in wrk output:\n" + output);
        }
        return Double.parseDouble(m.group(1));
    }
}

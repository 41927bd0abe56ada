package dev.ingest.perf;

import dev.ingest.api.db.DatabaseUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
}

package dev.ingest.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The benchmark report: report.md and its charts in one directory. */
final class Report {
    private final Path dir;
    private final StringBuilder md = new StringBuilder("# ingest benchmark report\n\n");
    private final StringBuilder figures = new StringBuilder();
    private final List<String> notes = new ArrayList<>();
    private String latencyTable = "";
    private String overloadTable = "";
    private String targetsTable = "";
    private String chartsSection = "";
    private String cpuTable = "";

    /** What the overload run showed. */
    record Overload(double offeredRowsPerSecond, LoadGenerator.Overload run, long liveHeapPeak, long retainedHeapPeak,
            long budgetUsedPeak, long budgetBytes, long missingAckedRows, List<LoadGenerator.Sampler.Sample> samples) {
    }

    Report(Path dir) {
        this.dir = dir;
    }

    void environment(Map<String, String> env) {
        md.append("Reproduce: `perf/run` (embedded PostgreSQL) or `perf/run --database-url postgresql://...`.\n")
                .append("Every figure below is the median of the runs of one scenario, with min–max and run count; every ")
                .append("ratio is between figures of this one invocation.\n\n## Machine and database\n\n| | |\n|---|---|\n");
        env.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v.replace("|", "/")).append(" |\n"));
    }

    void workload(long rows, long csvBytes, long ndjsonBytes) {
        md.append(String.format("%n## Workload%n%nThe `events` table of BENCHMARKS.md, %,d rows, seed 42: CSV %,d bytes "
                + "(%.0f bytes/row), NDJSON %,d bytes (%.0f bytes/row), in bodies of 1,000 records.%n",
                rows, csvBytes, (double) csvBytes / rows, ndjsonBytes, (double) ndjsonBytes / rows));
    }

    void figure(String name, Stats stats) {
        figures.append("| ").append(name).append(" | ").append(stats.describe()).append(" |\n");
    }

    /** Links the flame graphs of the run's services, by the file names their scenarios gave them. */
    void flameGraphs(Path base, List<Path> files) {
        StringBuilder links = new StringBuilder("Flame graphs of the service (async-profiler, CPU by itimer, each over its service's "
                + "whole life, warm-up included; figures of this run were measured under the profiler):");
        for (Path f : files) {
            String name = f.getFileName().toString();
            links.append(Files.exists(f) ? " [" + name.replace(".html", "") + "](" + base.relativize(f) + ")" : " " + name + " (not written)");
        }
        notes.add(links.toString());
    }

    /**
     * CPU per record of each measured load (median of its runs, in microseconds): of the service
     * and of its JIT threads, of PostgreSQL's processes, of this harness, and of the rest of the
     * machine (the other clients and the kernel); see {@link CpuUse}.
     */
    void cpu(Map<String, List<CpuUse.PerRecord>> runs) {
        if (runs.isEmpty()) {
            return;
        }
        StringBuilder t = new StringBuilder("""
                CPU per record, in microseconds (median of the runs; from /proc): the service's process, and of it its JIT \
                compiler threads (a long-running service pays them once; these runs pay them still); every process named \
                postgres on this machine; this harness (the JVM client of the overload, and of the bulk loads where curl is \
                missing); the rest of the machine: the other clients (psql, pgbench, wrk, curl, `ingest load`) and the kernel:

                | load | service | of it JIT | PostgreSQL | this harness | rest of the machine | total |
                |---|---|---|---|---|---|---|
                """);
        runs.forEach((name, list) -> t.append(String.format("| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n", name,
                median(list, CpuUse.PerRecord::service), median(list, CpuUse.PerRecord::serviceJit),
                median(list, CpuUse.PerRecord::postgres), median(list, CpuUse.PerRecord::harness),
                median(list, CpuUse.PerRecord::rest), median(list, CpuUse.PerRecord::total))));
        cpuTable = t.toString();
    }

    private static double median(List<CpuUse.PerRecord> runs, ToDoubleFunction<CpuUse.PerRecord> part) {
        return new Stats("", runs.stream().map(part::applyAsDouble).toList()).median();
    }

    void note(String text) {
        notes.add(text);
    }

    void latency(LoadGenerator.Latency ingest, LoadGenerator.Latency naive, boolean wrk) {
        StringBuilder t = new StringBuilder("Request latency of the small-request runs (the worst run at each percentile; load from "
                + (wrk ? "wrk" : "the JVM client") + "):\n\n| latency (ms) | p50 | p90 | p99 | p99.9 | max |\n|---|---|---|---|---|---|\n");
        for (var e : List.of(Map.entry("ingest", ingest), Map.entry("batching off (ablation)", naive))) {
            LoadGenerator.Latency l = e.getValue();
            t.append(String.format("| %s | %.1f | %.1f | %.1f | %.1f | %.1f |%n", e.getKey(), l.p50(), l.p90(), l.p99(), l.p999(), l.max()));
        }
        latencyTable = t.toString();
    }

    void overload(Overload o) {
        overloadTable = String.format("""
                | overload | |
                |---|---|
                | offered (3x the bulk default median) | %,.0f rows/s for %.0f s |
                | bodies offered / acknowledged / refused (429, 503) / not sent (512 in flight) | %,d / %,d / %,d / %,d |
                | memory budget / its peak use | %,.1f MiB / %,.1f MiB |
                | live heap, peak (after a full GC run every 5 s with jcmd) | %,.1f MiB |
                | heap after G1's own collections, peak (includes garbage mixed collections left) | %,.1f MiB |
                | acknowledged rows missing from the table | %,d |
                """, o.offeredRowsPerSecond(), o.run().seconds(), o.run().offered(), o.run().acked(), o.run().refused(),
                o.run().notSent(), o.budgetBytes() / 1048576.0, o.budgetUsedPeak() / 1048576.0, o.liveHeapPeak() / 1048576.0,
                o.retainedHeapPeak() / 1048576.0, o.missingAckedRows());
    }

    /** The targets table, computed by {@link Targets}. */
    void targets(Targets targets) {
        targetsTable = targets.markdown();
    }

    void charts(Stats psql, Stats pgloader, Map<String, Stats> modes, Map<String, Stats> cli, Stats small, Stats naive,
            LoadGenerator.Latency ingestLatency,
            LoadGenerator.Latency naiveLatency, List<LoadGenerator.Sampler.Sample> bulkTimeline, Overload o) throws IOException {
        List<Stats> bulk = new ArrayList<>();
        bulk.add(new Stats("psql \\copy x2", psql.values()));
        if (pgloader != null) {
            bulk.add(pgloader);
        }
        modes.forEach((mode, s) -> bulk.add(new Stats("ingest " + mode, s.values())));
        cli.forEach((mode, s) -> bulk.add(new Stats("ingest load " + mode, s.values())));
        Charts.bars(dir.resolve("throughput.png"), "Bulk load of the events workload", "rows/s", bulk);
        Charts.bars(dir.resolve("small.png"), "1 record per request, 64 clients", "records/s", List.of(small, naive));
        Map<String, List<Double>> series = new LinkedHashMap<>();
        series.put("ingest", percentiles(ingestLatency));
        series.put("batching off (ablation)", percentiles(naiveLatency));
        Charts.groupedBars(dir.resolve("latency.png"), "Request latency, 1 record per request", "ms",
                List.of("p50", "p90", "p99", "p99.9"), series, false);
        if (bulkTimeline != null && !bulkTimeline.isEmpty()) {
            double[] x = bulkTimeline.stream().mapToDouble(LoadGenerator.Sampler.Sample::seconds).toArray();
            Map<String, double[]> lines = new LinkedHashMap<>();
            lines.put("adaptive batch limit (rows)", bulkTimeline.stream().mapToDouble(LoadGenerator.Sampler.Sample::batchLimit).toArray());
            lines.put("last batch (rows)", bulkTimeline.stream().mapToDouble(LoadGenerator.Sampler.Sample::lastBatchRows).toArray());
            lines.put("queued requests x100", bulkTimeline.stream().mapToDouble(s -> s.queued() * 100.0).toArray());
            Charts.lines(dir.resolve("timeline.png"), "Bulk NDJSON (default configuration): batch size and queue depth", "rows", x, lines);
        }
        if (!o.samples().isEmpty()) {
            double[] x = o.samples().stream().mapToDouble(LoadGenerator.Sampler.Sample::seconds).toArray();
            Map<String, double[]> lines = new LinkedHashMap<>();
            lines.put("heap after G1 collections (MiB)", o.samples().stream().mapToDouble(s -> s.heapAfterGc() / 1048576.0).toArray());
            lines.put("memory budget used (MiB)", o.samples().stream().mapToDouble(s -> s.budgetUsed() / 1048576.0).toArray());
            lines.put("budget + 64 MiB", o.samples().stream().mapToDouble(s -> (o.budgetBytes() + 64.0 * 1048576) / 1048576.0).toArray());
            Charts.lines(dir.resolve("overload.png"), "Overload at 3x: memory", "MiB", x, lines);
        }
        chartsSection = """

                ## Charts

                ![throughput](throughput.png)
                ![small requests](small.png)
                ![latency](latency.png)
                ![batch size and queue depth](timeline.png)
                ![overload memory](overload.png)
                """;
    }

    private static List<Double> percentiles(LoadGenerator.Latency l) {
        return List.of(l.p50(), l.p90(), l.p99(), l.p999());
    }

    Path write() throws IOException {
        md.append("\n## Targets\n\n").append(targetsTable)
                .append("\n## Figures\n\n| scenario | median (min–max, runs) |\n|---|---|\n").append(figures)
                .append('\n').append(latencyTable).append('\n').append(overloadTable).append('\n').append(cpuTable);
        for (String n : notes) {
            md.append("\n").append(n).append('\n');
        }
        md.append(chartsSection);
        Path file = dir.resolve("report.md");
        Files.writeString(file, md.toString());
        return file;
    }
}

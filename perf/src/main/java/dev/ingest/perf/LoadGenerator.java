package dev.ingest.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** HTTP load against a running service: closed-loop bulk and small-request clients, and open-loop overload. */
final class LoadGenerator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** What a run achieved: rows acknowledged, wall time, request latency. */
    record Outcome(long rows, double seconds, Latency latency, long failures) {
        double rowsPerSecond() {
            return rows / seconds;
        }
    }

    /** Request latency percentiles of one run, in milliseconds. */
    record Latency(double p50, double p90, double p99, double p999, double max) {
        static Latency of(Histogram h) {
            return new Latency(h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
        }

        /** The worse of two runs at each percentile (the report shows the worst run). */
        Latency worst(Latency o) {
            return o == null ? this : new Latency(Math.max(p50, o.p50), Math.max(p90, o.p90), Math.max(p99, o.p99),
                    Math.max(p999, o.p999), Math.max(max, o.max));
        }
    }

    /**
     * The small-request load from wrk (a C load generator, far lighter than a JVM client on a
     * machine the service shares), with {@code script} making unique one-record bodies.
     */
    Outcome smallWithWrk(URI uri, Path script, int clients, Duration duration, int runId) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + clients, "-d" + duration.toSeconds() + "s", "--timeout", "30s",
                "-s", script.toString(), uri.toString(), "--", Integer.toString(runId)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS);
        Matcher m = Pattern.compile("WRK requests=(\\d+) seconds=([\\d.]+) non2xx=(\\d+) errors=(\\d+) "
                + "p50=([\\d.]+) p90=([\\d.]+) p99=([\\d.]+) p999=([\\d.]+) max=([\\d.]+)").matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("unexpected wrk output: " + output);
        }
        long responses = Long.parseLong(m.group(1)); // non-2xx included; errors and timeouts are not
        long non2xx = Long.parseLong(m.group(3));
        long failed = non2xx + Long.parseLong(m.group(4));
        Latency latency = new Latency(Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6)), Double.parseDouble(m.group(7)),
                Double.parseDouble(m.group(8)), Double.parseDouble(m.group(9)));
        return new Outcome(responses - non2xx, Double.parseDouble(m.group(2)), latency, failed);
    }

    /**
     * The bulk load from curl, as a user posts files: {@code clients} curl processes, client
     * {@code c} posting bodies {@code c, c + clients, ...} one after another on one kept-alive
     * connection. curl is C, like psql, so the client costs about what psql's does; the JDK
     * HttpClient of {@link #bulk} spent 1.3-3 µs of CPU per record on the cores the service and
     * PostgreSQL share. Rows are those of the bodies answered 200.
     *
     * @param records the records of each body file
     */
    Outcome bulkWithCurl(URI uri, List<Path> bodies, int[] records, int clients, Path workDir) throws IOException, InterruptedException {
        List<Process> curls = new ArrayList<>();
        List<List<Integer>> shares = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            List<Integer> share = new ArrayList<>();
            StringBuilder config = new StringBuilder();
            for (int i = c; i < bodies.size(); i += clients) {
                share.add(i);
                config.append(share.size() > 1 ? "next\n" : "")
                        .append("url = \"").append(uri).append("\"\n")
                        .append("data-binary = \"@").append(bodies.get(i).toAbsolutePath()).append("\"\n")
                        .append("header = \"Content-Type: application/x-ndjson\"\n")
                        .append("output = \"/dev/null\"\n")
                        .append("write-out = \"%{http_code} %{time_total}\\n\"\n");
            }
            Path file = workDir.resolve("curl-" + c + ".conf");
            Files.writeString(file, config);
            shares.add(share);
            curls.add(new ProcessBuilder("curl", "--silent", "--show-error", "--max-time", "300", "--config", file.toString())
                    .redirectError(ProcessBuilder.Redirect.appendTo(workDir.resolve("curl.log").toFile())).start());
        }
        Histogram latency = new Histogram(3);
        long rows = 0;
        long failures = 0;
        for (int c = 0; c < clients; c++) {
            // One line per transfer, in the order of the config: "200 0.012345".
            List<String> lines = new String(curls.get(c).getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            curls.get(c).waitFor(30, TimeUnit.MINUTES);
            List<Integer> share = shares.get(c);
            failures += Math.max(0, share.size() - lines.size());
            for (int k = 0; k < lines.size() && k < share.size(); k++) {
                String[] f = lines.get(k).split(" ");
                if (f[0].equals("200")) {
                    rows += records[share.get(k)];
                    latency.recordValue(Math.max(1, Math.round(Double.parseDouble(f[1]) * 1e6)));
                } else {
                    failures++;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Outcome(rows, seconds, Latency.of(latency), failures);
    }

    /** Each of {@code clients} threads posts the next NDJSON body until none is left. */
    Outcome bulk(URI uri, List<byte[]> bodies, int clients) throws Exception {
        AtomicInteger next = new AtomicInteger();
        return closedLoop(clients, recorder -> {
            long rows = 0;
            int i;
            while ((i = next.getAndIncrement()) < bodies.size()) {
                rows += post(uri, "application/x-ndjson", bodies.get(i), recorder);
            }
            return rows;
        });
    }

    /** Each of {@code clients} threads posts one-record JSON bodies, one after another, for {@code duration}. */
    Outcome small(URI uri, Workload workload, AtomicLong sequence, int clients, Duration duration) throws Exception {
        long deadline = System.nanoTime() + duration.toNanos();
        return closedLoop(clients, recorder -> {
            long rows = 0;
            while (System.nanoTime() < deadline) {
                byte[] body = workload.jsonObject(sequence.getAndIncrement()).getBytes(StandardCharsets.UTF_8);
                rows += post(uri, "application/json", body, recorder);
            }
            return rows;
        });
    }

    private interface Client {
        long run(Recorder recorder) throws Exception;
    }

    private static Outcome closedLoop(int clients, Client client) throws Exception {
        Recorder recorder = new Recorder(3);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                results.add(pool.submit(() -> client.run(recorder)));
            }
            long rows = 0;
            long failures = 0;
            for (Future<Long> f : results) {
                try {
                    rows += f.get(30, TimeUnit.MINUTES);
                } catch (ExecutionException e) {
                    failures++;
                    System.err.println("client failed: " + e.getCause());
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Outcome(rows, seconds, Latency.of(recorder.getIntervalHistogram()), failures);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Posts one body; returns the rows accepted. Fails on anything but 200. */
    private long post(URI uri, String type, byte[] body, Recorder recorder) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", type)
                .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        recorder.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body().substring(0, Math.min(300, r.body().length())));
        }
        return JSON.readTree(r.body()).get("accepted").asLong();
    }

    /** What an overload run did: bodies offered and acknowledged, and which were acknowledged. */
    record Overload(long offered, long acked, long refused, long notSent, double seconds, Set<Long> ackedBodies) {
    }

    /**
     * Offers NDJSON bodies at {@code bodiesPerSecond} for {@code duration}, whatever the service
     * answers (open loop), keeping at most {@code maxInFlight} requests open (the rest count as not
     * sent). Body k holds rows [first + k * perBody, first + (k + 1) * perBody).
     */
    Overload overload(URI uri, Workload workload, long firstRow, int perBody, double bodiesPerSecond, Duration duration,
            int maxInFlight) throws Exception {
        Semaphore inFlight = new Semaphore(maxInFlight);
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        AtomicLong refused = new AtomicLong();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        long intervalNanos = (long) (1e9 / bodiesPerSecond);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long offered = 0;
        long notSent = 0;
        ExecutorService makers = Executors.newFixedThreadPool(2);
        try {
            for (long k = 0; ; k++) {
                long due = start + k * intervalNanos;
                if (due >= end) {
                    break;
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                offered++;
                if (!inFlight.tryAcquire()) {
                    notSent++;
                    continue;
                }
                long body = k;
                CompletableFuture<HttpResponse<String>> f = CompletableFuture
                        .supplyAsync(() -> workload.ndjsonBodies(firstRow + body * perBody, firstRow + (body + 1) * perBody, perBody).get(0), makers)
                        .thenCompose(bytes -> http.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-ndjson")
                                .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                                HttpResponse.BodyHandlers.ofString()));
                pending.add(f.whenComplete((r, e) -> {
                    inFlight.release();
                    if (e == null && r.statusCode() == 200) {
                        acked.add(body);
                    } else {
                        refused.incrementAndGet();
                    }
                }));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).handle((x, e) -> null).get(10, TimeUnit.MINUTES);
            return new Overload(offered, acked.size(), refused.get(), notSent, seconds, acked);
        } finally {
            makers.shutdownNow();
        }
    }

    /** Polls the service's stats at a fixed interval while a run goes on. */
    static final class Sampler implements AutoCloseable {
        record Sample(double seconds, long batchLimit, long lastBatchRows, long queued, long budgetUsed, long heapAfterGc) {
        }

        private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final long start = System.nanoTime();

        Sampler(ServiceProcess service, long periodMillis) {
            timer.scheduleAtFixedRate(() -> {
                try {
                    JsonNode s = service.stats();
                    long limit = 0;
                    long last = 0;
                    long queued = 0;
                    for (JsonNode t : s.get("tables")) {
                        limit = Math.max(limit, t.get("batch_limit_rows").asLong());
                        last = Math.max(last, t.get("last_batch_rows").asLong());
                        queued += t.get("queued_requests").asLong();
                    }
                    samples.add(new Sample((System.nanoTime() - start) / 1e9, limit, last, queued,
                            s.get("budget_used_bytes").asLong(), s.get("heap_used_after_gc_bytes").asLong()));
                } catch (IOException | InterruptedException | RuntimeException e) {
                    // a missed sample is fine
                }
            }, 0, periodMillis, TimeUnit.MILLISECONDS);
        }

        List<Sample> samples() {
            synchronized (samples) {
                return List.copyOf(samples);
            }
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }
}

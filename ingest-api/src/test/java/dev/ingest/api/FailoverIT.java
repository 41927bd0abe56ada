package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.db.DurabilityCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service on a real pg_auto_failover cluster (a primary and a synchronous standby, see
 * {@link AutoFailoverCluster}), given both nodes in one URL. Under load from keyed clients (JSON
 * arrays and NDJSON) that keep a ledger of what was acknowledged, the primary's node is killed
 * (kill -9 of pg_autoctl and PostgreSQL) while an {@code ingest load} and a scheduled import run;
 * later the primary is changed by a planned switchover, and then its postmaster alone is killed. After each: every
 * acknowledged record is on the new primary exactly once, the service wrote again by itself
 * within 10 s of the new primary accepting writes and was not ready in between, and once the
 * clients have sent again what was not acknowledged, under the same keys, every record is there
 * exactly once. The table has no key, so a record written twice would show.
 */
@Timeout(600)
class FailoverIT {
    private static final Logger log = LoggerFactory.getLogger(FailoverIT.class);
    private static final int CLIENTS = 4;
    private static final int RECORDS = 20;
    private static final Duration RECOVERY = Duration.ofSeconds(10);
    private static final int LOAD_ROWS = 1_000_000;
    private static final int IMPORT_ROWS = 1_000_000;

    /** A CSV file of {@code n} rows {@code k,i}: k the given name, i 0..n-1. */
    private static Path rows(Path file, String k, int n) throws IOException {
        StringBuilder text = new StringBuilder("k,i\n");
        for (int i = 0; i < n; i++) {
            text.append(k).append(',').append(i).append('\n');
        }
        return Files.writeString(file, text);
    }

    /** {@code ingest load} of the file into hits, as a process of its own; its checkpoint beside the file (removed with it). */
    private static Process load(CrashIT.Service service, Path csv) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.ingest.api.cli.Main", "load", "--url", "http://127.0.0.1:" + service.port(),
                "--table", "hits", "--no-progress-bar", "--state-dir", csv.resolveSibling("state").toString(), csv.toString())
                .redirectErrorStream(true).redirectOutput(csv.resolveSibling("load.log").toFile()).start();
    }

    /** Rows of hits with this k on the node; 0 when it does not answer. */
    private static long rowsOf(AutoFailoverCluster cluster, String node, String k) {
        try (Connection c = cluster.connect(node); var s = c.prepareStatement("SELECT count(*) FROM hits WHERE k = ?")) {
            s.setString(1, k);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            return 0;
        }
    }

    /**
     * Runs the import job until its file is recorded as imported: the run cut off by the fault
     * failed (or was left running); the next one finishes the file.
     */
    private static void importUntilRecorded(CrashIT.Service service, AutoFailoverCluster cluster, String primary) throws Exception {
        for (int run = 0; run < 5; run++) {
            if (query(cluster, primary, "SELECT count(*) FROM ingest.import_files WHERE job = 'failover'") > 0) {
                return;
            }
            long before = query(cluster, primary, "SELECT coalesce(max(id), 0) FROM ingest.import_runs");
            assertThat(service.postEmpty("/v1/imports/failover/run")).isEqualTo(202);
            AutoFailoverCluster.await("a run of the import asked for after run " + before + " ended", () -> {
                try {
                    return query(cluster, primary, "SELECT count(*) FROM ingest.import_runs WHERE job = 'failover' AND id > " + before
                            + " AND status <> 'running'") > 0;
                } catch (SQLException e) {
                    return false;
                }
            });
        }
        throw new AssertionError("the import's file was not recorded after 5 runs");
    }

    private static long query(AutoFailoverCluster cluster, String node, String sql) throws SQLException {
        try (Connection c = cluster.connect(node); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** The n rows {@code (k, 0..n-1)} are in hits, each once. */
    private static void assertOnce(Connection c, String k, int n) throws SQLException {
        try (var s = c.prepareStatement("SELECT count(*), count(DISTINCT i), min(i), max(i) FROM hits WHERE k = ?")) {
            s.setString(1, k);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                assertThat(List.of(r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4))).as("rows of " + k)
                        .containsExactly((long) n, (long) n, 0L, n - 1L);
            }
        }
    }

    @Test
    void aKilledPrimaryASwitchoverAndACrashedPostmasterLoseAndDuplicateNothing() throws Exception {
        String skip = AutoFailoverCluster.skipReason();
        Assumptions.assumeTrue(skip == null, skip);
        try (AutoFailoverCluster cluster = AutoFailoverCluster.start()) {
            String first = cluster.primary();
            try (Connection c = cluster.connect(first); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE hits (k text NOT NULL, i int NOT NULL)");
                // pg_auto_failover's synchronous standby: nothing to warn about at start.
                assertThat(DurabilityCheck.warnings(c, true)).isEmpty();
            }
            Ledger ledger = new Ledger();
            Path files = Files.createTempDirectory("ingest-failover-files");
            Path incoming = Files.createDirectories(files.resolve("incoming"));
            Path csv = rows(files.resolve("load.csv"), "load", LOAD_ROWS);
            rows(incoming.resolve("import.csv"), "import", IMPORT_ROWS);
            Path config = Files.writeString(files.resolve("ingest.yaml"), String.join("\n", "imports:", "  - name: failover",
                    "    cron: \"0 0 1 1 *\"", "    source: " + incoming.resolve("*.csv"), "    table: hits", ""));
            try (CrashIT.Service service = CrashIT.Service.start(cluster.url("target_session_attrs=read-write"), "--config", config.toString())) {
                // A crash: the primary's machine is gone, while the clients post, a file is loaded
                // by `ingest load` and another imported by a scheduled job.
                String second = cluster.standbyOf(first);
                Process load = load(service, csv);
                Outage crash = ledger.across(service, () -> {
                    AutoFailoverCluster.await("the load under way", () -> rowsOf(cluster, first, "load") > 0);
                    assertThat(service.postEmpty("/v1/imports/failover/run")).isEqualTo(202);
                    AutoFailoverCluster.await("the import under way", () -> rowsOf(cluster, first, "import") > 0);
                    assertThat(load.isAlive()).as("the load still running at the fault").isTrue();
                    assertThat(query(cluster, first, "SELECT count(*) FROM ingest.import_files")).as("the import not done at the fault").isZero();
                    cluster.killNode(first);
                }, () -> cluster.acceptsWrites(second));
                crash.check(service, cluster, second, ledger);
                assertThat(load.waitFor(300, TimeUnit.SECONDS)).as("the load ends").isTrue();
                assertThat(load.exitValue()).as("ingest load's exit code; its output: " + files.resolve("load.log")).isZero();
                importUntilRecorded(service, cluster, second);
                try (Connection c = cluster.connect(second)) {
                    assertOnce(c, "load", LOAD_ROWS);
                    assertOnce(c, "import", IMPORT_ROWS);
                }
                log.info("failover (node killed): {}", crash);
                try (Connection c = cluster.connect(second)) {
                    // Alone, the new primary commits without a standby: what the warning is for.
                    assertThat(DurabilityCheck.warnings(c, true)).singleElement().asString().contains("no synchronous standby");
                }

                // The old primary comes back as a standby; then a planned switchover back to it.
                cluster.restartNode(first);
                cluster.awaitStates(Map.of(first, "secondary", second, "primary"));
                Outage planned = ledger.across(service, cluster::switchover, () -> cluster.acceptsWrites(first));
                planned.check(service, cluster, first, ledger);
                log.info("failover (switchover): {}", planned);
                try (Connection c = cluster.connect(first)) {
                    assertOnce(c, "load", LOAD_ROWS);
                    assertOnce(c, "import", IMPORT_ROWS);
                }

                // The primary's postmaster alone killed: its pg_autoctl starts PostgreSQL again
                // (crash recovery), unless the monitor fails over first; either way, nothing lost.
                Outage restart = ledger.across(service, () -> cluster.killPostmaster(first),
                        () -> cluster.acceptsWrites(first) || cluster.acceptsWrites(second));
                String writable = cluster.acceptsWrites(first) ? first : second;
                restart.check(service, cluster, writable, ledger);
                log.info("failover (postmaster killed, {} primary afterwards): {}", writable, restart);
                log.info("failover: {} requests of {} records sent, {} acknowledged before resending, all once; "
                        + "ingest load of {} rows and an import of {} rows across the crash, each row once", ledger.sent.size(),
                        RECORDS, ledger.acknowledgedFirstTime.get(), LOAD_ROWS, IMPORT_ROWS);
            } finally {
                try (var paths = Files.walk(files)) {
                    for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    /** An action run under load, and what the clients and the readiness probe saw across it. */
    private record Outage(long acknowledgedBefore, long faultNanos, long writableAfterNanos, long firstAckAfterNanos, List<Integer> readiness) {
        @Override
        public String toString() {
            return String.format("new primary writable %.1f s after the fault, the service acknowledging %.1f s after that; "
                    + "readiness answers %s", (writableAfterNanos - faultNanos) / 1e9, (firstAckAfterNanos - writableAfterNanos) / 1e9,
                    readiness.stream().collect(java.util.stream.Collectors.groupingBy(i -> i, java.util.TreeMap::new,
                            java.util.stream.Collectors.counting())));
        }

        void check(CrashIT.Service service, AutoFailoverCluster cluster, String primary, Ledger ledger) throws Exception {
            assertThat(readiness).as("readiness answers between the fault and the new primary").contains(503);
            assertThat(Duration.ofNanos(firstAckAfterNanos - writableAfterNanos))
                    .as("from the new primary accepting writes to the service's next acknowledgement").isLessThan(RECOVERY);
            try (Connection c = cluster.connect(primary)) {
                ledger.assertAcknowledgedOnce(c);
                ledger.resend(service);
                ledger.assertAllOnce(c);
            }
        }
    }

    /** Every request sent, and which were acknowledged; requests are never changed once made. */
    private static final class Ledger {
        private final Map<String, String> sent = new ConcurrentHashMap<>();
        private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        private final ConcurrentLinkedQueue<String> unanswered = new ConcurrentLinkedQueue<>();
        private final AtomicInteger sequence = new AtomicInteger();
        private final AtomicInteger acknowledgedFirstTime = new AtomicInteger();

        /**
         * Runs {@code fault} while CLIENTS clients post; waits for {@code writable} (the new primary
         * accepting writes) and then for the service's next acknowledgement; stops the clients.
         */
        Outage across(CrashIT.Service service, ThrowingRunnable fault, java.util.function.BooleanSupplier writable) throws Exception {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong lastAck = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                boolean ndjson = c % 2 == 1; // half the clients send JSON arrays, half NDJSON (streamed)
                clients.add(pool.submit(() -> {
                    while (running.get()) {
                        String key = (ndjson ? "rn" : "rj") + sequence.getAndIncrement();
                        sent.put(key, body(key, ndjson));
                        int status;
                        try {
                            status = service.post("hits", key, contentType(key), sent.get(key));
                        } catch (IOException e) {
                            status = -1;
                        }
                        if (status == 200) {
                            acknowledged.add(key);
                            acknowledgedFirstTime.incrementAndGet();
                            lastAck.set(System.nanoTime());
                        } else {
                            // 503 while there is no primary (or an answer cut off): sent again later, same key.
                            unanswered.add(key);
                        }
                    }
                    return null;
                }));
            }
            long before = acknowledged.size();
            AutoFailoverCluster.await("30 acknowledgements before the fault", () -> acknowledged.size() >= before + 30);
            List<Integer> readiness = new ArrayList<>();
            AtomicBoolean probing = new AtomicBoolean(true);
            Future<?> prober = pool.submit(() -> {
                while (probing.get()) {
                    int status = service.get("/health/ready");
                    synchronized (readiness) {
                        readiness.add(status);
                    }
                }
                return null;
            });
            long acknowledgedBefore = acknowledged.size();
            long faultAt = System.nanoTime();
            fault.run();
            AutoFailoverCluster.await("the new primary accepting writes", writable);
            long writableAt = System.nanoTime();
            AutoFailoverCluster.await("an acknowledgement after the new primary took writes", () -> lastAck.get() > writableAt);
            long firstAck = lastAck.get();
            probing.set(false);
            prober.get(60, TimeUnit.SECONDS);
            long after = acknowledged.size();
            AutoFailoverCluster.await("30 more acknowledgements", () -> acknowledged.size() >= after + 30);
            running.set(false);
            for (Future<?> f : clients) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            synchronized (readiness) {
                return new Outage(acknowledgedBefore, faultAt, writableAt, firstAck, List.copyOf(readiness));
            }
        }

        /** The body of request {@code key}: its RECORDS records, as a JSON array or as NDJSON. */
        private static String body(String key, boolean ndjson) {
            StringBuilder body = new StringBuilder(ndjson ? "" : "[");
            for (int i = 0; i < RECORDS; i++) {
                String record = "{\"k\":\"" + key + "\",\"i\":" + i + "}";
                body.append(ndjson ? record + "\n" : (i == 0 ? "" : ",") + record);
            }
            return ndjson ? body.toString() : body.append(']').toString();
        }

        private static String contentType(String key) {
            return key.startsWith("rn") ? "application/x-ndjson" : "application/json";
        }

        /** Every acknowledged request's records are in the table exactly once. */
        void assertAcknowledgedOnce(Connection c) throws SQLException {
            Map<String, Long> rows = rowsPerKey(c);
            for (String key : acknowledged) {
                assertThat(rows.get(key)).as("records of acknowledged request " + key).isEqualTo(RECORDS);
            }
            assertDistinct(c);
        }

        /** The clients send again, under the same key, what was not acknowledged. */
        void resend(CrashIT.Service service) throws Exception {
            String key;
            while ((key = unanswered.poll()) != null) {
                if (!acknowledged.contains(key)) {
                    assertThat(service.post("hits", key, contentType(key), sent.get(key))).as("resend of " + key).isEqualTo(200);
                    acknowledged.add(key);
                }
            }
        }

        /** Every request ever sent is in the table exactly once. */
        void assertAllOnce(Connection c) throws SQLException {
            Map<String, Long> rows = rowsPerKey(c);
            assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(sent.keySet());
            assertThat(rows.values()).allMatch(n -> n == RECORDS);
            assertDistinct(c);
        }

        private static void assertDistinct(Connection c) throws SQLException {
            try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT count(*), count(DISTINCT (k, i)) FROM hits")) {
                r.next();
                assertThat(r.getLong(2)).as("distinct records").isEqualTo(r.getLong(1));
            }
        }

        private static Map<String, Long> rowsPerKey(Connection c) throws SQLException {
            Map<String, Long> rows = new HashMap<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT k, count(*) FROM hits WHERE k LIKE 'r%' GROUP BY k")) {
                while (r.next()) {
                    rows.put(r.getString(1), r.getLong(2));
                }
            }
            return rows;
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}

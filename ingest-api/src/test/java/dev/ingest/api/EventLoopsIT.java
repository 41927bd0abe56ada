package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP work of many connections is spread over the event loops, one per core: with a single
 * server every request's parsing, decoding and answer ran on one thread, whatever the cores.
 */
@Timeout(180)
class EventLoopsIT {
    private static final int CLIENTS = 8;
    private static final int BODIES = 15;
    private static final int RECORDS = 200;

    @Test
    void connectionsAreServedByEveryEventLoopAndEveryRecordArrivesOnce() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        assumeTrue(cores >= 2, "one core: one event loop is all there is");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadCpuTimeSupported(), "this JVM does not measure thread CPU time");
        try (ServiceFixture f = ServiceFixture.start(ServiceFixture.eventsTable())) {
            Map<Long, Long> before = eventLoopCpu(threads);
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            long acked = 0;
            try {
                List<Future<Integer>> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    clients.add(pool.submit(() -> post(f, client)));
                }
                for (Future<Integer> c : clients) {
                    acked += c.get(150, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            Map<Long, Long> after = eventLoopCpu(threads);
            List<Long> spent = new ArrayList<>();
            after.forEach((id, nanos) -> spent.add(nanos - before.getOrDefault(id, 0L)));
            long total = spent.stream().mapToLong(Long::longValue).sum();
            long busy = spent.stream().filter(n -> n >= total / 5).count();
            assertThat(busy).as("event loops that each did a fifth or more of the HTTP work (CPU ns per loop: %s)", spent)
                    .isGreaterThanOrEqualTo(2);

            long expected = (long) CLIENTS * BODIES * RECORDS;
            assertThat(acked).isEqualTo(expected);
            assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(expected);
            assertThat(f.db.queryLong("SELECT count(DISTINCT event_id) FROM events")).isEqualTo(expected);
        }
    }

    /** One client on its own connection: BODIES NDJSON bodies, one after another; returns the records accepted. */
    private static int post(ServiceFixture f, int client) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        int accepted = 0;
        for (int b = 0; b < BODIES; b++) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < RECORDS; i++) {
                body.append(RecordsIT.event((client * BODIES + b) * RECORDS + i, "loop")).append('\n');
            }
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(f.uri("/v1/tables/events/records"))
                    .header("Content-Type", "application/x-ndjson").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            accepted += ServiceFixture.json(r).getInteger("accepted");
        }
        return accepted;
    }

    /** CPU time so far of each Vert.x event loop thread of this JVM, by thread id. */
    private static Map<Long, Long> eventLoopCpu(ThreadMXBean threads) {
        Map<Long, Long> cpu = new HashMap<>();
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith("vert.x-eventloop-thread-")) {
                long nanos = threads.getThreadCpuTime(t.getThreadId());
                if (nanos >= 0) {
                    cpu.put(t.getThreadId(), nanos);
                }
            }
        }
        return cpu;
    }
}

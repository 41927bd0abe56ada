package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.PeerTimeouts;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that stall: one that stops sending its streamed body, one that never reads its answer.
 * Neither holds memory or a connection for longer than its timeout, and others are served.
 */
@Timeout(180)
class SlowPeersIT {
    private static final PeerTimeouts SHORT = new PeerTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));

    @Test
    void aStreamThatStopsMidBodyIsAnswered408WithTheRecordsCommittedBefore() throws Exception {
        try (ServiceFixture f = ServiceFixture.start(c -> c.withPeerTimeouts(SHORT), "CREATE TABLE t (v int)");
             Socket s = new Socket("127.0.0.1", f.service.port())) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < 5000; i++) {
                body.append("{\"v\": ").append(i).append("}\n");
            }
            body.append("{\"v\": 50"); // cut in the middle of a record, and then nothing more
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/tables/t/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                    + "Content-Length: 10000000\r\n\r\n" + body).getBytes(UTF_8));
            out.flush();

            s.setSoTimeout(30_000);
            RawAnswer a = RawAnswer.read(s.getInputStream(), false);
            assertThat(a.status()).as(a.body()).isEqualTo(408);
            JsonObject json = new JsonObject(a.body());
            assertThat(json.getString("error")).isEqualTo("body_timeout");
            long committed = json.getLong("committed");
            assertThat(committed).as("a first segment was committed before the stall").isPositive();
            assertThat(json.getString("message")).contains(committed + " records");
            assertThat(a.headers().get("connection")).isEqualTo("close");
            assertThat(readToEnd(s.getInputStream())).as("closed after the answer").isEqualTo(-1);

            assertThat(f.rows("SELECT count(*), count(DISTINCT v), min(v), max(v) FROM t"))
                    .containsExactly(List.of(Long.toString(committed), Long.toString(committed), "0", Long.toString(committed - 1)));
            assertThat(ServiceFixture.json(f.get("/v1/stats")).getLong("budget_used_bytes")).isZero();
        }
    }

    @Test
    void answersThatAreNotReadCountAgainstTheBudgetAndTheirConnectionIsClosed() throws Exception {
        String wide = "c".repeat(63); // the longest column name: long rejection messages
        try (ServiceFixture f = ServiceFixture.start(c -> c.withPeerTimeouts(SHORT), "CREATE TABLE t (v int, " + wide + " int)");
             Socket s = new Socket()) {
            s.setReceiveBufferSize(4096); // before connecting, so that the window stays small
            s.connect(new InetSocketAddress("127.0.0.1", f.service.port()));
            // Pipelined requests of one good record and 10,000 refused ones each: answers of about
            // 2 MB that list every refusal, more than the kernel's socket buffers take.
            int requests = 4;
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            // A JSON object for an int column: refused by the service itself (42804), so the answers
            // are long without the database having to judge 40,000 records first.
            String bad = "{\"v\": 0, \"" + wide + "\": {\"x\": \"" + "x".repeat(64) + "\"}}\n";
            for (int i = 1; i <= requests; i++) {
                byte[] body = ("{\"v\": " + i + "}\n" + bad.repeat(10_000)).getBytes(UTF_8);
                sent.writeBytes(("POST /v1/tables/t/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(UTF_8));
                sent.writeBytes(body);
            }
            OutputStream out = s.getOutputStream();
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    out.write(sent.toByteArray());
                    out.flush(); // ...and never read
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            // The service stops reading pipelined requests while an answer waits for the socket, so
            // not all of them are taken; those that are stay committed.
            await("the unread answers counted against the budget", () -> budgetUsed(f) > 1_000_000);
            assertThat(f.db.queryLong("SELECT count(*) FROM t")).isPositive();

            // Another client is served meanwhile.
            assertThat(f.postNdjson("t", "{\"v\": 100}\n").statusCode()).isEqualTo(200);

            // After the write timeout the service gives up on the unread answer (the metric counts
            // it) and closes the connection, so no later request is taken: their memory is back.
            // (The budget alone can touch zero between two pipelined requests.)
            await("the unread answer given up", () -> abandoned(f) >= 1);
            await("the unread answers' memory given back", () -> budgetUsed(f) == 0);
            writing.handle((ok, e) -> null).get(30, TimeUnit.SECONDS); // the rest of what was sent may not be taken
            long taken = f.db.queryLong("SELECT count(*) FROM t") - 1; // requests taken, without the other client's
            assertThat(taken).isBetween(1L, (long) requests);
            // ...and the connection is closed: fewer complete answers arrive than were sent.
            s.setSoTimeout(30_000);
            int complete = 0;
            try {
                InputStream in = s.getInputStream();
                while (complete < requests) {
                    RawAnswer a = RawAnswer.read(in, false);
                    assertThat(a.status()).isEqualTo(200);
                    complete++;
                }
            } catch (IOException | RuntimeException cut) {
                // the answer in progress was cut off by the close
            }
            assertThat(complete).as("complete answers received of the " + taken + " requests taken").isLessThan((int) taken);

            List<List<String>> expected = new ArrayList<>();
            for (long v = 1; v <= taken; v++) {
                expected.add(List.of(Long.toString(v)));
            }
            expected.add(List.of("100"));
            assertThat(f.rows("SELECT v FROM t ORDER BY v")).isEqualTo(expected);
        }
    }

    /** {@code ingest_answers_abandoned_total} from the service's metrics. */
    private static double abandoned(ServiceFixture f) {
        try {
            return f.get("/metrics").body().lines().filter(l -> l.startsWith("ingest_answers_abandoned_total "))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long budgetUsed(ServiceFixture f) {
        try {
            return ServiceFixture.json(f.get("/v1/stats")).getLong("budget_used_bytes");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int readToEnd(InputStream in) throws IOException {
        int b;
        while ((b = in.read()) >= 0) {
            // drain
        }
        return b;
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}

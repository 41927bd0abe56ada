package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many clients posting at once: every acknowledged record is in the table exactly once. */
@Timeout(180)
class ConcurrentClientsIT {
    @Test
    void everyAcknowledgedRecordIsPresentExactlyOnce() throws Exception {
        int clients = 16;
        int requestsPerClient = 40;
        int recordsPerRequest = 10;
        try (ServiceFixture f = ServiceFixture.start("""
                CREATE TABLE events (event_id uuid PRIMARY KEY, ts timestamptz NOT NULL, source text NOT NULL,
                                     kind text NOT NULL, user_id bigint, value double precision, payload jsonb)""")) {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                List<Future<Integer>> acked = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    int client = c;
                    acked.add(pool.submit(() -> {
                        int count = 0;
                        for (int r = 0; r < requestsPerClient; r++) {
                            StringBuilder body = new StringBuilder();
                            for (int i = 0; i < recordsPerRequest; i++) {
                                int n = (client * requestsPerClient + r) * recordsPerRequest + i;
                                body.append(RecordsIT.event(n, "c" + client)).append('\n');
                            }
                            HttpResponse<String> response = f.postNdjson("events", body.toString());
                            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                            count += ServiceFixture.json(response).getInteger("accepted");
                        }
                        return count;
                    }));
                }
                long total = 0;
                for (Future<Integer> a : acked) {
                    total += a.get(150, TimeUnit.SECONDS);
                }
                long expected = (long) clients * requestsPerClient * recordsPerRequest;
                assertThat(total).isEqualTo(expected);
                assertThat(f.db.queryLong("SELECT count(*) FROM events")).isEqualTo(expected);
                assertThat(f.db.queryLong("SELECT count(DISTINCT user_id) FROM events")).isEqualTo(expected);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}

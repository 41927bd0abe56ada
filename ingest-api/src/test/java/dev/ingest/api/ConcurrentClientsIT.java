package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.db.DatabaseUrl;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
        // The jdbc:postgresql://...?user= form of the database URL, the other tests use postgresql://.
        try (ServiceFixture f = ServiceFixture.start(ConcurrentClientsIT::withJdbcUrl, ServiceFixture.eventsTable())) {
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
                assertThat(f.db.queryLong("SELECT count(DISTINCT event_id) FROM events")).isEqualTo(expected);
                assertThat(f.db.queryLong("SELECT count(DISTINCT user_id) FROM events")).isEqualTo(expected);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static ServiceConfig withJdbcUrl(ServiceConfig c) {
        DatabaseUrl u = DatabaseUrl.parse(c.database().url());
        String jdbc = "jdbc:postgresql://" + u.where() + "/" + u.database() + "?user=" + u.user()
                + (u.password() == null ? "" : "&password=" + u.password())
                + u.parameters().entrySet().stream().map(e -> "&" + e.getKey() + "=" + e.getValue()).collect(Collectors.joining());
        return c.withDatabaseUrl(jdbc);
    }
}

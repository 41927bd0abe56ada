package dev.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.ingest.engine.testing.StoppableServer;
import dev.ingest.engine.testing.TestDatabase;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Failures inflicted for real while records flow: a COMMIT whose answer is lost, backends
 * terminated under load, the server stopped and started under load. Afterwards every acknowledged
 * record is present exactly once. The tables have no unique key, so a second write would show.
 */
@Timeout(300)
class FailureIT {
    private static EngineConfig.Builder config(TestDatabase.Database db) {
        return EngineConfig.builder(db.jdbcUrl()).credentials(db.user(), db.password());
    }

    private static IngestRequest request(TableSchema t, int first, int n) {
        RequestBuilder b = IngestRequest.builder(t);
        for (int i = 0; i < n; i++) {
            b.add(new Object[] {(long) (first + i)});
        }
        return b.build();
    }

    @Test
    void aCommitWhoseAnswerIsLostIsNotWrittenTwice() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute("CREATE TABLE lost (v bigint)");
        AtomicInteger failNextCommits = new AtomicInteger();
        for (WriterMode mode : WriterMode.values()) {
            db.execute("TRUNCATE lost");
            failNextCommits.set(1);
            try (IngestEngine e = IngestEngine.start(config(db).writerMode(mode).writersPerTable(1).build(),
                    ds -> commitsThenFails(ds, failNextCommits))) {
                TableSchema t = e.catalog().find("lost").orElseThrow();
                List<CompletableFuture<IngestResult>> results = new ArrayList<>();
                for (int r = 0; r < 10; r++) {
                    IngestRequest req = request(t, r * 100, 100);
                    Submission s = e.submit(req);
                    assertThat(s.admission()).isEqualTo(Admission.ACCEPTED);
                    results.add(s.result());
                }
                for (CompletableFuture<IngestResult> f : results) {
                    assertThat(f.get(60, TimeUnit.SECONDS).accepted()).isEqualTo(100);
                }
            }
            assertThat(failNextCommits.get()).as("the injected failures happened").isLessThanOrEqualTo(0);
            assertThat(db.queryLong("SELECT count(*) FROM lost")).as(mode.name()).isEqualTo(1000);
            assertThat(db.queryLong("SELECT count(DISTINCT v) FROM lost")).isEqualTo(1000);
        }
    }

    /** Connections whose commit() commits on the server, then reports a broken connection. */
    private static DataSource commitsThenFails(DataSource real, AtomicInteger failures) {
        InvocationHandler dataSource = (proxy, method, args) -> {
            Object result = invoke(real, method, args);
            if (result instanceof Connection c) {
                return Proxy.newProxyInstance(FailureIT.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
                    Object r = invoke(c, m, a);
                    if (m.getName().equals("commit") && failures.getAndDecrement() > 0) {
                        throw new SQLException("I/O error: the connection was lost after COMMIT was sent", "08006");
                    }
                    return r;
                });
            }
            return result;
        };
        return (DataSource) Proxy.newProxyInstance(FailureIT.class.getClassLoader(), new Class<?>[] {DataSource.class}, dataSource);
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void terminatedBackendsUnderLoadLoseAndDuplicateNothing() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute("CREATE TABLE churn (v bigint)");
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger kills = new AtomicInteger();
        try (IngestEngine e = IngestEngine.start(config(db).retryBackoffMax(Duration.ofMillis(200)).build())) {
            TableSchema t = e.catalog().find("churn").orElseThrow();
            ExecutorService pool = Executors.newFixedThreadPool(5);
            try {
                Future<?> killer = pool.submit(() -> {
                    try (Connection c = db.connect(); Statement s = c.createStatement()) {
                        while (loading.get()) {
                            try (var rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    + "WHERE application_name = 'ingest' AND datname = current_database() AND pid <> pg_backend_pid()")) {
                                rs.next();
                                kills.addAndGet(rs.getInt(1));
                            }
                            Thread.onSpinWait();
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                        }
                    }
                    return null;
                });
                long acked = load(pool, e, t, 4, 100, 20);
                loading.set(false);
                killer.get(30, TimeUnit.SECONDS);
                assertThat(kills.get()).as("backends were terminated during the load").isGreaterThan(0);
                assertThat(db.queryLong("SELECT count(*) FROM churn")).isEqualTo(acked);
                assertThat(db.queryLong("SELECT count(DISTINCT v) FROM churn")).isEqualTo(acked);
            } finally {
                loading.set(false);
                pool.shutdownNow();
            }
        }
    }

    @Test
    void theServerStoppedAndStartedUnderLoadLosesAndDuplicatesNothing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (StoppableServer pg = StoppableServer.start()) {
            pg.execute("CREATE TABLE restart (v bigint)");
            try (IngestEngine e = IngestEngine.start(EngineConfig.builder(pg.jdbcUrl()).credentials("postgres", null).build())) {
                TableSchema t = e.catalog().find("restart").orElseThrow();
                AtomicInteger submitted = new AtomicInteger();
                Future<Long> load = pool.submit(() -> load(pool, e, t, 3, 120, 10, submitted));
                // Stop the server once the load is well under way, and start it again.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (submitted.get() < 60 && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
                pg.stop();
                assertThat(e.health().isUp() || submitted.get() < 360).isTrue();
                pg.resume();
                long acked = load.get(200, TimeUnit.SECONDS);
                try (Connection c = pg.connect(); Statement s = c.createStatement();
                     var rs = s.executeQuery("SELECT count(*), count(DISTINCT v) FROM restart")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(acked);
                    assertThat(rs.getLong(2)).isEqualTo(acked);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A batch whose attempt fails before any statement (the pool cannot hand out a connection)
     * must not be taken for the writer's previous batch, whose COMMIT did happen: it was once
     * acknowledged as committed without ever being written.
     */
    @Test
    void aBatchThatNeverReachedTheDatabaseIsNotAcknowledgedForAnEarlierCommit() throws Exception {
        try (StoppableServer pg = StoppableServer.start()) {
            pg.execute("CREATE TABLE gap (v bigint)");
            try (IngestEngine e = IngestEngine.start(EngineConfig.builder(pg.jdbcUrl()).credentials("postgres", null)
                    .writersPerTable(1).build())) {
                TableSchema t = e.catalog().find("gap").orElseThrow();
                IngestRequest first = request(t, 0, 1);
                Submission firstIn = e.submit(first);
                assertThat(firstIn.admission()).isEqualTo(Admission.ACCEPTED);
                assertThat(firstIn.result().get(60, TimeUnit.SECONDS).accepted()).isEqualTo(1);

                pg.stop();
                // No pooled connection is left, so the next attempt fails asking the pool for one.
                ((HikariDataSource) e.dataSource()).getHikariPoolMXBean().softEvictConnections();
                IngestRequest second = request(t, 100, 5);
                Submission secondIn = e.submit(second);
                assertThat(secondIn.admission()).isEqualTo(Admission.ACCEPTED);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (e.health().isUp()) {
                    assertThat(System.nanoTime()).as("the writer to notice the outage").isLessThan(deadline);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                pg.resume();
                assertThat(secondIn.result().get(120, TimeUnit.SECONDS).accepted()).isEqualTo(5);
                try (Connection c = pg.connect(); Statement s = c.createStatement();
                     var rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE v >= 100) FROM gap")) {
                    rs.next();
                    assertThat(rs.getLong(2)).as("the acknowledged rows of the second batch").isEqualTo(5);
                    assertThat(rs.getLong(1)).isEqualTo(6);
                }
            }
        }
    }

    private static long load(ExecutorService pool, IngestEngine e, TableSchema t, int threads, int requests, int rows)
            throws Exception {
        return load(pool, e, t, threads, requests, rows, new AtomicInteger());
    }

    /** Threads submitting requests of distinct values; returns the rows acknowledged. Full queues are retried. */
    private static long load(ExecutorService pool, IngestEngine e, TableSchema t, int threads, int requests, int rows,
            AtomicInteger submitted) throws Exception {
        ExecutorService producers = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> acked = new ArrayList<>();
            for (int th = 0; th < threads; th++) {
                int me = th;
                acked.add(producers.submit(() -> {
                    long n = 0;
                    for (int r = 0; r < requests; r++) {
                        IngestRequest req = request(t, (me * requests + r) * rows, rows);
                        Submission s = e.submit(req, Duration.ofSeconds(180));
                        assertThat(s.admission()).isEqualTo(Admission.ACCEPTED);
                        submitted.incrementAndGet();
                        n += s.result().get(180, TimeUnit.SECONDS).accepted();
                    }
                    return n;
                }));
            }
            long total = 0;
            for (Future<Long> f : acked) {
                total += f.get(240, TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo((long) threads * requests * rows);
            return total;
        } finally {
            producers.shutdownNow();
        }
    }
}

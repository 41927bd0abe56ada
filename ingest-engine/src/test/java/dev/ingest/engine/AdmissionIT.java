package dev.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingest.engine.UploadSession.SegmentOutcome;
import dev.ingest.engine.testing.TestDatabase;
import java.lang.reflect.InvocationTargetException;
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
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine's admission: each reason a submission is refused, the bounded-blocking submission,
 * and upload sessions, whose reservations are all given back. A writer is held still by a table
 * lock taken on another connection; the database is made unreachable by a data source that fails.
 * Each test ends with the table holding exactly the accepted records and the budget empty.
 */
@Timeout(120)
class AdmissionIT {
    private static TestDatabase.Database db;

    @BeforeAll
    static void start() {
        db = TestDatabase.create();
        db.execute("CREATE TABLE admitted (v bigint)");
    }

    @BeforeEach
    void clean() {
        db.execute("TRUNCATE admitted");
    }

    private static EngineConfig.Builder config() {
        return EngineConfig.builder(db.jdbcUrl()).credentials(db.user(), db.password()).writersPerTable(1);
    }

    private static IngestRequest request(TableSchema t, long... values) {
        RequestBuilder b = IngestRequest.builder(t);
        for (long v : values) {
            b.add(new Object[] {v});
        }
        return b.build();
    }

    /** Holds the writers of {@code admitted} on their INSERT until rolled back. */
    private static Connection lockTable() throws SQLException {
        Connection blocker = db.connect();
        blocker.setAutoCommit(false);
        try (Statement s = blocker.createStatement()) {
            s.execute("LOCK TABLE admitted IN ACCESS EXCLUSIVE MODE");
        }
        return blocker;
    }

    private static void await(BooleanSupplier condition, String what) {
        Awaitility.await(what).atMost(Duration.ofSeconds(30)).until(condition::getAsBoolean);
    }

    /** Until a writer waits on the table lock: from then on it takes nothing more from its queue. */
    private static void awaitWriterBlocked() {
        await(() -> db.queryLong("SELECT count(*) FROM pg_locks WHERE relation = 'admitted'::regclass AND NOT granted") > 0,
                "a writer waits on the table lock");
    }

    private static long rows() {
        return db.queryLong("SELECT count(*) FROM admitted");
    }

    @Test
    void aFullBudgetIsRefusedAsBudgetFullAndTheBoundedSubmitWaitsForRoomOrTimesOut() throws Exception {
        // A budget of one byte: a request is admitted only when nothing else is held.
        try (IngestEngine e = IngestEngine.start(config().memoryBudgetBytes(1).build()); Connection blocker = lockTable()) {
            TableSchema t = e.catalog().find("admitted").orElseThrow();
            Submission first = e.submit(request(t, 1));
            assertThat(first.admission()).isEqualTo(Admission.ACCEPTED);

            assertThat(e.submit(request(t, 2)).admission()).isEqualTo(Admission.BUDGET_FULL);
            // Nothing can drain while the lock holds the writer: the bounded submit gives up.
            assertThat(e.submit(request(t, 2), Duration.ofMillis(20)).admission()).isEqualTo(Admission.BUDGET_FULL);
            assertThat(e.retryAfterSeconds(100)).isBetween(1, 60);

            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Thread[] waiter = new Thread[1];
                Future<Submission> second = pool.submit(() -> {
                    waiter[0] = Thread.currentThread();
                    return e.submit(request(t, 2), Duration.ofSeconds(60));
                });
                await(() -> waiter[0] != null && waiter[0].getState() == Thread.State.TIMED_WAITING, "the submitter waits");
                assertThat(second).isNotDone();
                blocker.rollback(); // the first commits and frees its bytes
                Submission taken = second.get(60, TimeUnit.SECONDS);
                assertThat(taken.admission()).isEqualTo(Admission.ACCEPTED);
                assertThat(taken.result().get(60, TimeUnit.SECONDS).accepted()).isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
            assertThat(first.result().get(60, TimeUnit.SECONDS).accepted()).isEqualTo(1);
            assertThat(rows()).isEqualTo(2);
            assertThat(e.stats().budgetUsedBytes()).isZero();
        }
    }

    @Test
    void aFullQueueIsRefusedAsQueueFull() throws Exception {
        List<CompletableFuture<IngestResult>> accepted = new ArrayList<>();
        try (IngestEngine e = IngestEngine.start(config().queueCapacity(1).build()); Connection blocker = lockTable()) {
            TableSchema t = e.catalog().find("admitted").orElseThrow();
            Submission blocked = e.submit(request(t, 0));
            accepted.add(blocked.result());
            awaitWriterBlocked();
            Admission last = Admission.ACCEPTED;
            for (int i = 1; i < 100 && last == Admission.ACCEPTED; i++) {
                Submission s = e.submit(request(t, i));
                last = s.admission();
                if (s.accepted()) {
                    accepted.add(s.result());
                }
            }
            assertThat(last).isEqualTo(Admission.QUEUE_FULL);
            assertThat(e.submit(request(t, -1), Duration.ofMillis(20)).admission()).isEqualTo(Admission.QUEUE_FULL);
            blocker.rollback();
            for (CompletableFuture<IngestResult> f : accepted) {
                assertThat(f.get(60, TimeUnit.SECONDS).accepted()).isEqualTo(1);
            }
            assertThat(rows()).isEqualTo(accepted.size());
            assertThat(e.stats().budgetUsedBytes()).isZero();
        }
    }

    @Test
    void fullWhileTheDatabaseIsUnreachableIsRefusedAsDatabaseDown() throws Exception {
        AtomicBoolean down = new AtomicBoolean();
        try (IngestEngine e = IngestEngine.start(config().memoryBudgetBytes(1).build(), ds -> failingWhen(ds, down))) {
            TableSchema t = e.catalog().find("admitted").orElseThrow();
            down.set(true);
            Submission first = e.submit(request(t, 1)); // the writer keeps it and retries
            assertThat(first.admission()).isEqualTo(Admission.ACCEPTED);
            await(() -> !e.health().isUp(), "the writer finds the database unreachable");
            assertThat(e.submit(request(t, 2)).admission()).isEqualTo(Admission.DATABASE_DOWN);
            assertThat(e.hold().tryTake(10)).isEqualTo(Admission.DATABASE_DOWN);
            down.set(false);
            assertThat(first.result().get(60, TimeUnit.SECONDS).accepted()).isEqualTo(1);
            assertThat(rows()).isEqualTo(1);
            assertThat(e.stats().budgetUsedBytes()).isZero();
        }
    }

    @Test
    void afterCloseEverythingIsRefusedAsClosed() throws Exception {
        IngestEngine e = IngestEngine.start(config().build());
        TableSchema t = e.catalog().find("admitted").orElseThrow();
        UploadSession session = e.open(t, b -> b);
        session.decode(1024, sink -> sink.add(new Object[] {5L}));
        e.close();
        assertThat(e.submit(request(t, 1)).admission()).isEqualTo(Admission.CLOSED);
        assertThat(e.submit(request(t, 1), Duration.ofSeconds(60)).admission()).isEqualTo(Admission.CLOSED);
        assertThat(session.flush()).isEqualTo(Admission.CLOSED);
        assertThat(session.abandon().get(60, TimeUnit.SECONDS)).isEmpty();
        assertThat(e.stats().budgetUsedBytes()).isZero();
        assertThat(rows()).isZero();
    }

    @Test
    void anUploadSessionCommitsItsSegmentsAndGivesBackEveryReservation() throws Exception {
        try (IngestEngine e = IngestEngine.start(config().build())) {
            TableSchema t = e.catalog().find("admitted").orElseThrow();
            UploadSession session = e.open(t, b -> b);
            for (long v = 0; v < 30; v++) {
                long value = v;
                assertThat(session.decode(4096, sink -> sink.add(new Object[] {value}))).isEqualTo(Admission.ACCEPTED);
                if (session.segmentRecords() == 10) {
                    assertThat(session.flush()).isEqualTo(Admission.ACCEPTED);
                }
            }
            session.decodeRest(sink -> sink.reject("22P02", "not a number", "x"));
            assertThat(session.flush()).isEqualTo(Admission.ACCEPTED);
            List<SegmentOutcome> outcomes = session.finish().get(60, TimeUnit.SECONDS);
            assertThat(outcomes).extracting(SegmentOutcome::firstIndex).containsExactly(0, 10, 20, 30);
            assertThat(outcomes).extracting(o -> o.result().accepted()).containsExactly(10, 10, 10, 0);
            assertThat(outcomes.get(3).result().rejected()).extracting(Rejection::index).containsExactly(30);
            assertThat(rows()).isEqualTo(30);
            assertThat(e.stats().budgetUsedBytes()).isZero();
            assertThatThrownBy(session::flush).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void anAbandonedSessionGivesBackWhatItHeldAndItsSubmittedSegmentsStillCommit() throws Exception {
        try (IngestEngine e = IngestEngine.start(config().build())) {
            TableSchema t = e.catalog().find("admitted").orElseThrow();
            UploadSession session = e.open(t, b -> b);
            session.decode(4096, sink -> sink.add(new Object[] {1L}).add(new Object[] {2L}));
            assertThat(session.flush()).isEqualTo(Admission.ACCEPTED);
            session.decode(4096, sink -> sink.add(new Object[] {3L}));
            assertThat(e.stats().budgetUsedBytes()).isPositive();
            List<SegmentOutcome> outcomes = session.abandon().get(60, TimeUnit.SECONDS);
            assertThat(outcomes).extracting(o -> o.result().accepted()).containsExactly(2);
            assertThat(rows()).isEqualTo(2);
            assertThat(e.stats().budgetUsedBytes()).isZero();
        }
    }

    @Test
    void aSessionWaitsForBudgetRoomAndThenGoesOn() throws Exception {
        try (IngestEngine e = IngestEngine.start(config().memoryBudgetBytes(1).build()); Connection blocker = lockTable()) {
            TableSchema t = e.catalog().find("admitted").orElseThrow();
            UploadSession session = e.open(t, b -> b);
            assertThat(session.decode(4096, sink -> sink.add(new Object[] {1L}))).isEqualTo(Admission.ACCEPTED);
            assertThat(session.flush()).isEqualTo(Admission.ACCEPTED); // taken by the writer, which waits on the lock
            assertThat(session.decode(4096, sink -> sink.add(new Object[] {2L}))).isEqualTo(Admission.BUDGET_FULL);
            CompletableFuture<Void> room = session.whenWritable().toCompletableFuture();
            assertThat(room).isNotDone();
            blocker.rollback();
            room.get(60, TimeUnit.SECONDS);
            assertThat(session.decode(4096, sink -> sink.add(new Object[] {2L}))).isEqualTo(Admission.ACCEPTED);
            assertThat(session.flush()).isEqualTo(Admission.ACCEPTED);
            List<SegmentOutcome> outcomes = session.finish().get(60, TimeUnit.SECONDS);
            assertThat(outcomes).extracting(o -> o.result().accepted()).containsExactly(1, 1);
            assertThat(rows()).isEqualTo(2);
            assertThat(e.stats().budgetUsedBytes()).isZero();
        }
    }

    @Test
    void aSessionRefusedForMemoryIsWokenWhenItsChunkFitsNotAtEveryRelease() throws Exception {
        try (IngestEngine e = IngestEngine.start(config().memoryBudgetBytes(100_000).build())) {
            TableSchema t = e.catalog().find("admitted").orElseThrow();
            MemoryHold other = e.hold();
            other.take(99_000);
            UploadSession session = e.open(t, b -> b);
            assertThat(session.decode(4096, sink -> sink.add(new Object[] {1L}))).isEqualTo(Admission.BUDGET_FULL);
            CompletableFuture<Void> room = session.whenWritable().toCompletableFuture();
            // 1,000 bytes free are no room for a 4,096-byte estimate: waking now, the upload would
            // try again at once, be refused again and spin on its event loop until writers drain.
            assertThat(room).isNotDone();
            other.release(500);
            assertThat(room).as("still no room for the estimate").isNotDone();
            other.release(10_000);
            assertThat(room).isDone();
            assertThat(session.decode(4096, sink -> sink.add(new Object[] {1L}))).isEqualTo(Admission.ACCEPTED);
            other.close();
            assertThat(session.flush()).isEqualTo(Admission.ACCEPTED);
            assertThat(session.finish().get(60, TimeUnit.SECONDS)).extracting(o -> o.result().accepted()).containsExactly(1);
            assertThat(rows()).isEqualTo(1);
            assertThat(e.stats().budgetUsedBytes()).isZero();
        }
    }

    @Test
    void aSessionKeepsASegmentRefusedForQueueRoomAndOffersItAgain() throws Exception {
        List<CompletableFuture<IngestResult>> others = new ArrayList<>();
        try (IngestEngine e = IngestEngine.start(config().queueCapacity(1).build())) {
            TableSchema t = e.catalog().find("admitted").orElseThrow();
            UploadSession session = e.open(t, b -> b);
            try (Connection blocker = lockTable()) {
                others.add(e.submit(request(t, 99)).result());
                awaitWriterBlocked();
                Admission last = Admission.ACCEPTED;
                for (int i = 0; i < 100 && last == Admission.ACCEPTED; i++) {
                    Submission s = e.submit(request(t, 100 + i));
                    last = s.admission();
                    if (s.accepted()) {
                        others.add(s.result());
                    }
                }
                assertThat(last).isEqualTo(Admission.QUEUE_FULL);
                assertThat(session.decode(4096, sink -> sink.add(new Object[] {1L}))).isEqualTo(Admission.ACCEPTED);
                assertThat(session.flush()).isEqualTo(Admission.QUEUE_FULL); // kept, with its memory
                assertThat(e.stats().budgetUsedBytes()).isPositive();
                CompletableFuture<Void> queueRoom = session.whenWritable().toCompletableFuture();
                assertThat(queueRoom).isNotDone();
                blocker.rollback();
                queueRoom.get(60, TimeUnit.SECONDS);
            }
            // Room made at a release may be taken again before the flush: then wait for the next.
            Admission retried = session.flush();
            while (retried != Admission.ACCEPTED) {
                assertThat(retried).isEqualTo(Admission.QUEUE_FULL);
                session.whenWritable().toCompletableFuture().get(60, TimeUnit.SECONDS);
                retried = session.flush();
            }
            List<SegmentOutcome> outcomes = session.finish().get(60, TimeUnit.SECONDS);
            assertThat(outcomes).extracting(o -> o.result().accepted()).containsExactly(1);
            for (CompletableFuture<IngestResult> f : others) {
                assertThat(f.get(60, TimeUnit.SECONDS).accepted()).isEqualTo(1);
            }
            assertThat(rows()).isEqualTo(1 + others.size());
            assertThat(e.stats().budgetUsedBytes()).isZero();
        }
    }

    @Test
    void aHoldTakesAndGivesBackItsBytes() throws Exception {
        try (IngestEngine e = IngestEngine.start(config().memoryBudgetBytes(100).build())) {
            MemoryHold hold = e.hold();
            assertThat(hold.tryTake(80)).isEqualTo(Admission.ACCEPTED);
            assertThat(hold.tryTake(80)).isEqualTo(Admission.BUDGET_FULL);
            hold.take(80); // what cannot be refused is charged anyway
            assertThat(e.stats().budgetUsedBytes()).isEqualTo(160);
            hold.release(100);
            assertThat(e.stats().budgetUsedBytes()).isEqualTo(60);
            hold.release(100); // gives back only what it holds
            assertThat(e.stats().budgetUsedBytes()).isZero();
            hold.take(5);
            hold.close();
            assertThat(e.stats().budgetUsedBytes()).isZero();
        }
    }

    /** Connections fail as an unreachable server's do while {@code down} is set. */
    private static DataSource failingWhen(DataSource real, AtomicBoolean down) {
        return (DataSource) Proxy.newProxyInstance(AdmissionIT.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && down.get()) {
                        throw new SQLException("Connection refused (the test made the database unreachable)", "08001");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
    }
}

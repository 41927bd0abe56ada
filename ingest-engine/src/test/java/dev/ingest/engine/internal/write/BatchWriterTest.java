package dev.ingest.engine.internal.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.DatabaseHealth;
import dev.ingest.engine.EngineConfig;
import dev.ingest.engine.EngineListener;
import dev.ingest.engine.IngestEngine;
import dev.ingest.engine.IngestException;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.RequestBuilder;
import dev.ingest.engine.internal.admit.InFlight;
import dev.ingest.engine.internal.admit.MemoryBudget;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link BatchWriter}'s loop driven one {@link BatchWriter#runOnce} at a time on a manual clock,
 * as Kafka's {@code SenderTest} drives its {@code Sender}: the waits (linger, backoff, idling) are
 * a {@link ScriptedQueue}'s, which moves the clock instead of parking, and a commit takes the time
 * the test sets ({@link ClockedDataSource}). The writes go to a real PostgreSQL. No thread but the
 * test's, no sleeping: each test asserts the batches, the instants they committed at, the table's
 * rows and each request's answer.
 *
 * <p>Settings: batches of 10 to 160 rows, starting at 40 and growing by 10; a 50 ms latency
 * target; a 5 ms linger; backoff from 50 ms doubling up to 200 ms.
 */
@Timeout(60)
class BatchWriterTest {
    private static final long T0 = TimeUnit.SECONDS.toNanos(1000);
    private static final long LINGER = ms(5);
    private static final long TARGET = ms(50);
    private static final long BACKOFF_MIN = ms(50);
    private static final long BACKOFF_MAX = ms(200);
    private static final long IDLE = ms(100);
    private static final WriterSettings SETTINGS = new WriterSettings(160, 10, TARGET, LINGER, BACKOFF_MIN, BACKOFF_MAX, IDLE, 3,
            TimeUnit.SECONDS.toNanos(30));
    private static final int FIRST_LIMIT = 40;

    private static TestDatabase.Database db;
    private static IngestEngine engine;
    private static TableSchema table;

    /** A batch as the listener heard of it: rows written, how long it took, when on the clock. */
    private record Batch(int rows, long nanos, long at) {
    }

    private ManualClock clock;
    private ScriptedQueue queue;
    private ClockedDataSource database;
    private MemoryBudget budget;
    private DatabaseHealth health;
    private List<Batch> batches;
    private long nextId;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        // No unique key: a row written twice would show.
        db.execute("CREATE TABLE t (id bigint NOT NULL, v bigint NOT NULL)");
        // The engine is here for its catalog and migrated pool; its own writers never start.
        engine = IngestEngine.start(EngineConfig.builder(db.jdbcUrl()).credentials(db.user(), db.password()).build());
        table = engine.catalog().find("t").orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    @BeforeEach
    void reset() {
        db.execute("TRUNCATE t");
        clock = new ManualClock(T0);
        queue = new ScriptedQueue(clock);
        database = new ClockedDataSource(engine.dataSource(), clock);
        budget = new MemoryBudget(1L << 30, clock, TimeUnit.SECONDS.toNanos(1), 60);
        health = new DatabaseHealth(() -> { });
        batches = new ArrayList<>();
        nextId = 0;
    }

    @Test
    void aLoneRequestWaitsOutTheLingerThenIsWritten() {
        BatchWriter writer = writer(SETTINGS);
        InFlight r = submit(5);

        writer.runOnce();

        assertThat(queue.waits()).containsExactly(LINGER);
        assertThat(batches).containsExactly(new Batch(5, 0, T0 + LINGER));
        assertThat(accepted(r)).isEqualTo(5);
        assertThat(ids()).containsExactlyElementsOf(range(0, 5));
        assertThat(budget.used()).isZero();
    }

    /**
     * With the default settings a batch is what is queued: a closed-loop client's request is
     * written at once rather than kept waiting for others that cannot come before its answer.
     */
    @Test
    void byDefaultALoneRequestIsWrittenWithoutWaiting() {
        BatchWriter writer = writer(WriterSettings.of(EngineConfig.builder(db.jdbcUrl()).build()));
        InFlight r = submit(5);

        writer.runOnce();

        assertThat(queue.waits()).isEmpty();
        assertThat(batches).containsExactly(new Batch(5, 0, T0));
        assertThat(accepted(r)).isEqualTo(5);
    }

    @Test
    void aRequestArrivingWithinTheLingerJoinsTheBatchWhoseDeadlineStands() {
        BatchWriter writer = writer(SETTINGS);
        InFlight first = submit(5);
        InFlight second = request(5);
        arrive(T0 + ms(2), second);

        writer.runOnce();

        // The linger counts from the first request, not the latest one.
        assertThat(queue.waits()).containsExactly(ms(2), ms(3));
        assertThat(batches).containsExactly(new Batch(10, 0, T0 + LINGER));
        assertThat(accepted(first)).isEqualTo(5);
        assertThat(accepted(second)).isEqualTo(5);
        assertThat(ids()).containsExactlyElementsOf(range(0, 10));
    }

    @Test
    void aFullBatchGoesAtOnce() {
        BatchWriter writer = writer(SETTINGS);
        List<InFlight> four = List.of(submit(10), submit(10), submit(10), submit(10));

        writer.runOnce();

        assertThat(queue.waits()).isEmpty();
        assertThat(batches).containsExactly(new Batch(FIRST_LIMIT, 0, T0));
        assertThat(four).allSatisfy(r -> assertThat(accepted(r)).isEqualTo(10));
        assertThat(ids()).containsExactlyElementsOf(range(0, 40));
    }

    @Test
    void aBatchNeverHoldsMoreRowsThanTheLimitAndARequestIsNeverSplit() {
        BatchWriter writer = writer(SETTINGS);
        List<InFlight> seven = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            seven.add(submit(15));
        }

        drainWith(writer);

        // 15 + 15 fit in 40, a third would not: the batch closes at once. The limit bound it, so it
        // grows by a step (160 / 16) to 50, and the next batch takes three requests (a fourth would
        // make 60); the limit grows to 60. The last two, alone in the queue, linger: nothing waited
        // behind them, so they tell nothing about larger batches and the limit stays.
        assertThat(batches).extracting(Batch::rows).containsExactly(30, 45, 30);
        assertThat(batches).extracting(Batch::at).containsExactly(T0, T0, T0 + LINGER);
        assertThat(writer.stats().batchLimit()).isEqualTo(FIRST_LIMIT + 2 * 10);
        assertThat(seven).allSatisfy(r -> assertThat(accepted(r)).isEqualTo(15));
        assertThat(ids()).containsExactlyElementsOf(range(0, 105));
    }

    @Test
    void aRequestLargerThanTheLimitIsABatchOfItsOwn() {
        BatchWriter writer = writer(SETTINGS);
        InFlight before = submit(5);
        InFlight large = submit(100);
        InFlight after = submit(5);

        drainWith(writer);

        assertThat(batches).extracting(Batch::rows).containsExactly(5, 100, 5);
        assertThat(accepted(before)).isEqualTo(5);
        assertThat(accepted(large)).isEqualTo(100);
        assertThat(accepted(after)).isEqualTo(5);
        assertThat(ids()).containsExactlyElementsOf(range(0, 110));
    }

    @Test
    void fullBatchesThatMeetTheLatencyTargetGrowTheLimitByStepsUpToTheCap() {
        BatchWriter writer = writer(SETTINGS);
        database.commitsTake(ms(10));
        List<Integer> limits = new ArrayList<>();
        long rows = 0;
        for (int i = 0; i < 14; i++) {
            int limit = writer.stats().batchLimit();
            limits.add(limit);
            InFlight r = submit(limit);
            writer.runOnce();
            assertThat(accepted(r)).isEqualTo(limit);
            rows += limit;
        }

        assertThat(limits).containsExactly(40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 160);
        assertThat(batches).extracting(Batch::nanos).containsOnly(ms(10));
        assertThat(ids()).containsExactlyElementsOf(range(0, rows));
    }

    @Test
    void slowCommitsShrinkTheLimitToSevenTenthsDownToTheFloorAndTheNextGatherObeysIt() {
        BatchWriter writer = writer(SETTINGS);
        database.commitsTake(ms(80));
        List<Integer> limits = new ArrayList<>();
        InFlight full = submit(FIRST_LIMIT);
        writer.runOnce();
        limits.add(writer.stats().batchLimit());
        List<InFlight> four = List.of(submit(10), submit(10), submit(10), submit(10));
        for (int i = 0; i < 3; i++) {
            writer.runOnce();
            limits.add(writer.stats().batchLimit());
        }
        InFlight last = submit(10);
        writer.runOnce();
        limits.add(writer.stats().batchLimit());

        // 40 * 0.7 = 28: two requests of 10 fit, a third would not; 28 * 0.7 = 19: one fits. A
        // slow batch shrinks the limit whether or not it was full; the floor holds it at 10.
        assertThat(batches).extracting(Batch::rows).containsExactly(40, 20, 10, 10, 10);
        assertThat(limits).containsExactly(28, 19, 13, 10, 10);
        assertThat(batches).extracting(Batch::nanos).containsOnly(ms(80));
        assertThat(accepted(full)).isEqualTo(FIRST_LIMIT);
        assertThat(four).allSatisfy(r -> assertThat(accepted(r)).isEqualTo(10));
        assertThat(accepted(last)).isEqualTo(10);
        assertThat(ids()).containsExactlyElementsOf(range(0, 90));
    }

    @Test
    void theLingerIsNotCommitLatency() {
        // A linger longer than the latency target: were it counted, every lingering batch would shrink the limit.
        BatchWriter writer = writer(new WriterSettings(160, 10, TARGET, ms(100), BACKOFF_MIN, BACKOFF_MAX, IDLE, 3,
                TimeUnit.SECONDS.toNanos(30)));
        database.commitsTake(ms(10));
        InFlight r = submit(5);

        writer.runOnce();

        assertThat(batches).containsExactly(new Batch(5, ms(10), T0 + ms(110)));
        assertThat(writer.stats().batchLimit()).isEqualTo(FIRST_LIMIT);
        assertThat(accepted(r)).isEqualTo(5);
    }

    @Test
    void aTransientFailureBacksOffExponentiallyUpToTheCapThenWritesTheSameBatch() {
        BatchWriter writer = writer(SETTINGS);
        database.refuseConnections(4);
        InFlight r = submit(5);
        List<Boolean> upDuringTheOutage = new ArrayList<>();
        queue.at(T0 + ms(100), () -> upDuringTheOutage.add(health.isUp()));

        writer.runOnce();

        long first = T0 + LINGER;
        assertThat(database.connectionAttempts()).containsExactly(first, first + ms(50), first + ms(150), first + ms(350),
                first + ms(550));
        assertThat(batches).containsExactly(new Batch(5, 0, first + ms(550)));
        assertThat(upDuringTheOutage).containsExactly(false);
        assertThat(health.isUp()).isTrue();
        assertThat(accepted(r)).isEqualTo(5);
        assertThat(ids()).containsExactlyElementsOf(range(0, 5));
    }

    @Test
    void aRequestArrivingDuringTheBackoffNeitherCutsItShortNorMakesTheWriterSpin() {
        BatchWriter writer = writer(SETTINGS);
        database.refuseConnections(1);
        InFlight first = submit(5);
        InFlight second = request(5);
        arrive(T0 + ms(20), second);

        writer.runOnce();

        // The batch was fixed before the failure: the newcomer waits for the next one.
        assertThat(database.connectionAttempts()).containsExactly(T0 + LINGER, T0 + LINGER + BACKOFF_MIN);
        assertThat(batches).containsExactly(new Batch(5, 0, T0 + LINGER + BACKOFF_MIN));
        assertThat(accepted(first)).isEqualTo(5);
        assertThat(second.result()).isNotDone();
        writer.runOnce();
        assertThat(accepted(second)).isEqualTo(5);
        assertThat(ids()).containsExactlyElementsOf(range(0, 10));
    }

    @Test
    void aCommitWhoseAnswerIsLostIsConfirmedByItsMarkerAndNotWrittenAgain() {
        BatchWriter writer = writer(SETTINGS);
        database.loseNextCommitAnswer(0);
        InFlight r = submit(5);

        writer.runOnce();

        // The write, then the question whether it committed: no second write.
        assertThat(database.connectionAttempts()).containsExactly(T0 + LINGER, T0 + LINGER);
        assertThat(database.commits()).containsExactly(T0 + LINGER);
        assertThat(accepted(r)).isEqualTo(5);
        assertThat(ids()).containsExactlyElementsOf(range(0, 5));
        assertThat(budget.used()).isZero();
        // A confirmed commit is a commit: it counts in the metrics, and the database is up again.
        assertThat(batches).extracting(Batch::rows).containsExactly(5);
        assertThat(writer.stats().rows()).isEqualTo(5);
        assertThat(health.isUp()).isTrue();
    }

    @Test
    void aCommitWhoseAnswerIsLostWhileTheDatabaseStaysDownIsAnsweredUnknownOnAbandon() {
        BatchWriter writer = writer(SETTINGS);
        database.loseNextCommitAnswer(Integer.MAX_VALUE);
        InFlight r = submit(5);
        queue.at(T0 + ms(100), writer::abandon);

        writer.run();

        // The question is asked with the same backoff as a write, until the abandon.
        assertThat(database.connectionAttempts()).containsExactly(T0 + LINGER, T0 + LINGER, T0 + LINGER + BACKOFF_MIN);
        IngestException e = failure(r);
        assertThat(e.retryable()).isTrue();
        assertThat(e.sqlstate()).isEqualTo(ClockedDataSource.LOST_STATE);
        assertThat(e.getMessage()).isEqualTo("service stopping; whether the batch committed is unknown");
        // It had committed: the answer says unknown, not "not written".
        assertThat(ids()).containsExactlyElementsOf(range(0, 5));
        assertThat(budget.used()).isZero();
    }

    @Test
    void shutdownDrainsEverythingQueuedWithoutLingering() {
        BatchWriter writer = writer(SETTINGS);
        List<InFlight> three = List.of(submit(15), submit(15), submit(15));

        writer.shutdown();
        writer.run();

        assertThat(queue.waits()).isEmpty();
        assertThat(batches).containsExactly(new Batch(30, 0, T0), new Batch(15, 0, T0));
        assertThat(three).allSatisfy(r -> assertThat(accepted(r)).isEqualTo(15));
        assertThat(ids()).containsExactlyElementsOf(range(0, 45));
        assertThat(budget.used()).isZero();
    }

    @Test
    void abandonFailsTheBatchWaitingForTheDatabaseAndWhatIsQueuedRetryablyAndReleasesTheirBudget() {
        BatchWriter writer = writer(SETTINGS);
        database.refuseConnections(Integer.MAX_VALUE);
        InFlight inFlight = submit(5);
        InFlight queued = request(7);
        arrive(T0 + ms(20), queued);
        queue.at(T0 + ms(100), writer::abandon);

        writer.run();

        // Attempts at the linger's end and after the first backoff; the abandon ends the second
        // backoff, and the attempt after it is the last.
        assertThat(database.connectionAttempts()).containsExactly(T0 + LINGER, T0 + LINGER + ms(50), T0 + ms(100));
        IngestException writing = failure(inFlight);
        assertThat(writing.retryable()).isTrue();
        assertThat(writing.sqlstate()).isEqualTo(ClockedDataSource.REFUSED_STATE);
        assertThat(writing.getMessage()).isEqualTo("service stopping while the database is unavailable");
        IngestException left = failure(queued);
        assertThat(left.retryable()).isTrue();
        assertThat(left.sqlstate()).isEqualTo("57P01");
        assertThat(budget.used()).isZero();
        assertThat(batches).isEmpty();
        assertThat(ids()).isEmpty();
    }

    @Test
    void failRemainingAnswersEveryQueuedRequestRetryablyReleasesItsBudgetAndCountsQueuedRecordsLost() {
        BatchWriter writer = writer(SETTINGS);
        InFlight waiting = submit(5);
        InFlight deadLetter = queuedRequest(4);
        submitted(deadLetter);

        writer.abandon();
        writer.run();

        assertThat(database.connectionAttempts()).isEmpty();
        for (InFlight r : List.of(waiting, deadLetter)) {
            IngestException e = failure(r);
            assertThat(e.retryable()).isTrue();
            assertThat(e.sqlstate()).isEqualTo("57P01");
            assertThat(e.getMessage()).isEqualTo("service is shutting down");
        }
        // Nobody waits for the ack=queued request's answer: its records are counted lost.
        assertThat(writer.stats().queuedLost()).isEqualTo(4);
        assertThat(queue.isEmpty()).isTrue();
        assertThat(budget.used()).isZero();
        assertThat(ids()).isEmpty();
    }

    @Test
    void anIdleWriterWaitsWithoutTouchingTheDatabaseAndStopsWaitingOnShutdown() {
        BatchWriter writer = writer(SETTINGS);

        writer.runOnce();
        writer.shutdown();
        writer.runOnce();

        assertThat(queue.waits()).containsExactly(IDLE);
        assertThat(database.connectionAttempts()).isEmpty();
        assertThat(batches).isEmpty();
    }

    private BatchWriter writer(WriterSettings settings) {
        EngineListener listener = new EngineListener() {
            @Override
            public void batchCommitted(String name, int rows, int refused, long nanos) {
                batches.add(new Batch(rows, nanos, clock.getAsLong()));
            }
        };
        return new BatchWriter(table.qualifiedName(), table.columns().size(), engine.config().writerModeFor(table), queue,
                database.dataSource(), engine.catalog(), health, settings, clock, () -> listener);
    }

    /** Runs the writer until its queue is empty, as its thread would. */
    private void drainWith(BatchWriter writer) {
        for (int turns = 0; !queue.isEmpty(); turns++) {
            assertThat(turns).as("turns to drain the queue").isLessThan(100);
            writer.runOnce();
        }
    }

    /** A request of {@code rows} rows with the next ids. */
    private InFlight request(int rows) {
        return fill(IngestRequest.builder(table), rows);
    }

    /** An {@code ack=queued} request: its refused records go to the dead-letter table. */
    private InFlight queuedRequest(int rows) {
        return fill(IngestRequest.builder(table).deadLetter(true), rows);
    }

    /** The request in flight as the engine admits it: its bytes are released from the budget when it is answered. */
    private InFlight fill(RequestBuilder b, int rows) {
        for (int i = 0; i < rows; i++) {
            long id = nextId++;
            b.add(new Object[] {id, id});
        }
        IngestRequest r = b.build();
        return new InFlight(r, budget, r.bytes());
    }

    /** A request submitted now, its bytes taken from the budget as the engine does. */
    private InFlight submit(int rows) {
        return submitted(request(rows));
    }

    private InFlight submitted(InFlight r) {
        assertThat(budget.tryAcquire(r.request().bytes())).isTrue();
        queue.add(r);
        return r;
    }

    /** A request submitted when the writer's clock reaches {@code at}. */
    private void arrive(long at, InFlight r) {
        assertThat(budget.tryAcquire(r.request().bytes())).isTrue();
        queue.at(at, () -> queue.add(r));
    }

    private static int accepted(InFlight r) {
        assertThat(r.result()).isDone();
        return r.result().getNow(null).accepted();
    }

    private static IngestException failure(InFlight r) {
        assertThat(r.result()).isCompletedExceptionally();
        try {
            r.result().getNow(null);
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(IngestException.class);
            return (IngestException) e.getCause();
        }
        throw new AssertionError("unreachable: the future failed");
    }

    /** The ids in the table, in order, duplicates included. */
    private static List<Long> ids() {
        List<Long> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM t ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static List<Long> range(long from, long to) {
        return LongStream.range(from, to).boxed().toList();
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}

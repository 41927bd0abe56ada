package dev.ingest.engine.internal.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.Admission;
import dev.ingest.engine.EngineConfig;
import dev.ingest.engine.IngestEngine;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.IngestResult;
import dev.ingest.engine.RecordSink;
import dev.ingest.engine.Rejection;
import dev.ingest.engine.RequestBuilder;
import dev.ingest.engine.Submission;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.WriterMode;
import dev.ingest.engine.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Poison requests (every or nearly every record refused) must cost a bounded number of
 * statements, and must not make other requests of the same batch wait for a row-by-row
 * isolation. Statement counts are {@link Attempt#statements}, as in {@link BisectionIT}; the
 * invariant at the end of each test is over the table's contents: exactly the records not named
 * as refused are there, each once.
 */
@Timeout(300)
class PoisonIsolationIT {
    private static final int N = 5000;

    private static TestDatabase.Database db;
    private static IngestEngine engine;
    private static TableSchema table;
    private static TableSchema pairs;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE TABLE p (id integer PRIMARY KEY, v integer NOT NULL CHECK (v >= 0), note text)");
        db.execute("CREATE TABLE q (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a integer, b text, "
                + "c integer CHECK (c >= 0), UNIQUE (a, b))");
        engine = IngestEngine.start(EngineConfig.builder(db.jdbcUrl()).credentials(db.user(), db.password()).build());
        table = engine.catalog().find("p").orElseThrow();
        pairs = engine.catalog().find("q").orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    @BeforeEach
    void clean() {
        db.execute("TRUNCATE p", "TRUNCATE q");
    }

    /** A request for {@code q}: records (a, b, c), the identity id left to the table. */
    private static IngestRequest pairsRequest(Object[][] records) {
        RequestBuilder b = IngestRequest.builder(pairs);
        for (Object[] r : records) {
            Object[] values = new Object[pairs.columns().size()];
            Arrays.fill(values, RecordSink.ABSENT);
            values[pairs.indexOf("a")] = r[0];
            values[pairs.indexOf("b")] = r[1];
            values[pairs.indexOf("c")] = r[2];
            b.add(values);
        }
        return b.build();
    }

    /** A request whose record {@code i} (of {@code size}) is {@code (id(i), v(i), note)}; body indexes from 0. */
    private static IngestRequest request(int size, IntFunction<Long> id, IntFunction<Long> v) {
        RequestBuilder b = IngestRequest.builder(table);
        for (int i = 0; i < size; i++) {
            Object[] values = new Object[table.columns().size()];
            Arrays.fill(values, RecordSink.ABSENT);
            values[table.indexOf("id")] = id.apply(i);
            values[table.indexOf("v")] = v.apply(i);
            values[table.indexOf("note")] = "n" + i;
            b.add(values);
        }
        return b.build();
    }

    private static Attempt write(WriterMode mode, IngestRequest... batch) throws Exception {
        try (Connection c = db.connect()) {
            return new BatchInserter(mode).write(c, List.of(batch));
        }
    }

    private static List<Integer> rejectedIndexes(Attempt attempt, IngestRequest r) {
        return attempt.rejected.getOrDefault(r, List.of()).stream().map(Rejection::index).toList();
    }

    private static Set<Long> ids() throws Exception {
        Set<Long> out = new HashSet<>();
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM p")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    /**
     * Statements the fast path cuts a request of n records into: one, or by VALUES (the VALUES
     * mode, and AUTO below its COPY threshold) one per power of two in n (statement texts are
     * reused that way). Each costs a try, and a failing one a probe, in the isolating pass.
     */
    private static int chunks(WriterMode mode, int n) {
        boolean values = mode == WriterMode.VALUES || mode == WriterMode.AUTO && n < WriterMode.AUTO_COPY_ROWS;
        return values ? Integer.bitCount(n) : 1;
    }

    /** ceil(log2(n + 1)): the depth of a bisection of n records. */
    private static int bits(int n) {
        return 32 - Integer.numberOfLeadingZeros(n);
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void identicalRowsThatAllViolateAUniqueKeyCostAFewStatements(WriterMode mode) throws Exception {
        db.execute("INSERT INTO p VALUES (7, 0, 'there before')");
        IngestRequest poison = request(N, i -> 7L, i -> 1L);

        Attempt attempt = write(mode, poison);

        List<Rejection> refused = attempt.rejected.get(poison);
        assertThat(refused).hasSize(N);
        assertThat(refused).extracting(Rejection::index).isSorted().doesNotHaveDuplicates();
        assertThat(refused).extracting(Rejection::sqlstate).containsOnly("23505");
        assertThat(refused.get(0).message()).contains("p_pkey").contains("(id)=(7)");
        // Old code: every record tried alone, about 2N statements. Now: the failed fast path, then
        // per chunk a try and a probe, and one look-up of the index's columns.
        assertThat(attempt.statements).isLessThanOrEqualTo(2 + 3 * chunks(mode, N));
        assertThat(db.queryLong("SELECT count(*) FROM p")).isEqualTo(1);
        assertThat(db.queryLong("SELECT v FROM p WHERE id = 7")).isZero();
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void identicalNewRowsCommitTheFirstAndRefuseTheRest(WriterMode mode) throws Exception {
        IngestRequest poison = request(N, i -> 7L, i -> (long) i);

        Attempt attempt = write(mode, poison);

        assertThat(rejectedIndexes(attempt, poison)).hasSize(N - 1).doesNotContain(0).isSorted();
        // The failed fast path; per chunk a try, a probe and the rest written again.
        assertThat(attempt.statements).isLessThanOrEqualTo(2 + 3 * chunks(mode, N));
        assertThat(db.queryLong("SELECT count(*) FROM p")).isEqualTo(1);
        assertThat(db.queryLong("SELECT v FROM p WHERE id = 7")).as("the first record wins, as in body order").isZero();
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void scatteredDuplicatesAreNamedExactlyInFewStatements(WriterMode mode) throws Exception {
        // Ids 0..N-1, except that every 10th record repeats the id before it, and ids 100..199 exist.
        db.execute("INSERT INTO p SELECT g, 0, 'there before' FROM generate_series(100, 199) g");
        IngestRequest r = request(N, i -> (long) (i % 10 == 9 ? i - 1 : i), i -> 1L);
        TreeSet<Integer> bad = new TreeSet<>();
        for (int i = 0; i < N; i++) {
            if (i % 10 == 9 || (i >= 100 && i < 200)) {
                bad.add(i);
            }
        }

        Attempt attempt = write(mode, r);

        assertThat(rejectedIndexes(attempt, r)).containsExactlyElementsOf(bad);
        assertThat(attempt.rejected.get(r)).extracting(Rejection::sqlstate).containsOnly("23505");
        // Old code: some 590 bad records bisected, thousands of statements.
        assertThat(attempt.statements).isLessThanOrEqualTo(2 + 3 * chunks(mode, N));
        assertThat(db.queryLong("SELECT count(*) FROM p WHERE note <> 'there before'")).isEqualTo(N - bad.size());
        assertThat(db.queryLong("SELECT count(*) FROM p")).isEqualTo(N - bad.size() + 100);
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void allBadRecordsOfAnotherKindCostLogarithmicallyMany(WriterMode mode) throws Exception {
        IngestRequest poison = request(N, i -> (long) i, i -> -1L); // every record breaks the CHECK

        Attempt attempt = write(mode, poison);

        List<Rejection> refused = attempt.rejected.get(poison);
        assertThat(refused).extracting(Rejection::index).containsExactlyElementsOf(range(0, N));
        assertThat(refused).extracting(Rejection::sqlstate).containsOnly("23514");
        assertThat(refused).allSatisfy(rej -> assertThat(rej.message()).contains("p_v_check"));
        assertThat(attempt.statements).isLessThanOrEqualTo(20 * bits(N));
        assertThat(db.queryLong("SELECT count(*) FROM p")).isZero();
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void aMostlyBadRequestIsAnsweredTruthfullyWithinItsBudget(WriterMode mode) throws Exception {
        // Every third record breaks the CHECK: too many to isolate one by one within the budget.
        IngestRequest r = request(N, i -> (long) i, i -> i % 3 == 0 ? -1L : 1L);

        Attempt attempt = write(mode, r);

        assertThat(attempt.statements).isLessThanOrEqualTo(20 * bits(N));
        List<Integer> refused = rejectedIndexes(attempt, r);
        assertThat(refused).isSorted().doesNotHaveDuplicates();
        for (int i = 0; i < N; i += 3) {
            assertThat(refused).contains(i);
        }
        // Truthful: what is refused is absent, what is not refused is there, each once.
        Set<Long> expected = new HashSet<>();
        for (int i = 0; i < N; i++) {
            if (!refused.contains(i)) {
                expected.add((long) i);
            }
        }
        assertThat(ids()).isEqualTo(expected);
        assertThat(db.queryLong("SELECT count(*) FROM p")).isEqualTo(expected.size());
        assertThat(Bookkeeping.answer(r, attempt).accepted()).isEqualTo(expected.size());
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void aGoodRequestSharingABatchWithPoisonDoesNotWaitForItsRowByRowIsolation(WriterMode mode) throws Exception {
        // Ids: poison 0..N-1 (all break the CHECK), good requests 100000+.
        IngestRequest before = request(300, i -> 100_000L + i, i -> 1L);
        IngestRequest poison = request(N, i -> (long) i, i -> -1L);
        IngestRequest after = request(300, i -> 200_000L + i, i -> 1L);

        Attempt attempt = write(mode, before, poison, after);

        // Old code: the poison's every record tried alone (about 2N statements) in the
        // transaction that commits the good requests' rows.
        assertThat(attempt.statements).isLessThanOrEqualTo(20 * bits(N) + 8);
        for (IngestRequest good : List.of(before, after)) {
            IngestResult answer = Bookkeeping.answer(good, attempt);
            assertThat(answer.accepted()).isEqualTo(300);
            assertThat(answer.rejected()).isEmpty();
        }
        assertThat(rejectedIndexes(attempt, poison)).containsExactlyElementsOf(range(0, N));
        assertThat(db.queryLong("SELECT count(*) FROM p WHERE id >= 100000 AND id < 100300")).isEqualTo(300);
        assertThat(db.queryLong("SELECT count(*) FROM p WHERE id >= 200000 AND id < 200300")).isEqualTo(300);
        assertThat(db.queryLong("SELECT count(*) FROM p")).isEqualTo(600);
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void aCompositeUniqueKeyIsProbedInBodyOrderWithTheServersOwnMessages(WriterMode mode) throws Exception {
        db.execute("INSERT INTO q (a, b, c) VALUES (9, 'x', 0)");
        List<Object[]> records = new ArrayList<>();
        records.add(new Object[] {1L, "x", -1L}); // 0: breaks the CHECK; its key is then free
        records.add(new Object[] {1L, "x", 1L});  // 1: the first good record of (1, x): committed
        records.add(new Object[] {1L, "x", 2L});  // 2: repeats 1
        records.add(new Object[] {9L, "x", 1L});  // 3: taken before
        records.add(new Object[] {null, "x", 1L}); // 4, 5: NULL keys repeat nothing
        records.add(new Object[] {null, "x", 1L});
        records.add(new Object[] {1L, "y", 1L});  // 6: another b
        for (int i = 0; i < 200; i++) {
            records.add(new Object[] {(long) (100 + i % 100), "z", 1L}); // 7..206: the second hundred repeat the first
        }
        IngestRequest r = pairsRequest(records.toArray(Object[][]::new));
        IngestRequest other = pairsRequest(new Object[][] {{1L, "y", 5L}, {500L, "x", 1L}}); // 0 repeats r's 6

        Attempt attempt = write(mode, r, other);

        List<Integer> expected = new ArrayList<>(List.of(0, 2, 3));
        expected.addAll(range(107, 207));
        assertThat(rejectedIndexes(attempt, r)).containsExactlyElementsOf(expected);
        assertThat(attempt.rejected.get(r).get(0).sqlstate()).isEqualTo("23514");
        assertThat(attempt.rejected.get(r).subList(1, expected.size())).extracting(Rejection::sqlstate).containsOnly("23505");
        assertThat(attempt.rejected.get(r).get(1).message())
                .isEqualTo("duplicate key value violates unique constraint \"q_a_b_key\" (Key (a, b)=(1, x) already exists.)");
        assertThat(attempt.rejected.get(r).get(2).message())
                .isEqualTo("duplicate key value violates unique constraint \"q_a_b_key\" (Key (a, b)=(9, x) already exists.)");
        assertThat(rejectedIndexes(attempt, other)).containsExactly(0);
        assertThat(attempt.rejected.get(other).get(0).message()).contains("(a, b)=(1, y)");
        assertThat(db.queryLong("SELECT c FROM q WHERE a = 1 AND b = 'x'")).isEqualTo(1);
        assertThat(db.queryLong("SELECT c FROM q WHERE a = 1 AND b = 'y'")).isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM q WHERE a IS NULL")).isEqualTo(2);
        assertThat(db.queryLong("SELECT count(*) FROM q WHERE b = 'z'")).isEqualTo(100);
        assertThat(db.queryLong("SELECT count(*) FROM q")).isEqualTo(1 + (207 - expected.size()) + 1);
    }

    @Test
    void throughTheEngineOtherClientsAreAnsweredAndEveryRecordIsThereOnce() throws Exception {
        db.execute("INSERT INTO p VALUES (7, 0, 'there before')");
        List<Submission> poison = new ArrayList<>();
        List<Submission> good = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            // A streamed poison body: segments of identical records, and other clients in between.
            IngestRequest segment = request(2000, i -> 7L, i -> 1L);
            poison.add(engine.submit(segment));
            long base = 1_000_000L * (s + 1);
            IngestRequest client = request(50, i -> base + i, i -> 1L);
            good.add(engine.submit(client));
        }
        assertThat(poison).extracting(Submission::admission).containsOnly(Admission.ACCEPTED);
        assertThat(good).extracting(Submission::admission).containsOnly(Admission.ACCEPTED);
        for (Submission r : good) {
            IngestResult answer = r.result().get(60, TimeUnit.SECONDS);
            assertThat(answer.accepted()).isEqualTo(50);
            assertThat(answer.rejected()).isEmpty();
        }
        for (Submission r : poison) {
            IngestResult answer = r.result().get(60, TimeUnit.SECONDS);
            assertThat(answer.accepted()).isZero();
            assertThat(answer.rejected()).hasSize(2000).extracting(Rejection::sqlstate).containsOnly("23505");
        }
        assertThat(db.queryLong("SELECT count(*) FROM p")).isEqualTo(1 + 4 * 50);
        assertThat(db.queryLong("SELECT count(DISTINCT id) FROM p")).isEqualTo(1 + 4 * 50);
        assertThat(db.queryLong("SELECT v FROM p WHERE id = 7")).isZero();
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(i);
        }
        return out;
    }
}

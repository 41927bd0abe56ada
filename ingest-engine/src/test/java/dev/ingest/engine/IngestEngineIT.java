package dev.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.testing.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(120)
class IngestEngineIT {
    private static TestDatabase.Database db;
    private static IngestEngine engine;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        db.execute("""
                CREATE TABLE items (
                  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                  code text NOT NULL UNIQUE,
                  qty integer CHECK (qty >= 0),
                  price numeric(12,2),
                  status text NOT NULL DEFAULT 'new',
                  created timestamptz NOT NULL DEFAULT now())
                """);
        engine = IngestEngine.start(config().build());
    }

    private static EngineConfig.Builder config() {
        return EngineConfig.builder(db.jdbcUrl()).credentials(db.user(), db.password());
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    @BeforeEach
    void clean() {
        db.execute("TRUNCATE items");
    }

    private static TableSchema items() {
        return engine.catalog().find("items").orElseThrow();
    }

    /** A record of {@code items}: code, qty, price; status and created left to their defaults. */
    private static Object[] item(TableSchema t, String code, Object qty, Object price) {
        Object[] v = new Object[t.columns().size()];
        Arrays.fill(v, RecordSink.ABSENT);
        v[t.indexOf("code")] = code;
        v[t.indexOf("qty")] = qty;
        v[t.indexOf("price")] = price;
        return v;
    }

    private static IngestResult submitAndWait(IngestRequest request) throws Exception {
        Submission s = engine.submit(request);
        assertThat(s.admission()).isEqualTo(Admission.ACCEPTED);
        return s.result().get(60, TimeUnit.SECONDS);
    }

    @Test
    void catalogSeesColumnsTypesAndDefaults() {
        TableSchema t = items();
        assertThat(t.schema()).isEqualTo("public");
        assertThat(t.columns()).extracting(ColumnSchema::name).containsExactly("id", "code", "qty", "price", "status", "created");
        assertThat(t.column(t.indexOf("id")).writable()).isFalse();
        assertThat(t.column(t.indexOf("price")).sqlType()).isEqualTo("numeric");
        assertThat(t.column(t.indexOf("created")).kind()).isEqualTo(ColumnKind.OTHER);
        assertThat(t.column(t.indexOf("status")).hasDefault()).isTrue();
        assertThat(t.column(t.indexOf("code")).nullable()).isFalse();
    }

    @Test
    void rowsAreCommittedWithDefaultsBeforeTheResultCompletes() throws Exception {
        TableSchema t = items();
        IngestResult result = submitAndWait(IngestRequest.builder(t)
                .add(item(t, "a", 1L, new BigDecimal("9.99")))
                .add(item(t, "b", null, null))
                .build());
        assertThat(result).isEqualTo(new IngestResult(2, List.of()));
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT code, qty, price, status, created IS NOT NULL FROM items ORDER BY code")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("a");
            assertThat(rs.getInt(2)).isEqualTo(1);
            assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("9.99");
            assertThat(rs.getString(4)).isEqualTo("new");
            assertThat(rs.getBoolean(5)).isTrue();
            assertThat(rs.next()).isTrue();
            assertThat(rs.getObject(2)).isNull();
            assertThat(rs.next()).isFalse();
        }
    }

    /**
     * Types whose SQL spelling means a length of one in a cast ({@code character}, {@code bit}):
     * a value must be stored as an INSERT of the same text into the same table stores it, padded
     * or refused by the column's own modifier, never cut to one character first.
     */
    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void typeModifiersAreTheColumnsOwnInEveryWriterMode(WriterMode mode) throws Exception {
        String name = "modifiers_" + mode.name().toLowerCase();
        db.execute("CREATE TABLE " + name + " (id int, c char(5), b bit(3), v varchar(3), vb varbit(4))",
                "CREATE TABLE " + name + "_oracle (LIKE " + name + ")");
        String[][] cases = {{"abc", "101", "xy", "1"}, {"abcdef", "1", "xyzw", "10101"}, {"a ", "111", "abc", "0000"}};
        try (IngestEngine e = IngestEngine.start(config().writerMode(mode).build())) {
            TableSchema t = e.catalog().find(name).orElseThrow();
            for (int i = 0; i < cases.length; i++) {
                IngestRequest request = IngestRequest.builder(t).add(new Object[] {i, cases[i][0], cases[i][1], cases[i][2], cases[i][3]}).build();
                Submission s = e.submit(request);
                assertThat(s.admission()).isEqualTo(Admission.ACCEPTED);
                IngestResult result = s.result().get(60, TimeUnit.SECONDS);
                String oracle = oracleInsert(name + "_oracle", i, cases[i]);
                assertThat(result.rejected().isEmpty() ? null : result.rejected().get(0).sqlstate()).as("case %d", i).isEqualTo(oracle);
            }
        }
        assertThat(rowsOf("SELECT id, c::text, b::text, v, vb::text FROM " + name + " ORDER BY id"))
                .isEqualTo(rowsOf("SELECT id, c::text, b::text, v, vb::text FROM " + name + "_oracle ORDER BY id"));
    }

    /** Inserts the literals as a plain INSERT would; the SQLSTATE PostgreSQL refused them with, or null. */
    private static String oracleInsert(String table, int id, String[] literals) throws Exception {
        try (Connection c = db.connect(); var ps = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?, ?, ?, ?)")) {
            ps.setInt(1, id);
            for (int i = 0; i < literals.length; i++) {
                ps.setObject(i + 2, literals[i], Types.OTHER);
            }
            ps.executeUpdate();
            return null;
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    private static List<String> rowsOf(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(row.toString());
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void badRecordsAreIsolatedAndTheRestCommittedInEveryWriterMode(WriterMode mode) throws Exception {
        try (IngestEngine e = IngestEngine.start(config().writerMode(mode).build())) {
            TableSchema t = e.catalog().find("items").orElseThrow();
            for (int size : new int[] {1, 2, 7, 1000}) {
                db.execute("TRUNCATE items", "INSERT INTO items (code) VALUES ('taken')");
                RequestBuilder b = IngestRequest.builder(t);
                List<Integer> bad = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    Object[] record;
                    if (i == 0 && size > 1) {
                        record = item(t, "taken", 1L, null);       // unique violation, found by the database
                    } else if (i == size / 2 && size > 2) {
                        record = item(t, "neg" + i, -1L, null);    // check violation
                    } else if (i == size - 1 && size > 2) {
                        record = item(t, null, 1L, null);          // not-null violation
                    } else if (i == 3 && size > 7) {
                        record = item(t, "bad" + i, "many", null); // refused before the database
                    } else {
                        // tabs, newlines and backslashes must survive every mode's encoding
                        record = item(t, "ok\t\\\n" + i, (long) i, new BigDecimal("1.5"));
                    }
                    if (!((String) record[t.indexOf("code")] + "").startsWith("ok")) {
                        bad.add(i);
                    }
                    b.add(record);
                }
                IngestRequest request = b.build();
                Submission s = e.submit(request);
                assertThat(s.admission()).isEqualTo(Admission.ACCEPTED);
                IngestResult result = s.result().get(60, TimeUnit.SECONDS);
                assertThat(result.rejected()).as("mode %s size %d", mode, size).extracting(Rejection::index).isEqualTo(bad);
                assertThat(result.accepted()).isEqualTo(size - bad.size());
                assertThat(db.queryLong("SELECT count(*) FROM items WHERE code LIKE 'ok%'")).isEqualTo(size - bad.size());
                assertThat(db.queryLong("SELECT count(*) FROM items WHERE starts_with(code, E'ok\\t\\\\\\n') AND price = 1.5"))
                        .isEqualTo(size - bad.size());
            }
        }
        db.execute("TRUNCATE items");
    }

    @Test
    void uniqueViolationsCarryTheConstraintName() throws Exception {
        TableSchema t = items();
        db.execute("INSERT INTO items (code) VALUES ('taken')");
        IngestResult result = submitAndWait(IngestRequest.builder(t).add(item(t, "taken", 1L, null)).add(item(t, "free", 1L, null)).build());
        assertThat(result.rejected()).singleElement().satisfies(r -> {
            assertThat(r.sqlstate()).isEqualTo("23505");
            assertThat(r.message()).contains("items_code_key");
        });
    }

    @Test
    void concurrentSmallRequestsShareCommits() throws Exception {
        db.execute("CREATE TABLE IF NOT EXISTS grouped (v int)");
        try (IngestEngine e = IngestEngine.start(config().writersPerTable(1).build());
             Connection blocker = db.connect()) {
            TableSchema grouped = e.catalog().find("grouped").orElseThrow();
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("LOCK TABLE grouped IN ACCESS EXCLUSIVE MODE");
            }
            List<CompletableFuture<IngestResult>> results = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                IngestRequest r = IngestRequest.builder(grouped).add(new Object[] {(long) i}).build();
                Submission s = e.submit(r);
                assertThat(s.admission()).isEqualTo(Admission.ACCEPTED);
                results.add(s.result());
            }
            blocker.rollback(); // the first batch was stuck on the lock; all others queued behind it
            for (CompletableFuture<IngestResult> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS).accepted()).isEqualTo(1);
            }
            EngineStats.Table stats = e.stats().tables().stream().filter(x -> x.table().equals("public.grouped")).findFirst().orElseThrow();
            assertThat(stats.rows()).isEqualTo(50);
            // At most one batch can be taken before the lock holds the writer; everything queued
            // behind it goes in the next one.
            assertThat(stats.batches()).as("50 requests share at most two commits").isBetween(1L, 2L);
            assertThat(e.stats().budgetUsedBytes()).isZero();
        }
    }

    @Test
    void everyRecordRefusedStillCompletesWithEachIndex() throws Exception {
        TableSchema t = items();
        IngestResult result = submitAndWait(IngestRequest.builder(t)
                .add(item(t, "x", -1L, null)).add(item(t, "y", -2L, null)).build());
        assertThat(result.allRejected()).isTrue();
        assertThat(result.rejected()).extracting(Rejection::index).containsExactly(0, 1);
        assertThat(db.queryLong("SELECT count(*) FROM items")).isZero();
    }

    @Test
    void aRequestLargerThanTheParameterLimitIsSplitIntoStatements() throws Exception {
        TableSchema t = items();
        RequestBuilder b = IngestRequest.builder(t);
        int n = 30_000; // 3 columns each: 90,000 parameters > 65,535
        for (int i = 0; i < n; i++) {
            b.add(item(t, "k" + i, (long) i, new BigDecimal(i + ".25")));
        }
        IngestResult result = submitAndWait(b.build());
        assertThat(result.accepted()).isEqualTo(n);
        assertThat(db.queryLong("SELECT count(DISTINCT code) FROM items")).isEqualTo(n);
        assertThat(db.queryLong("SELECT sum(qty) FROM items")).isEqualTo((long) n * (n - 1) / 2);
    }

    @Test
    void recordsWithDifferentColumnSetsShareOneRequest() throws Exception {
        TableSchema t = items();
        Object[] withStatus = item(t, "s", 1L, null);
        withStatus[t.indexOf("status")] = "shipped";
        Object[] allDefaults = new Object[t.columns().size()];
        Arrays.fill(allDefaults, RecordSink.ABSENT);
        IngestResult result = submitAndWait(IngestRequest.builder(t)
                .add(item(t, "p", 1L, null)).add(withStatus).add(allDefaults).build());
        // the record with no columns violates NOT NULL on code: isolated, the others stay
        assertThat(result.accepted()).isEqualTo(2);
        assertThat(result.rejected()).extracting(Rejection::index, Rejection::sqlstate).containsExactly(Tuple.tuple(2, "23502"));
        assertThat(db.queryLong("SELECT count(*) FROM items WHERE status = 'shipped'")).isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM items WHERE status = 'new'")).isEqualTo(1);
    }

    @Test
    void concurrentProducersLoseAndDuplicateNothing() throws Exception {
        TableSchema t = items();
        int threads = 8;
        int requestsPerThread = 150;
        int rowsPerRequest = 7;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> acceptedPerThread = new ArrayList<>();
            for (int th = 0; th < threads; th++) {
                int thread = th;
                acceptedPerThread.add(pool.submit(() -> {
                    int accepted = 0;
                    for (int r = 0; r < requestsPerThread; r++) {
                        RequestBuilder b = IngestRequest.builder(t);
                        for (int i = 0; i < rowsPerRequest; i++) {
                            b.add(item(t, thread + "-" + r + "-" + i, 1L, null));
                        }
                        IngestRequest request = b.build();
                        Submission s = engine.submit(request, Duration.ofSeconds(60));
                        assertThat(s.admission()).isEqualTo(Admission.ACCEPTED);
                        accepted += s.result().get(60, TimeUnit.SECONDS).accepted();
                    }
                    return accepted;
                }));
            }
            long total = 0;
            for (Future<Integer> f : acceptedPerThread) {
                total += f.get(100, TimeUnit.SECONDS);
            }
            long expected = (long) threads * requestsPerThread * rowsPerRequest;
            assertThat(total).isEqualTo(expected);
            assertThat(db.queryLong("SELECT count(*) FROM items")).isEqualTo(expected);
            assertThat(db.queryLong("SELECT count(DISTINCT code) FROM items")).isEqualTo(expected);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFullQueueIsAnsweredAtOnceAndQueuedWorkStillCompletes() throws Exception {
        db.execute("CREATE TABLE IF NOT EXISTS gated (v text)");
        EngineConfig small = config().queueCapacity(2).writersPerTable(1).build();
        List<CompletableFuture<IngestResult>> accepted = new ArrayList<>();
        try (IngestEngine gatedEngine = IngestEngine.start(small);
             Connection blocker = db.connect()) {
            TableSchema gated = gatedEngine.catalog().find("gated").orElseThrow();
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("LOCK TABLE gated IN ACCESS EXCLUSIVE MODE"); // the writer blocks on its INSERT
            }
            Admission last = Admission.ACCEPTED;
            int submitted = 0;
            // The writer holds at most one batch while blocked, so the queue fills within a few offers.
            while (last == Admission.ACCEPTED && submitted < 1000) {
                IngestRequest r = IngestRequest.builder(gated).add(new Object[] {"v" + submitted}).build();
                Submission s = gatedEngine.submit(r);
                last = s.admission();
                if (last == Admission.ACCEPTED) {
                    accepted.add(s.result());
                }
                submitted++;
            }
            assertThat(last).isEqualTo(Admission.QUEUE_FULL);
            assertThat(accepted).hasSizeLessThanOrEqualTo(2 + 1000);
            blocker.rollback(); // release the lock
            for (CompletableFuture<IngestResult> f : accepted) {
                assertThat(f.get(60, TimeUnit.SECONDS).accepted()).isEqualTo(1);
            }
        }
        assertThat(db.queryLong("SELECT count(*) FROM gated")).isEqualTo(accepted.size());
    }

    @Test
    void closeCommitsWhatIsQueuedAndThenRefusesNewWork() throws Exception {
        db.execute("CREATE TABLE IF NOT EXISTS drained (v uuid PRIMARY KEY)");
        IngestEngine e = IngestEngine.start(config().shutdownGrace(Duration.ofSeconds(30)).build());
        TableSchema drained = e.catalog().find("drained").orElseThrow();
        List<CompletableFuture<IngestResult>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            IngestRequest r = IngestRequest.builder(drained).add(new Object[] {UUID.randomUUID().toString()}).build();
            Submission s = e.submit(r);
            assertThat(s.admission()).isEqualTo(Admission.ACCEPTED);
            results.add(s.result());
        }
        e.close();
        for (CompletableFuture<IngestResult> f : results) {
            assertThat(f).isCompletedWithValue(new IngestResult(1, List.of()));
        }
        assertThat(db.queryLong("SELECT count(*) FROM drained")).isEqualTo(200);
        IngestRequest late = IngestRequest.builder(drained).add(new Object[] {UUID.randomUUID().toString()}).build();
        assertThat(e.submit(late).admission()).isEqualTo(Admission.CLOSED);
    }
}

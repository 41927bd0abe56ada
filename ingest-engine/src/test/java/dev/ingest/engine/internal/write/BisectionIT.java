package dev.ingest.engine.internal.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.EngineConfig;
import dev.ingest.engine.IngestEngine;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.RecordSink;
import dev.ingest.engine.Rejection;
import dev.ingest.engine.RequestBuilder;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.WriterMode;
import dev.ingest.engine.testing.TestDatabase;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Poison-record isolation, straight on {@link BatchInserter}: one, several and all bad records in
 * batches of several sizes, in each writer mode. Every good record is committed, every bad one is
 * named, and the statements spent grow with the logarithm of the batch size, not with its size
 * (for all-bad batches too, by the request's {@link IsolationBudget}).
 */
@Timeout(180)
class BisectionIT {
    private static TestDatabase.Database db;
    private static IngestEngine engine;
    private static TableSchema table;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE TABLE t (id integer PRIMARY KEY, v integer NOT NULL CHECK (v >= 0), note text)");
        engine = IngestEngine.start(EngineConfig.builder(db.jdbcUrl()).credentials(db.user(), db.password()).build());
        table = engine.catalog().find("t").orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    enum Bad { NONE, ONE, SEVERAL, ALL }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (WriterMode mode : WriterMode.values()) {
            for (int size : new int[] {1, 2, 7, 100, 1000}) {
                for (Bad bad : Bad.values()) {
                    all.add(Arguments.of(mode, size, bad));
                }
            }
        }
        return all.stream();
    }

    /** Which records of a batch of {@code size} are bad: spread over the batch, ends included. */
    private static TreeSet<Integer> badIndexes(int size, Bad bad) {
        TreeSet<Integer> out = new TreeSet<>();
        switch (bad) {
            case NONE -> { }
            case ONE -> out.add(size / 2);
            case SEVERAL -> {
                for (int i : new int[] {0, size / 3, size / 2 + 1, size - 1}) {
                    out.add(Math.min(i, size - 1));
                }
            }
            case ALL -> {
                for (int i = 0; i < size; i++) {
                    out.add(i);
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}, {1} records, {2} bad")
    @MethodSource("cases")
    void goodRecordsCommitAndBadOnesAreNamedAtLogarithmicCost(WriterMode mode, int size, Bad bad) throws Exception {
        db.execute("TRUNCATE t");
        TreeSet<Integer> badOnes = badIndexes(size, bad);
        RequestBuilder b = IngestRequest.builder(table);
        for (int i = 0; i < size; i++) {
            Object[] v = new Object[table.columns().size()];
            Arrays.fill(v, RecordSink.ABSENT);
            v[table.indexOf("id")] = (long) i;
            // Alternate the failure: a CHECK violation and a NOT NULL violation, both found by the database.
            v[table.indexOf("v")] = !badOnes.contains(i) ? (Object) (long) i : i % 2 == 0 ? (Object) (-1L) : null;
            v[table.indexOf("note")] = "tab\there, back\\slash, newline\n" + i;
            b.add(v);
        }
        IngestRequest request = b.build();

        Attempt attempt;
        try (Connection c = db.connect()) {
            attempt = new BatchInserter(mode).write(c, List.of(request));
        }

        List<Rejection> refused = attempt.rejected.getOrDefault(request, List.of());
        assertThat(refused).extracting(Rejection::index).containsExactlyElementsOf(badOnes);
        assertThat(refused).extracting(Rejection::sqlstate).allMatch(s -> s.equals("23514") || s.equals("23502"));
        assertThat(db.queryLong("SELECT count(*) FROM t")).isEqualTo(size - badOnes.size());
        assertThat(db.queryLong("SELECT count(*) FROM t WHERE note = E'tab\\there, back\\\\slash, newline\\n' || id"))
                .isEqualTo(size - badOnes.size());
        assertThat(db.queryLong("SELECT count(*) FROM ingest.commits WHERE batch_id = '" + attempt.batchId + "'")).isEqualTo(1);

        int log = 32 - Integer.numberOfLeadingZeros(size); // ceil(log2(size)) + 1 at most
        if (bad == Bad.ALL) {
            // Every record tried alone costs about 2n statements; a request's isolation budget caps
            // that at O(log n) (plus the fast-path chunks, each tried once more).
            assertThat(attempt.statements).isLessThanOrEqualTo(
                    Math.min(2 * size + 2 * log, IsolationBudget.statementsFor(size) + 4 * log + 2));
        } else {
            // Fast-path chunks (a few per batch in VALUES mode), then per bad record one halving per level.
            assertThat(attempt.statements).isLessThanOrEqualTo(4 * log + 2 + badOnes.size() * (2 * log + 1));
        }
    }

    /**
     * Box columns in unnest mode, plain and through a domain: box array literals are delimited by
     * semicolons, so an array parameter of several boxes joined by commas is malformed. Before
     * unnest left such groups to VALUES, every statement of two rows or more failed, and
     * isolation, out of budget, refused good records.
     */
    @Test
    void boxColumnsAreWrittenWithoutIsolationInEveryMode() throws Exception {
        db.execute("CREATE DOMAIN framed AS box", "CREATE TABLE boxes (id integer PRIMARY KEY, b box NOT NULL)",
                "CREATE TABLE framed_boxes (id integer PRIMARY KEY, b framed NOT NULL)");
        engine.catalog().refresh().get();
        for (String name : List.of("boxes", "framed_boxes")) {
            TableSchema boxes = engine.catalog().find(name).orElseThrow();
            for (WriterMode mode : WriterMode.values()) {
                db.execute("TRUNCATE " + name);
                RequestBuilder b = IngestRequest.builder(boxes);
                for (int i = 0; i < 200; i++) {
                    b.add(new Object[] {(long) i, "(" + (i + 1) + "," + (i + 1) + "),(0,0)"});
                }
                IngestRequest request = b.build();
                Attempt attempt;
                try (Connection c = db.connect()) {
                    attempt = new BatchInserter(mode).write(c, List.of(request));
                }
                String what = name + ", " + mode;
                assertThat(attempt.rejected.getOrDefault(request, List.of())).as(what).isEmpty();
                assertThat(attempt.statements).as(what).isLessThanOrEqualTo(8);
                assertThat(db.queryLong("SELECT count(*) FROM " + name + " WHERE b ~= box(point(id + 1, id + 1), point(0, 0))"))
                        .as(what).isEqualTo(200);
            }
        }
    }
}

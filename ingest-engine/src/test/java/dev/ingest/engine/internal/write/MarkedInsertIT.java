package dev.ingest.engine.internal.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingest.engine.EngineConfig;
import dev.ingest.engine.IngestEngine;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.OnConflict;
import dev.ingest.engine.RequestBuilder;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.WriterMode;
import dev.ingest.engine.internal.sql.StaleSchemaException;
import dev.ingest.engine.testing.TestDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A batch of small requests sends its rows and its marker in one round trip
 * ({@link UnnestInsert#writeMarked}); what the marker promises must hold there as when it is sent
 * alone: it is written in the batch's transaction, and only if the table still has the columns
 * the rows were converted for.
 */
@Timeout(120)
class MarkedInsertIT {
    private static TestDatabase.Database db;
    private static IngestEngine engine;
    private static TableSchema table;
    private final BatchInserter auto = new BatchInserter(WriterMode.AUTO);

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE TABLE m (id integer PRIMARY KEY, v integer, note text)");
        engine = IngestEngine.start(EngineConfig.builder(db.jdbcUrl()).credentials(db.user(), db.password()).build());
        table = engine.catalog().find("m").orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    @BeforeEach
    void clean() {
        db.execute("DROP TABLE IF EXISTS m", "CREATE TABLE m (id integer PRIMARY KEY, v integer, note text)");
    }

    @Test
    void aBatchOfSmallRequestsCommitsItsRowsWithItsMarker() throws Exception {
        List<IngestRequest> batch = List.of(request(0, 3, b -> b), request(3, 2, b -> b));
        assertThat(auto.marksInOneRoundTrip(RowGroup.of(batch), batch, table)).isTrue();
        Attempt attempt;
        try (Connection c = db.connect()) {
            attempt = auto.write(c, batch);
        }
        assertThat(attempt.rejected).isEmpty();
        assertThat(attempt.statements).as("one statement for the rows").isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM m")).isEqualTo(5);
        assertThat(db.queryLong("SELECT count(*) FROM m WHERE note = 'n' || id AND v = id")).isEqualTo(5);
        assertThat(db.queryLong("SELECT count(*) FROM ingest.commits WHERE batch_id = '" + attempt.batchId + "'")).isEqualTo(1);
    }

    @Test
    void aColumnThatChangedTypeRefusesTheBatchAndCommitsNothing() throws Exception {
        List<IngestRequest> batch = List.of(request(0, 3, b -> b));
        db.execute("ALTER TABLE m ALTER COLUMN v TYPE bigint");
        try (Connection c = db.connect()) {
            assertThatThrownBy(() -> auto.write(c, batch)).isInstanceOf(StaleSchemaException.class);
            assertThat(auto.lastAttempt().commitSent).as("no COMMIT sent").isFalse();
        }
        assertThat(db.queryLong("SELECT count(*) FROM m")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM ingest.commits WHERE batch_id = '" + auto.lastAttempt().batchId + "'")).isZero();
    }

    @Test
    void aColumnAddedWhileTheBatchWaitedAlsoRefusesIt() throws Exception {
        List<IngestRequest> batch = List.of(request(0, 2, b -> b));
        db.execute("ALTER TABLE m ADD COLUMN extra integer DEFAULT 7");
        try (Connection c = db.connect()) {
            assertThatThrownBy(() -> auto.write(c, batch)).isInstanceOf(StaleSchemaException.class);
        }
        assertThat(db.queryLong("SELECT count(*) FROM m")).isZero();
    }

    @Test
    void batchesWithSomethingToStoreBeforeTheMarkerGoTheLongWay() {
        List<IngestRequest> keyed = List.of(request(0, 1, b -> b.idempotencyKey("s", "k1")));
        List<IngestRequest> deadLetters = List.of(request(0, 1, b -> b.deadLetter(true)));
        List<IngestRequest> upsert = List.of(request(0, 1, b -> b.onConflict(OnConflict.UPDATE)));
        List<IngestRequest> large = List.of(request(0, WriterMode.AUTO_COPY_ROWS, b -> b));
        for (List<IngestRequest> batch : List.of(keyed, deadLetters, upsert, large)) {
            assertThat(auto.marksInOneRoundTrip(RowGroup.of(batch), batch, table)).isFalse();
        }
        List<IngestRequest> ignore = List.of(request(0, 1, b -> b.onConflict(OnConflict.IGNORE)));
        assertThat(auto.marksInOneRoundTrip(RowGroup.of(ignore), ignore, table)).isTrue();
    }

    /** Records {@code from} to {@code from + n - 1}: id, v = id, note = 'n' || id. */
    private static IngestRequest request(int from, int n, UnaryOperator<RequestBuilder> options) {
        RequestBuilder b = options.apply(IngestRequest.builder(table));
        for (int i = from; i < from + n; i++) {
            b.add(new Object[] {(long) i, (long) i, "n" + i});
        }
        return b.build();
    }
}

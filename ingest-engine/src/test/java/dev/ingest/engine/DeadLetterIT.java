package dev.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dead-letter requests (the engine side of {@code ack=queued}): each record ends up exactly once,
 * either in its table or in {@code ingest.rejects}, committed together.
 */
@Timeout(120)
class DeadLetterIT {
    private static TestDatabase.Database db;
    private static IngestEngine engine;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE TABLE items (code text PRIMARY KEY, qty integer CHECK (qty >= 0), tags text[])");
        engine = IngestEngine.start(EngineConfig.builder(db.jdbcUrl()).credentials(db.user(), db.password()).build());
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    @BeforeEach
    void clean() {
        db.execute("TRUNCATE items", "TRUNCATE ingest.rejects", "TRUNCATE ingest.idempotency_keys");
    }

    private static Object[] item(TableSchema t, Object code, Object qty) {
        Object[] v = new Object[t.columns().size()];
        Arrays.fill(v, RecordSink.ABSENT);
        v[t.indexOf("code")] = code;
        v[t.indexOf("qty")] = qty;
        return v;
    }

    private static IngestResult run(IngestRequest request) throws Exception {
        Submission s = engine.submit(request);
        assertThat(s.admission()).isEqualTo(Admission.ACCEPTED);
        return s.result().get(60, TimeUnit.SECONDS);
    }

    /** {@code record_index, sqlstate, record::text} of every dead letter, in index order. */
    private static List<List<String>> rejects() throws Exception {
        List<List<String>> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT record_index, sqlstate, record::text, table_name, message, "
                     + "coalesce(idempotency_key, '') FROM ingest.rejects ORDER BY record_index, id")) {
            while (rs.next()) {
                assertThat(rs.getString(4)).isEqualTo("public.items");
                assertThat(rs.getString(5)).isNotBlank();
                out.add(List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(6)));
            }
        }
        return out;
    }

    private static long deadLettered() {
        return engine.stats().tables().stream().filter(t -> t.table().equals("public.items"))
                .mapToLong(EngineStats.Table::deadLettered).sum();
    }

    @Test
    void refusedRecordsGoToTheDeadLetterTableWithTheGoodOnes() throws Exception {
        db.execute("INSERT INTO items (code) VALUES ('taken')");
        TableSchema t = engine.catalog().find("items").orElseThrow();
        long before = deadLettered();
        IngestResult result = run(IngestRequest.builder(t).deadLetter(true)
                .add(item(t, "good", 1L))
                .add(item(t, "taken", 2L))                      // 23505, found by the database
                .add(item(t, "negative", -1L))                  // 23514, found by the database
                .add(item(t, "many", "lots"))                   // refused before the database
                .add(item(t, "nul\u0000inside", 3L))            // text cannot hold U+0000
                .reject("22P02", "line 6: malformed JSON", "{\"code\": ")
                .add(item(t, "good too", new JsonNumber("4")))
                .build());

        assertThat(result.accepted()).isEqualTo(2);
        assertThat(db.queryLong("SELECT count(*) FROM items WHERE code IN ('good', 'good too')")).isEqualTo(2);
        assertThat(rejects()).containsExactly(
                List.of("1", "23505", "{\"code\":\"taken\",\"qty\":\"2\"}", ""),
                List.of("2", "23514", "{\"code\":\"negative\",\"qty\":\"-1\"}", ""),
                List.of("3", "22P02", "{\"code\":\"many\",\"qty\":\"lots\"}", ""),
                List.of("4", "22021", "{\"code\":\"nul\\u0000inside\",\"qty\":3}", ""),
                List.of("5", "22P02", "\"{\\\"code\\\": \"", ""));
        assertThat(deadLettered() - before).isEqualTo(5);
        // Refused by the database, a record is given back as the text the table was offered.
        assertThat(db.queryLong("SELECT (json_populate_record(NULL::items, record)).qty FROM ingest.rejects WHERE sqlstate = '23514'"))
                .isEqualTo(-1);
    }

    @Test
    void aRequestWithOnlyEarlyRefusalsStillReachesTheDeadLetterTable() throws Exception {
        TableSchema t = engine.catalog().find("items").orElseThrow();
        IngestResult result = run(IngestRequest.builder(t).deadLetter(true)
                .add(item(t, "a", "x"))
                .reject("22P04", "line 2: 3 fields, but the header has 2", List.of("b", "1", "extra"))
                .build());
        assertThat(result.accepted()).isZero();
        assertThat(rejects()).containsExactly(
                List.of("0", "22P02", "{\"code\":\"a\",\"qty\":\"x\"}", ""),
                List.of("1", "22P04", "[\"b\",\"1\",\"extra\"]", ""));
    }

    @Test
    void withoutDeadLettersNothingIsWrittenToTheDeadLetterTable() throws Exception {
        TableSchema t = engine.catalog().find("items").orElseThrow();
        IngestResult result = run(IngestRequest.builder(t).add(item(t, "ok", 1L)).add(item(t, "bad", -1L)).build());
        assertThat(result.rejected()).hasSize(1);
        assertThat(rejects()).isEmpty();
    }

    @Test
    void aRepeatedKeyDeadLettersOnce() throws Exception {
        TableSchema t = engine.catalog().find("items").orElseThrow();
        for (int attempt = 0; attempt < 3; attempt++) {
            run(IngestRequest.builder(t).deadLetter(true).idempotencyKey("test", "k-1")
                    .add(item(t, "once", 1L)).add(item(t, "bad", -5L)).build());
        }
        assertThat(db.queryLong("SELECT count(*) FROM items")).isEqualTo(1);
        assertThat(rejects()).containsExactly(List.of("1", "23514", "{\"code\":\"bad\",\"qty\":\"-5\"}", "k-1"));
    }

    @Test
    void whenTheTableIsGoneEveryQueuedRecordIsDeadLettered() throws Exception {
        db.execute("CREATE TABLE doomed (v integer)");
        engine.catalog().refresh().get(30, TimeUnit.SECONDS);
        TableSchema doomed = engine.catalog().find("doomed").orElseThrow();
        db.execute("DROP TABLE doomed");

        Object[] one = {1L};
        Object[] two = {2L};
        IngestRequest queued = IngestRequest.builder(doomed).deadLetter(true).add(one).add(two).build();
        IngestResult result = run(queued);
        assertThat(result.accepted()).isZero();
        assertThat(result.rejected()).extracting(Rejection::sqlstate).containsOnly("42P01");
        assertThat(db.queryLong("SELECT count(*) FROM ingest.rejects WHERE table_name = 'public.doomed' AND sqlstate = '42P01'"))
                .isEqualTo(2);

        // Without dead letters the request fails as a whole, for its client to hear of.
        IngestRequest waited = IngestRequest.builder(doomed).add(one).build();
        Submission waitedFor = engine.submit(waited);
        assertThat(waitedFor.admission()).isEqualTo(Admission.ACCEPTED);
        assertThat(waitedFor.result()).failsWithin(60, TimeUnit.SECONDS);
        assertThat(db.queryLong("SELECT count(*) FROM ingest.rejects")).isEqualTo(2);
    }

    @Test
    void aWaitedRequestThatKeepsItsRejectsIsAnsweredAndStoresThemOnce() throws Exception {
        TableSchema t = engine.catalog().find("items").orElseThrow();
        long before = deadLettered();
        // Only early refusals and no key: it still reaches a writer, to store them.
        IngestResult early = run(IngestRequest.builder(t).keepRejects(true)
                .add(item(t, "a", "x"))
                .reject("22P04", "line 2: 3 fields, but the header has 2", List.of("b", "1", "extra"))
                .build());
        assertThat(early.rejected()).extracting(Rejection::index).containsExactly(0, 1);
        for (int attempt = 0; attempt < 3; attempt++) {
            IngestResult keyed = run(IngestRequest.builder(t).keepRejects(true).idempotencyKey("test", "k-kept")
                    .add(item(t, "kept", 1L)).add(item(t, "bad", -5L)).build());
            if (attempt == 0) { // repeats are told they are duplicates of it; the API replays the stored answer
                assertThat(keyed.rejected()).extracting(Rejection::sqlstate).containsExactly("23514");
            }
        }
        assertThat(db.queryLong("SELECT count(*) FROM items")).isEqualTo(1);
        assertThat(rejects()).containsExactly(
                List.of("0", "22P02", "{\"code\":\"a\",\"qty\":\"x\"}", ""),
                List.of("1", "22P04", "[\"b\",\"1\",\"extra\"]", ""),
                List.of("1", "23514", "{\"code\":\"bad\",\"qty\":\"-5\"}", "k-kept"));
        assertThat(deadLettered() - before).isEqualTo(3);
    }

    @Test
    void aWaitedRequestThatKeepsItsRejectsStillFailsAsAWholeWhenTheTableIsGone() throws Exception {
        db.execute("CREATE TABLE gone (v integer)");
        engine.catalog().refresh().get(30, TimeUnit.SECONDS);
        TableSchema gone = engine.catalog().find("gone").orElseThrow();
        db.execute("DROP TABLE gone");

        // Its client waits: it hears of the failure and may retry; nothing is kept for it.
        IngestRequest kept = IngestRequest.builder(gone).keepRejects(true).add(new Object[] {1L}).build();
        Submission keptFor = engine.submit(kept);
        assertThat(keptFor.admission()).isEqualTo(Admission.ACCEPTED);
        assertThat(keptFor.result()).failsWithin(60, TimeUnit.SECONDS);
        assertThat(db.queryLong("SELECT count(*) FROM ingest.rejects")).isZero();
        assertThat(engine.stats().tables().stream().mapToLong(EngineStats.Table::queuedLost).sum()).isZero();
    }
}

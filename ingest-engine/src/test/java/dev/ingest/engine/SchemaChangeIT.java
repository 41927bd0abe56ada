package dev.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * DDL committed while the engine runs: a request converted against the table as it was must be
 * written as the table now is, or refused the way PostgreSQL refuses it — never written with a
 * column type the table no longer has, never failed as a whole because a plan or type is stale.
 *
 * <p>Each case warms the writer first (more inserts than pgjdbc's prepare threshold, so the
 * server holds named prepared statements) and then changes the table behind the catalog's back:
 * the requests below are built from the snapshot taken before the change, as a request that was
 * already decoded when the DDL committed would be.
 */
@Timeout(120)
class SchemaChangeIT {
    private static TestDatabase.Database db;
    private static final Map<WriterMode, IngestEngine> engines = new EnumMap<>(WriterMode.class);

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        db.execute("CREATE TYPE mood AS ENUM ('happy', 'sad')");
        for (WriterMode mode : WriterMode.values()) {
            String m = mode.name().toLowerCase();
            db.execute("CREATE TABLE widen_" + m + " (id int PRIMARY KEY, n int)",
                    "CREATE TABLE retype_" + m + " (id int PRIMARY KEY, code int)",
                    "CREATE TABLE enum_" + m + " (id int PRIMARY KEY, m mood)",
                    "CREATE TABLE dropped_" + m + " (id int PRIMARY KEY, gone text, kept text)",
                    "CREATE TABLE renamed_" + m + " (id int PRIMARY KEY, old_name text)",
                    "CREATE TYPE feeling_" + m + " AS ENUM ('happy', 'sad')",
                    "CREATE TABLE untyped_" + m + " (id int PRIMARY KEY, f feeling_" + m + ")");
        }
        for (WriterMode mode : WriterMode.values()) {
            engines.put(mode, IngestEngine.start(EngineConfig.builder(db.jdbcUrl()).credentials(db.user(), db.password())
                    .writerMode(mode).writersPerTable(1).build()));
        }
    }

    @AfterAll
    static void stop() {
        engines.values().forEach(IngestEngine::close);
    }

    private static TableSchema table(IngestEngine engine, String name) {
        return engine.catalog().find(name).orElseThrow();
    }

    /** A record giving {@code id} and the named columns; the others take their defaults. */
    private static Object[] record(TableSchema t, int id, Object... namesAndValues) {
        Object[] v = new Object[t.columns().size()];
        Arrays.fill(v, RecordSink.ABSENT);
        v[t.indexOf("id")] = id;
        for (int i = 0; i < namesAndValues.length; i += 2) {
            v[t.indexOf((String) namesAndValues[i])] = namesAndValues[i + 1];
        }
        return v;
    }

    private static IngestResult write(IngestEngine engine, IngestRequest request) throws Exception {
        Submission s = engine.submit(request);
        assertThat(s.admission()).isEqualTo(Admission.ACCEPTED);
        return s.result().get(60, TimeUnit.SECONDS);
    }

    /** Enough one-row writes that pgjdbc has switched to a named server-side statement. */
    private static void warm(IngestEngine engine, TableSchema t, String column, Object value) throws Exception {
        for (int i = 1; i <= 8; i++) {
            assertThat(write(engine, IngestRequest.builder(t).add(record(t, -i, column, value)).build()).accepted()).isEqualTo(1);
        }
    }

    private static List<String> column(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void aWidenedColumnTakesValuesOnlyItsNewTypeCanHold(WriterMode mode) throws Exception {
        IngestEngine engine = engines.get(mode);
        String name = "widen_" + mode.name().toLowerCase();
        TableSchema before = table(engine, name);
        warm(engine, before, "n", 1L);
        db.execute("ALTER TABLE " + name + " ALTER COLUMN n TYPE bigint");

        IngestResult result = write(engine, IngestRequest.builder(before).add(record(before, 1, "n", "3000000000")).build());

        assertThat(result.rejected()).isEmpty();
        assertThat(column("SELECT n::text FROM " + name + " WHERE id = 1")).containsExactly("3000000000");
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void aColumnRetypedToTextStoresTheTextAsSent(WriterMode mode) throws Exception {
        IngestEngine engine = engines.get(mode);
        String name = "retype_" + mode.name().toLowerCase();
        TableSchema before = table(engine, name);
        warm(engine, before, "code", "5");
        db.execute("ALTER TABLE " + name + " ALTER COLUMN code TYPE text");

        IngestResult result = write(engine, IngestRequest.builder(before).add(record(before, 1, "code", "007")).build());

        assertThat(result.rejected()).isEmpty();
        assertThat(column("SELECT code FROM " + name + " WHERE id = 1")).containsExactly("007");
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void aRecreatedEnumIsWrittenWithoutAnyClientSeeingTheStalePlan(WriterMode mode) throws Exception {
        IngestEngine engine = engines.get(mode);
        String name = "enum_" + mode.name().toLowerCase();
        TableSchema before = table(engine, name);
        warm(engine, before, "m", "happy");
        db.execute("ALTER TABLE " + name + " ALTER COLUMN m TYPE text",
                "DROP TYPE IF EXISTS mood_" + mode.name().toLowerCase(),
                "CREATE TYPE mood_" + mode.name().toLowerCase() + " AS ENUM ('happy', 'sad', 'meh')",
                "ALTER TABLE " + name + " ALTER COLUMN m TYPE mood_" + mode.name().toLowerCase()
                        + " USING m::mood_" + mode.name().toLowerCase());

        IngestResult stale = write(engine, IngestRequest.builder(before).add(record(before, 1, "m", "meh")).build());
        // And again from the catalog as it is now, in case the first write only refreshed it.
        TableSchema after = engine.catalog().resolve(name, true).get(30, TimeUnit.SECONDS).orElseThrow();
        IngestResult fresh = write(engine, IngestRequest.builder(after).add(record(after, 2, "m", "sad")).build());

        assertThat(stale.rejected()).isEmpty();
        assertThat(fresh.rejected()).isEmpty();
        assertThat(column("SELECT m::text FROM " + name + " WHERE id > 0 ORDER BY id")).containsExactly("meh", "sad");
    }

    /**
     * The moment inside a type's replacement (column retyped to text, the enum dropped, not yet
     * created again), seen by a writer whose statements still name the enum: PostgreSQL would
     * store the text in the column as it now is, and so must we.
     */
    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void aColumnWhoseTypeWasDroppedStoresTheValueAsTheColumnNowIs(WriterMode mode) throws Exception {
        IngestEngine engine = engines.get(mode);
        String m = mode.name().toLowerCase();
        String name = "untyped_" + m;
        TableSchema before = table(engine, name);
        // Not warmed: the statement is parsed afresh and meets the type's name, not a cached plan.
        db.execute("ALTER TABLE " + name + " ALTER COLUMN f TYPE text", "DROP TYPE feeling_" + m);

        IngestResult result = write(engine, IngestRequest.builder(before).add(record(before, 1, "f", "sad")).build());

        assertThat(result.rejected()).isEmpty();
        assertThat(column("SELECT f FROM " + name + " WHERE id = 1")).containsExactly("sad");
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void aValueForADroppedColumnIsRefusedAsPostgresqlRefusesItAndTheOthersAreWritten(WriterMode mode) throws Exception {
        IngestEngine engine = engines.get(mode);
        String name = "dropped_" + mode.name().toLowerCase();
        TableSchema before = table(engine, name);
        warm(engine, before, "kept", "x");
        db.execute("ALTER TABLE " + name + " DROP COLUMN gone");

        IngestResult result = write(engine, IngestRequest.builder(before)
                .add(record(before, 1, "gone", "g", "kept", "a"))
                .add(record(before, 2, "kept", "b"))
                .build());

        assertThat(result.accepted()).isEqualTo(1);
        assertThat(result.rejected()).extracting(Rejection::index, Rejection::sqlstate).containsExactly(Tuple.tuple(0, "42703"));
        assertThat(column("SELECT id || ':' || kept FROM " + name + " WHERE id > 0 ORDER BY id")).containsExactly("2:b");
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void aRenamedColumnIsNotWrittenUnderItsOldName(WriterMode mode) throws Exception {
        IngestEngine engine = engines.get(mode);
        String name = "renamed_" + mode.name().toLowerCase();
        TableSchema before = table(engine, name);
        warm(engine, before, "old_name", "x");
        db.execute("ALTER TABLE " + name + " RENAME COLUMN old_name TO new_name");

        IngestResult result = write(engine, IngestRequest.builder(before)
                .add(record(before, 1, "old_name", "a"))
                .add(record(before, 2))
                .build());

        assertThat(result.rejected()).extracting(Rejection::index, Rejection::sqlstate).containsExactly(Tuple.tuple(0, "42703"));
        assertThat(column("SELECT id || ':' || coalesce(new_name, 'null') FROM " + name + " WHERE id > 0 ORDER BY id"))
                .containsExactly("2:null");
    }
}

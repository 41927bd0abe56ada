package dev.ingest.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ingest.api.db.DatabaseUrl;
import dev.ingest.engine.testing.TestDatabase;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;

/** The references against a real PostgreSQL and the real psql: they must load what the service loads. */
class ReferencesTest {
    private static final int ROWS = 2_000;

    @Test
    void theBinaryCeilingLoadsTheRowsInTheOrderOfTheCsvFiles(@TempDir Path dir) throws Exception {
        assumeTrue(psqlOnPath(), "psql is not on PATH (Debian: postgresql-client)");
        TestDatabase.Database db = TestDatabase.create();
        db.execute(Workload.tableDdl());
        Workload workload = new Workload(42);
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < ROWS; i++) {
            csv.append(workload.csvLine(i));
        }
        try (Connection c = db.connect()) {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "COPY events (" + Workload.COLUMNS + ") FROM STDIN WITH (FORMAT csv)", new StringReader(csv.toString()));
        }
        List<Path> files = List.of(dir.resolve("1.bin"), dir.resolve("2.bin"));
        References.exportBinary(DatabaseUrl.parse(db.url()), files, ROWS, dir.resolve("psql.log"));

        // Load each file into a table that numbers rows as they arrive: the order PostgreSQL's
        // indexes see them in, which is what the ceiling costs. It must be the CSV's (the
        // workload's) order, not sorted by the unique key.
        db.execute("CREATE TABLE arrived (ord bigserial, " + "event_id uuid, ts timestamptz, source text, kind text, "
                + "user_id bigint, value double precision, payload jsonb)");
        List<Long> order = new ArrayList<>();
        try (Connection c = db.connect()) {
            for (Path file : files) {
                c.createStatement().execute("TRUNCATE arrived");
                try (var in = Files.newInputStream(file)) {
                    c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                            "COPY arrived (" + Workload.COLUMNS + ") FROM STDIN WITH (FORMAT binary)", in);
                }
                try (ResultSet rs = c.createStatement().executeQuery("SELECT user_id FROM arrived ORDER BY ord")) {
                    while (rs.next()) {
                        order.add(rs.getLong(1));
                    }
                }
            }
        }
        assertThat(order).as("rows delivered").hasSize(ROWS);
        int first = 0;
        while (first < ROWS && order.get(first) == first) {
            first++;
        }
        assertThat(first).as("position of the first row out of the CSV's order (user_id there: %s)",
                first < ROWS ? order.get(first) : "none").isEqualTo(ROWS);
    }

    /**
     * The one-row INSERT reference as a well-written application runs it: a prepared statement,
     * parsed once per connection. pgbench's default simple protocol parses and plans every INSERT
     * again, a weaker reference (about 30% fewer transactions per second here).
     */
    @Test
    void pgbenchInsertsWithPreparedStatements(@TempDir Path dir) throws Exception {
        assumeTrue(References.onPath("pgbench"), "pgbench is not on PATH (Debian: postgresql-client)");
        TestDatabase.Database db = TestDatabase.create();
        db.execute(Workload.tableDdl());
        Path log = dir.resolve("pgbench.log");
        References.Pgbench run = References.pgbench(DatabaseUrl.parse(db.url()), 2, 1, dir, log);
        assertThat(Files.readString(log)).as("pgbench's summary").contains("query mode: prepared");
        assertThat(run.transactions()).isPositive();
        assertThat(db.queryLong("SELECT count(*) FROM events")).as("rows inserted").isEqualTo(run.transactions());
    }

    private static boolean psqlOnPath() {
        try {
            return new ProcessBuilder("psql", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}

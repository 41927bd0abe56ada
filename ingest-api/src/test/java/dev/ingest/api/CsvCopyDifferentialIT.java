package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.formats.CsvCorpus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;

/**
 * CSV bodies through the service against {@code COPY t FROM STDIN (FORMAT csv, HEADER true)} of
 * the same bytes on the same database: PostgreSQL is the judge of every record.
 *
 * <p>COPY stops at the first record it refuses, while the service refuses that record alone and
 * goes on. So the expected outcome of a body is built from COPYs of parts of it, each judged by
 * PostgreSQL: the longest run of records from the current one that COPY takes as one body is
 * accepted (its rows are COPYed into the oracle table); the record after that run is refused
 * with the SQLSTATE COPY gives for the run plus that record, and COPY of that record alone
 * (after the header) must give the same SQLSTATE, which checks the corpus's record boundaries
 * against PostgreSQL's; the rest of the body is judged again from the next record on. Where a
 * refused record ends is the corpus's (and the service's) choice, since COPY stops inside it;
 * every other boundary is PostgreSQL's.
 *
 * <p>One documented exception: a backslash is data, also in a line {@code \.}, as in PostgreSQL
 * 18. Up to 17, COPY FROM STDIN ends the data at {@code \.} and a line end and drops the rest,
 * which the service never does; on such a server the oracle is asked about the record with its
 * {@code \.} quoted ({@code "\."}), the same value without the end marker.
 *
 * <p>The service must then store the same rows in the same order (NULL and '' told apart) and
 * refuse the same record indexes with the same SQLSTATEs (a 422 when it refuses them all). All disagreements are collected and
 * reported together.
 */
@Timeout(300)
class CsvCopyDifferentialIT {
    private static ServiceFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = ServiceFixture.start("CREATE TABLE t (id bigserial PRIMARY KEY, a text, b text)",
                "CREATE TABLE oracle (id bigserial PRIMARY KEY, a text, b text)");
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    /** Rows in order, and refusals as "index sqlstate". */
    private record Outcome(List<List<String>> rows, List<String> refused) {
    }

    @Test
    void everyCorpusBodyIsStoredOrRefusedAsCopyWould() throws Exception {
        List<String> disagreements = new ArrayList<>();
        List<CsvCorpus.Case> corpus = CsvCorpus.all();
        for (CsvCorpus.Case c : corpus) {
            Outcome expected = copyOutcome(c);
            Outcome actual = serviceOutcome(c);
            if (!expected.equals(actual)) {
                disagreements.add(c.name() + ":\n    COPY:    " + abbreviate(expected) + "\n    service: " + abbreviate(actual));
            }
        }
        assertThat(disagreements).as(disagreements.size() + " of " + corpus.size() + " bodies disagree with COPY:\n"
                + String.join("\n", disagreements)).isEmpty();
    }

    private static String abbreviate(Outcome o) {
        String s = o.toString();
        return s.length() > 600 ? s.substring(0, 600) + "..." : s;
    }

    private Outcome serviceOutcome(CsvCorpus.Case c) throws Exception {
        f.db.execute("TRUNCATE t");
        HttpResponse<String> r = f.post("/v1/tables/t/records", "text/csv", c.body());
        List<String> refused = new ArrayList<>();
        // 422 (all_rejected) answers a body whose every record was refused, with the same list.
        if (r.statusCode() != 200 && r.statusCode() != 422) {
            refused.add("HTTP " + r.statusCode() + " " + r.body());
        } else {
            for (Object o : ServiceFixture.json(r).getJsonArray("rejected", new JsonArray())) {
                JsonObject j = (JsonObject) o;
                refused.add(j.getInteger("index") + " " + j.getString("sqlstate"));
            }
        }
        return new Outcome(f.rows("SELECT a, b FROM t ORDER BY id"), refused);
    }

    /** The case as PostgreSQL 18 reads it, for an older server: a record-leading {@code \.} before a line end quoted. */
    private static CsvCorpus.Case asPostgres18(CsvCorpus.Case c) {
        if (f.db.queryLong("SELECT current_setting('server_version_num')::int") >= 180000) {
            return c;
        }
        List<byte[]> pieces = new ArrayList<>();
        for (byte[] p : c.pieces()) {
            boolean marker = p.length > 2 && p[0] == '\\' && p[1] == '.' && (p[2] == '\r' || p[2] == '\n');
            if (marker) {
                byte[] quoted = new byte[p.length + 2];
                quoted[0] = '"';
                quoted[1] = '\\';
                quoted[2] = '.';
                quoted[3] = '"';
                System.arraycopy(p, 2, quoted, 4, p.length - 2);
                p = quoted;
            }
            pieces.add(p);
        }
        return new CsvCorpus.Case(c.name(), c.columns(), pieces);
    }

    private Outcome copyOutcome(CsvCorpus.Case original) throws Exception {
        CsvCorpus.Case c = asPostgres18(original);
        f.db.execute("TRUNCATE oracle");
        List<String> refused = new ArrayList<>();
        try (Connection conn = f.db.connect()) {
            int from = 0;
            while (from < c.records()) {
                String failure = probe(conn, c, c.body(from, c.records()));
                if (failure == null) {
                    copy(conn, c, c.body(from, c.records()));
                    break;
                }
                int bad = from;
                while (probe(conn, c, c.body(from, bad + 1)) == null) {
                    bad++;
                }
                String state = probe(conn, c, c.body(from, bad + 1));
                String alone = probe(conn, c, c.body(bad, bad + 1));
                assertThat(alone).as(c.name() + ": record " + bad + " alone, as COPY judges it (corpus boundary check)")
                        .isEqualTo(state);
                copy(conn, c, c.body(from, bad));
                refused.add(bad + " " + state);
                from = bad + 1;
            }
            if (c.records() == 0) {
                copy(conn, c, c.body(0, 0));
            }
        }
        return new Outcome(f.rows("SELECT a, b FROM oracle ORDER BY id"), refused);
    }

    /** COPY of the bytes in a transaction rolled back; null when COPY takes them, else its SQLSTATE. */
    private static String probe(Connection conn, CsvCorpus.Case c, byte[] body) throws SQLException {
        conn.setAutoCommit(false);
        try {
            copy(conn, c, body);
            return null;
        } catch (PSQLException e) {
            return e.getSQLState();
        } finally {
            conn.rollback();
            conn.setAutoCommit(true);
        }
    }

    private static void copy(Connection conn, CsvCorpus.Case c, byte[] body) throws SQLException {
        try {
            conn.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "COPY oracle (" + c.columns() + ") FROM STDIN (FORMAT csv, HEADER true)", new ByteArrayInputStream(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.ingest.api.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingest.api.common.TableDefinition;
import dev.ingest.api.config.ClientConfig;
import dev.ingest.api.formats.Format;
import dev.ingest.engine.testing.TestDatabase;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Column types inferred from a sample, with PostgreSQL as the oracle: every sampled value is one
 * the inferred type takes ({@code select v::T}), and the DDL printed is one PostgreSQL runs.
 */
@Timeout(120)
class TableSamplerIT {
    private static TestDatabase.Database db;
    private static Connection connection;
    private static Path dir;

    /** Values of every kind a file holds, the tricky ones too: each one alone in a column must fit the type inferred. */
    private static final List<String> VALUES = List.of("0", "-0", "+7", "42", "007", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "1.5", ".5", "5.", "-0.25", "1e5", "1.5E-7", "1e999", "00.5", "NaN", "Infinity", "1,5", "0x1F",
            "true", "FALSE", "t", "yes", "2026-01-01T00:00:00Z", "2026-01-01 10:00:00+02", "2026-01-01T10:00:00.123456+02:00",
            "2026-01-01T10:00:00.1234567Z", "2026-01-01T10:00:00", "2026-02-30T10:00:00Z", "0000-01-01T00:00:00Z",
            "2026-01-01T24:00:00Z", "2026-01-01T10:00+0530", "2026-01-01", "12345678-9abc-4def-8000-000000000001",
            "12345678-9ABC-4DEF-8000-00000000000G", "{12345678-9abc-4def-8000-000000000001}", "{\"a\": 1}", "[1, 2]", "{bad",
            "{\"a\": \"\\u0000\"}", "{\"a\": \"\\ud800\"}", "[]", "{}", "null", "", " 42", "42 ", "hello", "héllo ☃", "1_000");

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        connection = db.connect();
        dir = Files.createTempDirectory("ingest-sampler");
    }

    @AfterAll
    static void stop() throws SQLException {
        connection.close();
    }

    private static TableDefinition sample(String name, String text, int rows) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return TableSampler.sample(Source.of(p.toString(), null), Format.fromFileName(name).orElseThrow(), "t", rows,
                ClientConfig.DEFAULTS.maxSampleBytes(), InputStream.nullInputStream());
    }

    /** The SQLSTATE of {@code select v::type}, or null when PostgreSQL takes the value. */
    private static String cast(String value, String type) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT CAST(CAST(? AS text) AS " + type + ")")) {
            s.setString(1, value);
            s.executeQuery().close();
            return null;
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    private static String csvField(String v) {
        return "\"" + v.replace("\"", "\"\"") + "\"";
    }

    @Test
    void everyValueAloneFitsTheTypeInferredForIt() throws Exception {
        Map<String, String> types = new LinkedHashMap<>();
        for (int i = 0; i < VALUES.size(); i++) {
            String v = VALUES.get(i);
            TableDefinition t = sample("one" + i + ".csv", "c\n" + csvField(v) + "\n", 10);
            String type = t.columns().get(0).type();
            types.put(v, type);
            assertThat(cast(v, type)).as("%s inferred as %s", v, type).isNull();
        }
        // The conservative choices, spelled out.
        assertThat(types).containsEntry("42", "bigint").containsEntry("007", "text").containsEntry("9223372036854775808", "numeric")
                .containsEntry("1.5", "numeric").containsEntry("1e5", "numeric").containsEntry("true", "boolean")
                .containsEntry("t", "text").containsEntry("2026-01-01T00:00:00Z", "timestamptz")
                .containsEntry("2026-01-01 10:00:00+02", "timestamptz").containsEntry("2026-01-01T10:00:00", "text")
                .containsEntry("2026-01-01T10:00:00.1234567Z", "text").containsEntry("12345678-9abc-4def-8000-000000000001", "uuid")
                .containsEntry("{\"a\": 1}", "jsonb").containsEntry("{\"a\": \"\\u0000\"}", "text").containsEntry("", "text")
                .containsEntry("NaN", "text");
    }

    @Test
    void aCsvFileGetsItsHeaderAndTheTypesEveryRowFits() throws Exception {
        StringBuilder csv = new StringBuilder("id,Price,active,seen at,ref,doc,note,empty\n");
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String[] r = {Integer.toString(i), i % 3 == 0 ? Integer.toString(i) : i + ".25", i % 2 == 0 ? "true" : "false",
                "2026-01-01T00:00:" + String.format("%02d", i % 60) + "Z", new UUID(1, i).toString(),
                "{\"n\": " + i + "}", i == 7 ? "" : "note " + i, null};
            rows.add(r);
            csv.append(String.join(",", Arrays.stream(r).map(v -> v == null ? "" : csvField(v)).toList())).append('\n');
        }
        TableDefinition t = sample("mixed.csv", csv.toString(), 10_000);
        assertThat(t.columns()).extracting(c -> c.name() + " " + c.type()).containsExactly("id bigint", "Price numeric",
                "active boolean", "seen at timestamptz", "ref uuid", "doc jsonb", "note text", "empty text");
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                if (r[i] != null) {
                    assertThat(cast(r[i], t.columns().get(i).type())).as(r[i]).isNull();
                }
            }
        }
        db.execute(t.ddl());
        assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 't'")).isEqualTo(8);
        db.execute("DROP TABLE t");
    }

    @Test
    void ndjsonTypesComeFromTheJsonValuesAndKeysInTheOrderTheyAppear() throws Exception {
        String text = "{\"a\": 1, \"b\": \"2026-01-01T00:00:00+01:00\", \"c\": {\"x\": [1]}, \"d\": true, \"e\": \"42\"}\n"
                + "{\"a\": 2.5, \"f\": null, \"c\": [1, 2], \"d\": false, \"e\": \"43\"}\n"
                + "{\"a\": 99999999999999999999, \"g\": \"12345678-9abc-4def-8000-000000000001\"}\n";
        TableDefinition t = sample("s.ndjson", text, 10);
        assertThat(t.columns()).extracting(c -> c.name() + " " + c.type()).containsExactly("a numeric", "b timestamptz",
                "c jsonb", "d boolean", "e text", "f text", "g uuid");
        TableDefinition array = sample("s.json", "[" + text.trim().replace("\n", ",") + "]", 10);
        assertThat(array.columns()).isEqualTo(t.columns());
    }

    @Test
    void identifiersAreQuotedAndBadOnesRefused() throws Exception {
        TableDefinition t = sample("q.csv", "\"we\"\"ird\",\"semi;colon); drop table x; --\",ok\n1,2,3\n", 10);
        db.execute(t.ddl());
        assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name IN "
                + "('we\"ird', 'semi;colon); drop table x; --')")).isEqualTo(2);
        db.execute("DROP TABLE t");
        assertThatThrownBy(() -> sample("dup.csv", "a,a\n1,2\n", 10)).hasMessageContaining("twice");
        assertThatThrownBy(() -> sample("blank.csv", "a,,c\n1,2,3\n", 10)).hasMessageContaining("column 2");
        assertThatThrownBy(() -> sample("long.csv", "a" + "b".repeat(63) + "\n1\n", 10)).hasMessageContaining("63 bytes");
        assertThatThrownBy(() -> new TableDefinition("public", "t", List.of(new TableDefinition.Column("a", "int; drop table x"))))
                .hasMessageContaining("is not one of");
    }
}

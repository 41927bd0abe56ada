package dev.ingest.engine.internal.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * PostgreSQL is the oracle of the binary encoders: every text an encoder takes, sent in binary
 * COPY, must be stored as PostgreSQL stores the same text cast to the column's type, under
 * session settings chosen to catch a dependence on them (a time zone with a half-hour offset,
 * day-first dates). Texts an encoder declines go as text COPY, where PostgreSQL judges them.
 */
class BinaryValuesIT {
    private static final Map<String, List<String>> CORPUS = Map.of(
            "int2", List.of("0", "-0", "1", "-1", "32767", "-32768", "32768", "-32769", "007", "+1", " 1", "1 ", "1.0", "1e3",
                    "", "-", "٣", "99999999999999999999"),
            "int4", List.of("0", "2147483647", "-2147483648", "2147483648", "-2147483649", "0x10", "1_000", "00"),
            "int8", List.of("0", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                    "-9223372036854775809", "12345678901234567890123", "42"),
            "bool", List.of("true", "false", "t", "f", "TRUE", "yes", "no", "on", "off", "1", "0", " t", "tr", ""),
            "uuid", List.of("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
                    "a0eebc999c0b4ef8bb6d6bb9bd380a11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g",
                    "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"),
            "float8", List.of("0", "-0", "-0.0", "1.5", "0.1", "1e308", "1.7976931348623157e308", "1.8e308", "1e-400", "4.9e-324",
                    "2.2250738585072014E-308", "123456789012345678901234567890", "1E5", "1e+5", "-2.5e-3", "NaN", "Infinity",
                    ".5", "1.", "1e", " 1", "0.30000000000000004", "1.00000000000000011102230246251565404236316680908203125"),
            "timestamptz", List.of("2026-03-01T12:00:00Z", "2026-03-01 12:00:00Z", "2026-03-01T12:00:00+05:30",
                    "2026-03-01T12:00:00+0530", "2026-03-01T12:00:00-03", "2026-03-01T12:00:00.1Z", "2026-03-01T12:00:00.123456Z",
                    "2026-03-01T12:00:00.1234567Z", "2026-03-01T12:00:00", "2026-02-30T00:00:00Z", "2024-02-29T23:59:59.999999+14:00",
                    "1000-01-01T00:00:00-14:00", "0999-12-31T23:59:59Z", "9999-12-31T23:59:59.999999-14", "2026-03-01T24:00:00Z",
                    "2026-12-31T23:59:60Z", "2026-03-01T12:00:00+15:00", "2026-03-01t12:00:00z", "2026-03-01T12:00:00.Z",
                    "1999-12-31T23:59:59.999999Z", "2000-01-01T00:00:00Z", "1970-01-01T00:00:00-00:30"),
            "text", List.of("", "plain", "tab\there", "line\nbreak", "back\\slash", "ünïcödé ✓ 𝄞", "\\N", "quote\"s"),
            "json", List.of("{}", "{\"a\": [1, 2.50, \"x\"]}", "  [1,2]  ", "\"s\"", "{\"a\":1,\"a\":2}"),
            "jsonb", List.of("{}", "{\"b\": 1, \"a\": [1, 2.50, \"x\"]}", "  [1,2]  ", "{\"a\":1,\"a\":2}", "1e400", "\"\\u00e9\""));

    private static TestDatabase.Database db;

    @BeforeAll
    static void create() {
        db = TestDatabase.create();
    }

    @Test
    void everyTextAnEncoderTakesIsStoredAsPostgresqlReadsTheText() throws Exception {
        List<String> disagreements = new ArrayList<>();
        int taken = 0;
        int declined = 0;
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'America/St_Johns'");
            s.execute("SET DateStyle = 'ISO, DMY'"); // pgjdbc insists on ISO output; the input order is what matters
            for (Map.Entry<String, List<String>> e : CORPUS.entrySet()) {
                String type = e.getKey();
                BinaryValues.Encoder encoder = BinaryValues.forType("pg_catalog." + type);
                assertThat(encoder).as(type).isNotNull();
                for (String text : e.getValue()) {
                    BinaryValues.Buffer value = new BinaryValues.Buffer();
                    if (!encoder.encode(text, value)) {
                        declined++;
                        continue;
                    }
                    taken++;
                    String problem = compare(c, type, text, value);
                    if (problem != null) {
                        disagreements.add(type + " " + quoted(text) + ": " + problem);
                    }
                }
            }
        }
        assertThat(disagreements).isEmpty();
        assertThat(taken).as("texts the encoders took").isGreaterThan(60);
        assertThat(declined).as("texts the encoders left to PostgreSQL's text input").isGreaterThan(40);
    }

    @Test
    void textsThatPostgresqlRefusesAreNeverTaken() {
        // Out of range, impossible dates and unparsable forms go as text, to be refused by PostgreSQL with its own SQLSTATE.
        Map<String, List<String>> refused = Map.of(
                "int2", List.of("32768", "-32769", "1.0"), "int4", List.of("2147483648"), "int8", List.of("9223372036854775808"),
                "float8", List.of("1.8e308", "1e-400"), "timestamptz", List.of("2026-02-30T00:00:00Z", "2026-03-01T12:00:00.Z"),
                "uuid", List.of("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g"), "bool", List.of("tr"));
        refused.forEach((type, texts) -> {
            for (String text : texts) {
                assertThat(BinaryValues.forType("pg_catalog." + type).encode(text, new BinaryValues.Buffer())).as(type + " " + text).isFalse();
            }
        });
    }

    /** Null when the value sent in binary is stored as PostgreSQL stores the text cast to the type; else what differs. */
    private static String compare(Connection c, String type, String text, BinaryValues.Buffer value) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE b (v " + type + ")");
        }
        try {
            BinaryValues.Buffer stream = new BinaryValues.Buffer();
            for (byte h : new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0}) {
                stream.u8(h);
            }
            stream.i32(0).i32(0).i16(1).i32(value.size());
            for (int i = 0; i < value.size(); i++) {
                stream.u8(value.array()[i]);
            }
            stream.i16(-1);
            try {
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY b (v) FROM STDIN WITH (FORMAT binary)",
                        new ByteArrayInputStream(stream.array(), 0, stream.size()));
            } catch (Exception e) {
                return "binary COPY refused: " + e.getMessage();
            }
            // json has no equality operator: its stored text is the whole comparison
            String same = type.equals("json") ? "true" : "v IS NOT DISTINCT FROM ?::" + type;
            try (PreparedStatement q = c.prepareStatement("SELECT v::text, (?::" + type + ")::text, " + same + " FROM b")) {
                q.setString(1, text);
                if (!type.equals("json")) {
                    q.setString(2, text);
                }
                ResultSet rs;
                try {
                    rs = q.executeQuery();
                } catch (SQLException e) {
                    return "PostgreSQL refuses the text (" + e.getSQLState() + ") but the encoder took it";
                }
                rs.next();
                String stored = rs.getString(1);
                String cast = rs.getString(2);
                return stored.equals(cast) && rs.getBoolean(3) ? null : "stored " + stored + ", PostgreSQL reads " + cast;
            }
        } finally {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE b");
            }
        }
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }
}

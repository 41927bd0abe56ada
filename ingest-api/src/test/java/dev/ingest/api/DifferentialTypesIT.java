package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingest.engine.WriterMode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The differential type suite: every literal of {@code differential/corpus.txt} is sent through
 * the service, in every form that applies and every writer mode, and the outcome is compared with
 * what PostgreSQL itself does with the same text on the same database: accepted exactly when
 * PostgreSQL accepts, the same {@code v::text} stored, the same SQLSTATE when refused.
 *
 * <p>The oracles, per form: the literal's text inserted into a one-column table of the type
 * (assignment semantics, as the rule states the text of a JSON string or number); COPY ... CSV of
 * the same cell for CSV; {@code json_populate_record} of the same document for JSON values. The
 * documented exceptions of the README are the expected outcomes where they apply: a JSON object or
 * array into a scalar column is refused 42804; a json/jsonb column is given the value's exact JSON
 * text. All disagreements are collected and reported once, with their count per type.
 */
@Timeout(900)
class DifferentialTypesIT {
    private static final Logger log = LoggerFactory.getLogger(DifferentialTypesIT.class);
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** How a literal travels in a request body. */
    enum Form {
        JSON_STRING, JSON_VALUE, NDJSON_STRING, NDJSON_VALUE, CSV;

        boolean json() {
            return this != CSV;
        }

        boolean value() {
            return this == JSON_VALUE || this == NDJSON_VALUE;
        }
    }

    /** One corpus line. {@code deferred} forms disagree in an area owned elsewhere in issue 12. */
    record Case(int line, String type, String literal, Set<Form> deferred, Set<String> deferredModes, String area) {
        boolean deferred(Form form, String mode) {
            return deferred.contains(form) && (deferredModes.isEmpty() || deferredModes.contains(mode));
        }

        String describe() {
            return "type " + type + ", literal " + escape(literal) + " (corpus line " + line + ")";
        }
    }

    /**
     * What became of one value: stored as {@code text}, or refused with {@code sqlstate};
     * {@code detail} (the service's message) is shown, never compared.
     */
    record Outcome(boolean accepted, String text, String sqlstate, String detail) {
        static Outcome stored(String text) {
            return new Outcome(true, text, null, null);
        }

        static Outcome refused(String sqlstate) {
            return new Outcome(false, null, sqlstate, null);
        }

        static Outcome refused(String sqlstate, String detail) {
            return new Outcome(false, null, sqlstate, detail);
        }

        boolean agrees(Outcome o) {
            return accepted == o.accepted && (accepted ? Objects.equals(text, o.text) : sqlstate.equals(o.sqlstate));
        }

        @Override
        public String toString() {
            return accepted ? "stored " + (text == null ? "NULL" : escape(text))
                    : "refused " + sqlstate + (detail == null ? "" : " (" + detail + ")");
        }
    }

    @Test
    void theServiceStoresAndRefusesExactlyAsPostgresqlDoes() throws Exception {
        List<Case> corpus = corpus();
        List<String> types = corpus.stream().map(Case::type).distinct().toList();
        String[] ddl = ddl(types);
        List<String> disagreements = new ArrayList<>();
        List<String> deferred = new ArrayList<>();
        Map<String, Integer> perType = new TreeMap<>();
        Map<String, Integer> sent = new TreeMap<>();
        for (String mode : List.of("values", "unnest", "copy", "copy_binary")) {
            try (ServiceFixture f = ServiceFixture.start(
                    c -> c.withEngine(c.engine().toBuilder().writerMode(WriterMode.parse(mode)).build()), ddl);
                    Connection oracle = f.db.connect()) {
                oracle.setAutoCommit(false);
                for (int k = 0; k < types.size(); k++) {
                    String type = types.get(k);
                    List<Case> cases = corpus.stream().filter(c -> c.type().equals(type)).toList();
                    for (Form form : Form.values()) {
                        List<Case> applicable = cases.stream().filter(c -> applies(c, form)).toList();
                        if (applicable.isEmpty()) {
                            continue;
                        }
                        List<Outcome> got = send(f, k, applicable, form);
                        for (int i = 0; i < applicable.size(); i++) {
                            Case c = applicable.get(i);
                            Outcome expected = expected(oracle, k, c, form);
                            sent.merge(type, 1, Integer::sum);
                            if (!expected.agrees(got.get(i))) {
                                String line = c.describe() + ", form " + form + ", writer mode " + mode
                                        + ": PostgreSQL " + expected + ", service " + got.get(i);
                                if (c.deferred(form, mode)) {
                                    deferred.add(line + " [deferred: " + c.area() + "]");
                                } else {
                                    disagreements.add(line);
                                    perType.merge(type, 1, Integer::sum);
                                }
                            }
                        }
                    }
                }
            }
        }
        Map<String, Long> corpusSize = new LinkedHashMap<>();
        types.forEach(t -> corpusSize.put(t, corpus.stream().filter(c -> c.type().equals(t)).count()));
        // The figures go to the test log (target/tests.log), not to what `mvn verify` prints.
        log.info("differential corpus: {} literals, per type {}", corpus.size(), corpusSize);
        log.info("differential comparisons per type (all forms and modes): {}", sent);
        log.info("differential deferred disagreements ({}):\n  {}", deferred.size(), String.join("\n  ", deferred));
        log.info("differential disagreements per type: {}", perType);
        assertThat(disagreements)
                .as("%d disagreements with PostgreSQL (per type %s):%n  %s", disagreements.size(), perType,
                        String.join("\n  ", disagreements))
                .isEmpty();
    }

    // ---- the corpus

    private static List<Case> corpus() throws Exception {
        List<Case> cases = new ArrayList<>();
        try (var in = DifferentialTypesIT.class.getResourceAsStream("/differential/corpus.txt");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, UTF_8))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split("\t", -1);
                if (fields.length < 2) {
                    throw new IllegalArgumentException("corpus line " + n + ": expected <type> TAB <literal>: " + line);
                }
                Set<Form> deferred = EnumSet.noneOf(Form.class);
                Set<String> modes = Set.of();
                String area = null;
                if (fields.length > 2 && fields[2].startsWith("defer=")) {
                    String[] tag = fields[2].substring("defer=".length()).split(":", 2);
                    String[] formsAndModes = tag[0].split("@", 2);
                    deferred = forms(formsAndModes[0]);
                    modes = formsAndModes.length > 1 ? Set.of(formsAndModes[1].split(",")) : Set.of();
                    area = tag.length > 1 ? tag[1] : "unnamed";
                }
                cases.add(new Case(n, fields[0], unescape(fields[1]), deferred, modes, area));
            }
        }
        return cases;
    }

    private static Set<Form> forms(String spec) {
        Set<Form> forms = EnumSet.noneOf(Form.class);
        for (Form f : Form.values()) {
            boolean in = switch (spec) {
                case "all" -> true;
                case "json" -> f.json();
                case "value" -> f.value();
                case "string" -> f == Form.JSON_STRING || f == Form.NDJSON_STRING;
                case "csv" -> f == Form.CSV;
                default -> throw new IllegalArgumentException("unknown defer forms: " + spec);
            };
            if (in) {
                forms.add(f);
            }
        }
        return forms;
    }

    static String unescape(String s) {
        if (s.equals("<empty>")) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case '\\' -> out.append('\\');
                case 't' -> out.append('\t');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 'x' -> {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                case 'u' -> {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + e + " in " + s);
            }
        }
        return out.toString();
    }

    /** The corpus notation of a text, for messages. */
    static String escape(String s) {
        if (s.isEmpty()) {
            return "<empty>";
        }
        if (s.length() > 80) {
            return escape(s.substring(0, 60)) + "... (" + s.length() + " chars)";
        }
        StringBuilder out = new StringBuilder("'");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('\'').toString();
    }

    private static String[] ddl(List<String> types) {
        List<String> ddl = new ArrayList<>(List.of(
                "CREATE TYPE mood AS ENUM ('happy', 'sad', 'ok')",
                "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)"));
        for (int k = 0; k < types.size(); k++) {
            ddl.add("CREATE TABLE t" + k + " (id integer PRIMARY KEY, v " + types.get(k) + ")");
            ddl.add("CREATE TABLE o" + k + " (id integer, v " + types.get(k) + ")");
        }
        return ddl.toArray(String[]::new);
    }

    // ---- forms and requests

    /** The JSON value of a literal in a value form, or null when it is not one JSON value. */
    private static JsonNode jsonValue(String literal) {
        try {
            JsonNode node = STRICT.readTree(literal);
            return node == null || node.isMissingNode() ? null : node;
        } catch (Exception e) {
            return null;
        }
    }

    private static boolean applies(Case c, Form form) {
        return !form.value() || jsonValue(c.literal()) != null;
    }

    /** The literal as it is written into a body in {@code form}. */
    private static String written(Case c, Form form) {
        return switch (form) {
            case JSON_STRING, NDJSON_STRING -> jsonString(c.literal());
            case JSON_VALUE, NDJSON_VALUE -> jsonText(c.literal());
            case CSV -> '"' + c.literal().replace("\"", "\"\"") + '"';
        };
    }

    /** The literal without the JSON whitespace around it: the exact text of its JSON value. */
    private static String jsonText(String literal) {
        int from = 0;
        int to = literal.length();
        while (from < to && " \t\r\n".indexOf(literal.charAt(from)) >= 0) {
            from++;
        }
        while (to > from && " \t\r\n".indexOf(literal.charAt(to - 1)) >= 0) {
            to--;
        }
        return literal.substring(from, to);
    }

    static String jsonString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** Sends one request with a record per case (id = its position) and reads back what became of each. */
    private static List<Outcome> send(ServiceFixture f, int k, List<Case> cases, Form form) throws Exception {
        f.db.execute("TRUNCATE t" + k);
        StringBuilder body = new StringBuilder();
        String contentType;
        if (form == Form.CSV) {
            contentType = "text/csv";
            body.append("id,v\n");
            for (int i = 0; i < cases.size(); i++) {
                body.append(i).append(',').append(written(cases.get(i), form)).append('\n');
            }
        } else if (form == Form.JSON_STRING || form == Form.JSON_VALUE) {
            contentType = "application/json";
            body.append('[');
            for (int i = 0; i < cases.size(); i++) {
                body.append(i == 0 ? "" : ",\n").append("{\"id\":").append(i).append(",\"v\":").append(written(cases.get(i), form)).append('}');
            }
            body.append(']');
        } else {
            contentType = "application/x-ndjson";
            for (int i = 0; i < cases.size(); i++) {
                body.append("{\"id\":").append(i).append(",\"v\":").append(written(cases.get(i), form)).append("}\n");
            }
        }
        HttpResponse<String> r = f.post("/v1/tables/t" + k + "/records", contentType, body.toString().getBytes(UTF_8));
        List<Outcome> got = new ArrayList<>();
        if (r.statusCode() != 200 && r.statusCode() != 422) {
            for (int i = 0; i < cases.size(); i++) {
                got.add(Outcome.refused("HTTP " + r.statusCode(), r.body()));
            }
            return got;
        }
        Map<Integer, String> refused = new HashMap<>();
        JsonArray rejected = new JsonObject(r.body()).getJsonArray("rejected", new JsonArray());
        for (int i = 0; i < rejected.size(); i++) {
            JsonObject rej = rejected.getJsonObject(i);
            refused.put(rej.getInteger("index"), rej.getString("sqlstate") + " " + rej.getString("message"));
        }
        Map<Integer, String> stored = new HashMap<>();
        Set<Integer> present = new HashSet<>();
        for (List<String> row : f.rows("SELECT id, v::text FROM t" + k)) {
            present.add(Integer.parseInt(row.get(0)));
            stored.put(Integer.parseInt(row.get(0)), row.get(1));
        }
        for (int i = 0; i < cases.size(); i++) {
            if (refused.containsKey(i) && present.contains(i)) {
                got.add(Outcome.refused("BOTH stored and refused", refused.get(i)));
            } else if (refused.containsKey(i)) {
                String s = refused.get(i);
                got.add(Outcome.refused(s.substring(0, s.indexOf(' ')), s.substring(s.indexOf(' ') + 1)));
            } else if (present.contains(i)) {
                got.add(Outcome.stored(stored.get(i)));
            } else {
                got.add(Outcome.refused("LOST", "neither stored nor refused"));
            }
        }
        return got;
    }

    // ---- the oracles

    private static Outcome expected(Connection oracle, int k, Case c, Form form) throws SQLException {
        String type = c.type();
        boolean jsonColumn = type.equals("json") || type.equals("jsonb");
        boolean arrayColumn = type.endsWith("]");
        if (form == Form.CSV) {
            return copyCsv(oracle, k, written(c, form));
        }
        if (form == Form.JSON_STRING || form == Form.NDJSON_STRING) {
            // A JSON string is its decoded content; into a json column, its exact JSON text.
            return jsonColumn ? insertText(oracle, k, written(c, form)) : populate(oracle, k, written(c, form));
        }
        JsonNode value = jsonValue(c.literal());
        if (value.isNull()) {
            return Outcome.stored(null);
        }
        if (jsonColumn) {
            return insertText(oracle, k, jsonText(c.literal()));
        }
        if (value.isObject() || (value.isArray() && !arrayColumn)) {
            return Outcome.refused("42804"); // documented: no JSON object/array into a scalar column
        }
        return populate(oracle, k, jsonText(c.literal()));
    }

    /** INSERT of the text as an untyped literal: assignment semantics, typmods applied. */
    private static Outcome insertText(Connection c, int k, String text) throws SQLException {
        if (text.indexOf('\0') >= 0) {
            // No SQL parameter can carry U+0000; COPY shows what PostgreSQL says of such input.
            return copyCsv(c, k, '"' + text.replace("\"", "\"\"") + '"');
        }
        return attempt(c, k, () -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO o" + k + " (id, v) VALUES (0, ?) RETURNING v::text")) {
                ps.setObject(1, text, Types.OTHER);
                return first(ps);
            }
        });
    }

    private static Outcome populate(Connection c, int k, String jsonValue) throws SQLException {
        return attempt(c, k, () -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO o" + k + " SELECT * FROM json_populate_record(null::o" + k + ", ?::json) RETURNING v::text")) {
                ps.setString(1, "{\"id\":0,\"v\":" + jsonValue + "}");
                return first(ps);
            }
        });
    }

    private static Outcome copyCsv(Connection c, int k, String cell) throws SQLException {
        return attempt(c, k, () -> {
            byte[] bytes = ("0," + cell + "\n").getBytes(UTF_8);
            try {
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY o" + k + " (id, v) FROM STDIN (FORMAT csv)",
                        new ByteArrayInputStream(bytes));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v::text FROM o" + k)) {
                rs.next();
                return rs.getString(1);
            }
        });
    }

    private static String first(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    private interface Probe {
        String run() throws SQLException;
    }

    /** Runs one probe under a savepoint and rolls it back: the oracle tables stay empty. */
    private static Outcome attempt(Connection c, int k, Probe probe) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try {
            return Outcome.stored(probe.run());
        } catch (SQLException e) {
            return Outcome.refused(e.getSQLState());
        } finally {
            c.rollback(sp);
        }
    }
}

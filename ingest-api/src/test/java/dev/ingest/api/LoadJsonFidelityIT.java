package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.ClientConfig;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.load.Loader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ingest load} of a JSON file stores and refuses exactly what a POST of the same file
 * does. The service is the reference here (JsonFidelityIT checks it against PostgreSQL): the same
 * file goes to one table by a direct POST and to an identical one by the loader, in small chunks,
 * and the two tables and the two sets of refusals must be equal.
 */
@Timeout(300)
class LoadJsonFidelityIT {
    private static final String COLUMNS = "(k text, c text, f float8, i integer, n numeric, a text[], j json, b jsonb)";
    private static final String ROWS = "SELECT k, c, f::text, i::text, n::text, a::text, j::text, b::text FROM %s ORDER BY k";
    private static final Pattern KEY = Pattern.compile("\"k\"\\s*:\\s*\"(case-\\d+)\"");
    private static ServiceFixture f;
    private Path dir;

    /** One record's value: the column, and the bytes of the JSON value as they appear in the file. */
    private record Case(String column, byte[] value) {
    }

    @BeforeAll
    static void start() throws Exception {
        f = ServiceFixture.start("CREATE TABLE posted " + COLUMNS, "CREATE TABLE loaded " + COLUMNS);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @BeforeEach
    void clean() throws Exception {
        f.db.execute("TRUNCATE posted, loaded");
        dir = Files.createTempDirectory("ingest-load-json");
    }

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        String[] invalid = {"c0af", "e080af", "eda080", "edb080", "eda0bdedb880", "f4908080", "f5808080", "ff", "e282", "80", "f09f98"};
        for (String hex : invalid) {
            for (String column : new String[] {"c", "j", "b"}) {
                cases.add(new Case(column, bytes("\"a", HexFormat.of().parseHex(hex), "b\"")));
            }
            cases.add(new Case("j", bytes("{\"x\": \"a", HexFormat.of().parseHex(hex), "b\"}")));
            cases.add(new Case("a", bytes("[\"a", HexFormat.of().parseHex(hex), "b\"]")));
        }
        String[] escapes = {"\"a\\ud800b\"", "\"a\\udc00b\"", "\"a\\ud800\\ud800b\"", "\"a\\ud800\"", "\"\\ud83d\\ude00\"",
            "\"a\\u0000b\"", "\"\\u00e9\"", "\"\\u00E9\"", "\"é😀\"", "\"a\\/b\"", "\"q\\\"\\\\\\b\\f\\n\\r\\t\"", "\"\""};
        for (String e : escapes) {
            for (String column : new String[] {"c", "j", "b"}) {
                cases.add(new Case(column, bytes(e)));
            }
            cases.add(new Case("a", bytes("[" + e + "]")));
        }
        cases.add(new Case("j", bytes("{\"x\": \"\\u00e9\", \"y\": \"\\ud800\"}")));
        cases.add(new Case("j", bytes("{ \"x\" :  1 ,\t\"x\": [ 1.50 , -0 ] }"))); // json keeps spacing and both keys
        cases.add(new Case("b", bytes("{\"x\": \"\\u00e9\", \"x\": 1}")));
        for (String number : new String[] {"-0", "-0.0", "-0e0", "0", "1.50", "-12", "1.0E+2", "1e3", "1E-7",
            "12345678901234567890", "1.10000000000000000001", "123456789012345678901234567890.5"}) {
            for (String column : new String[] {"f", "c", "n", "j", "b"}) {
                cases.add(new Case(column, bytes(number)));
            }
        }
        for (String number : new String[] {"-0", "0", "-12", "12345678901234567890"}) {
            cases.add(new Case("i", bytes(number)));
        }
        cases.add(new Case("a", bytes("[-0, 1.0E+2, 1e3]")));
        cases.add(new Case("c", bytes("true")));
        cases.add(new Case("j", bytes("false")));
        cases.add(new Case("b", bytes("null")));
        return cases;
    }

    /**
     * The cases as a JSON array file: every third element pretty-printed over several lines, the
     * others on one line each, so that small chunks cut between elements of both shapes.
     */
    private static byte[] file(List<Case> cases) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes("[\n"));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            String key = "\"k\": \"case-" + String.format("%03d", i) + "\"";
            if (i % 3 == 0) {
                out.writeBytes(bytes("  {\n    " + key + ",\n    \"" + c.column() + "\":\n      ", c.value(), "\n  }"));
            } else {
                out.writeBytes(bytes("  {" + key + ", \"" + c.column() + "\": ", c.value(), "}"));
            }
            out.writeBytes(bytes(i + 1 < cases.size() ? ",\n" : "\n"));
        }
        out.writeBytes(bytes("]\n"));
        return out.toByteArray();
    }

    private int load(Path file, Path rejects, ByteArrayOutputStream err) {
        ClientConfig client = ConfigResolver.client(f.uri("").toString(), null, Map.of());
        Loader.Options options = new Loader.Options(client, "loaded", null, 2, 1024, false, rejects, -1,
                dir.resolve("state"), null, "", Duration.ofSeconds(60), false, Loader.TableCreation.NONE, 0);
        Loader loader = new Loader(options, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                InputStream.nullInputStream(), new PrintStream(new ByteArrayOutputStream(), true, UTF_8),
                new PrintStream(err, true, UTF_8), System::nanoTime);
        return loader.run(List.of(file.toString()));
    }

    @Test
    void aLoadedJsonFileStoresAndRefusesExactlyWhatThePostedFileDoes() throws Exception {
        List<Case> cases = cases();
        byte[] body = file(cases);
        Path file = dir.resolve("cases.json");
        Files.write(file, body);

        HttpResponse<String> r = f.post("/v1/tables/posted/records", "application/json", body);
        assertThat(r.statusCode()).as(r.body()).isIn(200, 422);
        Map<String, String> postedRefusals = new TreeMap<>();
        JsonArray rejected = ServiceFixture.json(r).getJsonArray("rejected");
        for (int i = 0; i < rejected.size(); i++) {
            JsonObject one = rejected.getJsonObject(i);
            postedRefusals.put("case-" + String.format("%03d", one.getInteger("index")), one.getString("sqlstate"));
        }

        Path rejects = dir.resolve("rejects.ndjson");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(load(file, rejects, err)).as(err.toString(UTF_8)).isEqualTo(Loader.REJECTED);
        Map<String, String> loadedRefusals = new TreeMap<>();
        Map<String, Long> refusedLines = new TreeMap<>();
        for (String line : Files.readAllLines(rejects, UTF_8)) {
            JsonObject one = new JsonObject(line);
            Matcher m = KEY.matcher(one.getString("record"));
            assertThat(m.find()).as(line).isTrue();
            loadedRefusals.put(m.group(1), one.getString("sqlstate"));
            refusedLines.put(m.group(1), one.getLong("line"));
        }

        assertThat(postedRefusals).as("the POST refuses some, for the comparison to mean something").hasSizeGreaterThan(40);
        assertThat(loadedRefusals).isEqualTo(postedRefusals);
        List<List<String>> posted = f.rows(String.format(ROWS, "posted"));
        assertThat(posted.size() + postedRefusals.size()).isEqualTo(cases.size());
        assertThat(f.rows(String.format(ROWS, "loaded"))).containsExactlyElementsOf(posted);
        // Each refusal names the line its element starts on in the file.
        String text = new String(body, UTF_8);
        refusedLines.forEach((key, line) -> assertThat(lineOf(text, "\"k\": \"" + key + "\"") - (Integer.parseInt(key.substring(5)) % 3 == 0 ? 1 : 0))
                .as(key).isEqualTo(line));
    }

    @Test
    void aJsonValueSpreadOverLinesKeepsItsTextWithSpacesForTheLineBreaks() throws Exception {
        // The documented exception: a loaded JSON file is sent one element per NDJSON line, so line
        // breaks inside an element become spaces, which a json column keeps (jsonb drops them).
        byte[] body = bytes("[{\"k\": \"case-000\", \"j\": {\n  \"x\": \"\\u00e9\",\r\n  \"y\": [1,\n 2]\n}, \"b\": {\n\"x\": -0}}]");
        Path file = dir.resolve("spread.json");
        Files.write(file, body);
        HttpResponse<String> r = f.post("/v1/tables/posted/records", "application/json", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(load(file, dir.resolve("rejects.ndjson"), err)).as(err.toString(UTF_8)).isEqualTo(Loader.OK);
        List<String> posted = f.rows("SELECT j::text, b::text FROM posted").get(0);
        assertThat(posted.get(0)).isEqualTo("{\n  \"x\": \"\\u00e9\",\r\n  \"y\": [1,\n 2]\n}");
        assertThat(f.rows("SELECT j::text, b::text FROM loaded")).containsExactly(List.of(posted.get(0).replace('\n', ' '), posted.get(1)));
    }

    private static long lineOf(String text, String needle) {
        int at = text.indexOf(needle);
        return text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            out.writeBytes(p instanceof byte[] b ? b : ((String) p).getBytes(UTF_8));
        }
        return out.toByteArray();
    }
}

package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP edges, spoken over raw sockets: refusals before the body, malformed framing and content
 * encodings, truncated streams, pipelining and half-closed connections. Each gets a JSON answer
 * (never a silent drop), then the server closes the connection where it said it would; and the
 * table holds exactly what the answers say was committed.
 */
@Timeout(120)
class HttpEdgesIT {
    private static final long MAX_BODY = 1024 * 1024;
    /** How long a connection the server should close may stay open (a deadline, not a measurement). */
    private static final int CLOSE_DEADLINE_MILLIS = 20_000;
    private static ServiceFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = ServiceFixture.start(c -> c.withMaxBodyBytes(MAX_BODY), "CREATE TABLE t (v int)");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            assertThat(ServiceFixture.json(f.get("/v1/stats")).getLong("budget_used_bytes")).isZero();
        } finally {
            f.close();
        }
    }

    @BeforeEach
    void clean() {
        f.db.execute("TRUNCATE t");
    }

    // --- 7: an early refusal closes the connection while the client keeps sending ---

    static Stream<Arguments> earlyRefusals() throws IOException {
        return Stream.of(
                Arguments.of("415 unsupported media type", "/v1/tables/t/records", "text/plain", null, 415, "unsupported_media_type"),
                Arguments.of("404 unknown table", "/v1/tables/nope/records", "application/x-ndjson", null, 404, "unknown_table"),
                Arguments.of("400 bad parameter", "/v1/tables/t/records?ack=never", "application/x-ndjson", null, 400, "unsupported_parameter"),
                Arguments.of("413 declared length", "/v1/tables/t/records", "application/x-ndjson", null, 413, "payload_too_large"),
                Arguments.of("413 gzip bomb", "/v1/tables/t/records", "application/x-ndjson", "gzip", 413, "payload_too_large"),
                Arguments.of("413 JSON gzip bomb", "/v1/tables/t/records", "application/json", "gzip", 413, "payload_too_large"),
                Arguments.of("404 unknown route", "/v2/elsewhere", "application/json", null, 404, "not_found"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("earlyRefusals")
    void anEarlyRefusalClosesTheConnectionWhileTheClientKeepsSending(String name, String path, String type, String encoding,
            int status, String error) throws Exception {
        // Under the body limit (but more than a socket buffer holds), unless the test is about the limit.
        byte[] body = encoding == null ? ndjson(0, 70_000) : bomb(type.equals("application/json"));
        long declared = name.contains("declared") ? 10 * MAX_BODY : body.length;
        try (RawClient c = new RawClient()) {
            c.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + type + "\r\n"
                    + (encoding == null ? "" : "Content-Encoding: " + encoding + "\r\n")
                    + "Content-Length: " + declared + "\r\n\r\n");
            Thread sender = c.sendInBackground(body, declared);
            Answer a = c.answer();
            assertThat(a.status).as(a.body).isEqualTo(status);
            assertThat(a.json().getString("error")).isEqualTo(error);
            assertThat(a.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).as("the server closed the connection").isTrue();
            sender.join(CLOSE_DEADLINE_MILLIS);
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
    }

    @Test
    void refusalsByAuthenticationCloseTheConnectionWhileTheClientKeepsSending() throws Exception {
        try (ServiceFixture auth = ServiceFixture.start("CREATE TABLE t (v int)", "CREATE TABLE u (v int)")) {
            String token = AuthIT.ingest("keys", "create", "--name", "edges", "--tables", "t", "--database-url", auth.db.url());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (auth.postJson("t", "{}").statusCode() != 401) { // the service reads new keys every 2 s
                assertThat(System.nanoTime()).isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            long before = auth.db.queryLong("SELECT count(*) FROM t"); // posted while waiting for authentication to turn on
            byte[] body = ndjson(0, 70_000);
            for (String[] k : new String[][] {{"t", "", "401", "unauthorized"}, {"u", "Authorization: Bearer " + token + "\r\n", "403", "forbidden"}}) {
                try (RawClient c = new RawClient(auth.service.port())) {
                    c.send("POST /v1/tables/" + k[0] + "/records HTTP/1.1\r\nHost: x\r\n" + k[1]
                            + "Content-Type: application/x-ndjson\r\nContent-Length: " + body.length + "\r\n\r\n");
                    c.sendInBackground(body, body.length);
                    Answer a = c.answer();
                    assertThat(a.status).as(a.body).isEqualTo(Integer.parseInt(k[2]));
                    assertThat(a.json().getString("error")).isEqualTo(k[3]);
                    assertThat(a.header("connection")).isEqualTo("close");
                    assertThat(c.closedByServer()).isTrue();
                }
            }
            assertThat(auth.db.queryLong("SELECT count(*) FROM t")).isEqualTo(before);
            assertThat(auth.db.queryLong("SELECT count(*) FROM u")).isZero();
        }
    }

    // --- 12: malformed framing and content encodings get 400 (505 for an unknown version) ---

    static Stream<Arguments> malformedChunks() {
        return Stream.of(
                Arguments.of("non-hex size", "zz\r\n{\"v\": 1}\n\r\n0\r\n\r\n"),
                Arguments.of("negative size", "-9\r\n{\"v\": 1}\n\r\n0\r\n\r\n"),
                Arguments.of("2^64 size", "10000000000000000\r\n{\"v\": 1}\n\r\n0\r\n\r\n"),
                Arguments.of("missing CRLF after the data", "9\r\n{\"v\": 1}\nXY0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedChunks")
    void malformedChunkedEncodingIsAnswered400AndClosed(String name, String chunks) throws Exception {
        for (String type : new String[] {"application/x-ndjson", "application/json"}) {
            try (RawClient c = new RawClient()) {
                c.send("POST /v1/tables/t/records HTTP/1.1\r\nHost: x\r\nContent-Type: " + type
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks);
                Answer a = c.answer();
                assertThat(a.status).as(type + ": " + a.body).isEqualTo(400);
                assertThat(a.json().getString("error")).isEqualTo("malformed_request");
                assertThat(a.json().getString("message")).containsIgnoringCase("chunk");
                assertThat(c.closedByServer()).isTrue();
            }
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.2", "HTTP/2.0", "HTTP/3.0"})
    void anUnknownHttpVersionIsAnswered505AndClosed(String version) throws Exception {
        try (RawClient c = new RawClient()) {
            c.send("POST /v1/tables/t/records " + version + "\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 8\r\n\r\n{\"v\": 1}");
            Answer a = c.answer();
            assertThat(a.statusLine).startsWith("HTTP/1.1 505");
            assertThat(a.json().getString("error")).isEqualTo("http_version_not_supported");
            assertThat(a.json().getString("message")).contains(version).contains("HTTP/1.1");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
    }

    static Stream<Arguments> corruptGzip() throws IOException {
        byte[] good = gzip(ndjson(0, 100));
        byte[] badCrc = good.clone();
        badCrc[badCrc.length - 8] ^= 0x55; // the CRC-32 of the trailer
        byte[] badSize = good.clone();
        badSize[badSize.length - 1] ^= 0x01; // ISIZE
        byte[] badData = good.clone();
        for (int i = 12; i < 40; i++) {
            badData[i] = (byte) 0xff; // the deflate blocks
        }
        return Stream.of(
                Arguments.of("not gzip at all", ndjson(0, 100)),
                Arguments.of("a wrong CRC", badCrc),
                Arguments.of("a wrong length", badSize),
                Arguments.of("corrupted deflate data", badData));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptGzip")
    void aCorruptGzipBodyIsAnswered400AndClosed(String name, byte[] body) throws Exception {
        for (String type : new String[] {"application/x-ndjson", "application/json"}) {
            byte[] sent = type.equals("application/json") && name.equals("not gzip at all") ? "[{\"v\": 1}]".getBytes(UTF_8) : body;
            try (RawClient c = new RawClient()) {
                c.post(type, "gzip", sent);
                Answer a = c.answer();
                assertThat(a.status).as(type + ": " + a.body).isEqualTo(400);
                assertThat(a.json().getString("error")).isEqualTo("malformed_content_encoding");
                assertThat(a.json().getString("message")).contains("gzip");
                assertThat(c.closedByServer()).isTrue();
            }
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
    }

    // --- 13: unsupported content encodings get 415; deflate is supported ---

    @ParameterizedTest
    @ValueSource(strings = {"br", "zstd", "gzip, gzip", "compress", "gzip, br", "x-unknown"})
    void anUnsupportedContentEncodingIsAnswered415(String encoding) throws Exception {
        try (RawClient c = new RawClient()) {
            c.post("application/x-ndjson", encoding, gzip(gzip(ndjson(0, 10))));
            Answer a = c.answer();
            assertThat(a.status).as(a.body).isEqualTo(415);
            assertThat(a.json().getString("error")).isEqualTo("unsupported_content_encoding");
            assertThat(a.json().getString("message")).contains(encoding).contains("gzip").contains("deflate").contains("identity");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/x-ndjson", "application/json", "text/csv"})
    void deflateAndIdentityAndGzipBodiesAreTakenWhole(String type) throws Exception {
        byte[] plain = switch (type) {
            case "application/json" -> "[{\"v\": 1}, {\"v\": 2}, {\"v\": 3}]".getBytes(UTF_8);
            case "text/csv" -> "v\n1\n2\n3\n".getBytes(UTF_8);
            default -> ndjson(1, 3);
        };
        ByteArrayOutputStream zlib = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(zlib)) {
            out.write(plain);
        }
        ByteArrayOutputStream raw = new ByteArrayOutputStream(); // what some clients send as "deflate"
        try (DeflaterOutputStream out = new DeflaterOutputStream(raw, new Deflater(Deflater.DEFAULT_COMPRESSION, true))) {
            out.write(plain);
        }
        Object[][] cases = {{"deflate", zlib.toByteArray()}, {"deflate", raw.toByteArray()}, {"identity", plain},
                {"gzip", gzip(plain)}, {"GZIP", gzip(plain)}, {"x-gzip", gzip(plain)}};
        for (Object[] k : cases) {
            f.db.execute("TRUNCATE t");
            try (RawClient c = new RawClient()) {
                c.post(type, (String) k[0], (byte[]) k[1]);
                Answer a = c.answer();
                assertThat(a.status).as(k[0] + ": " + a.body).isEqualTo(200);
                assertThat(a.json().getLong("accepted")).isEqualTo(3);
            }
            assertThat(f.rows("SELECT v FROM t ORDER BY v")).as((String) k[0]).containsExactly(List.of("1"), List.of("2"), List.of("3"));
        }
    }

    // --- 14: a truncated stream says so and how much of it was committed ---

    @ParameterizedTest
    @ValueSource(strings = {"application/x-ndjson", "text/csv"})
    void aTruncatedGzipStreamSaysHowManyRecordsWereCommitted(String type) throws Exception {
        int n = 20_000;
        byte[] plain = type.equals("text/csv") ? csv(n) : ndjson(0, n);
        byte[] whole = gzip(plain);
        byte[] cut = Arrays.copyOf(whole, whole.length * 3 / 4);
        try (RawClient c = new RawClient()) {
            c.post(type, "gzip", cut);
            Answer a = c.answer();
            assertThat(a.status).as(a.body).isEqualTo(400);
            JsonObject json = a.json();
            assertThat(json.getString("error")).isEqualTo("truncated_body");
            long committed = json.getLong("records_committed");
            assertThat(committed).isPositive().isLessThan(n);
            assertThat(json.getLong("accepted")).isEqualTo(committed);
            assertThat(json.getString("message")).contains("gzip").contains(committed + " records");
            assertThat(c.closedByServer()).isTrue();
            // Exactly the first records, each once.
            assertThat(f.db.queryLong("SELECT count(*) FROM t")).isEqualTo(committed);
            assertThat(f.db.queryLong("SELECT count(DISTINCT v) FROM t")).isEqualTo(committed);
            assertThat(f.db.queryLong("SELECT coalesce(max(v), -1) FROM t")).isEqualTo(committed - 1);
        }
    }

    @Test
    void aTruncatedGzipJsonBodyWritesNothing() throws Exception {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 5000; i++) {
            json.append(i == 0 ? "" : ",").append("{\"v\": ").append(i).append('}');
        }
        byte[] whole = gzip(json.append(']').toString().getBytes(UTF_8));
        try (RawClient c = new RawClient()) {
            c.post("application/json", "gzip", Arrays.copyOf(whole, whole.length - 20));
            Answer a = c.answer();
            assertThat(a.status).as(a.body).isEqualTo(400);
            assertThat(a.json().getString("error")).isEqualTo("truncated_body");
            assertThat(a.json().getLong("records_committed")).isZero();
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
    }

    // --- 15: pipelining after a refusal; a client that half-closes ---

    @Test
    void aRequestPipelinedAfterARefusalIsNotProcessedAndTheConnectionCloses() throws Exception {
        try (RawClient c = new RawClient()) {
            byte[] record = "{\"v\": 7}\n".getBytes(UTF_8);
            c.send("POST /v1/tables/nope/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: "
                    + record.length + "\r\n\r\n{\"v\": 7}\n"
                    + "POST /v1/tables/t/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: "
                    + record.length + "\r\n\r\n{\"v\": 7}\n");
            Answer a = c.answer();
            assertThat(a.status).isEqualTo(404);
            assertThat(a.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).as("closed after the refusal, with no second answer").isTrue();
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawClient c = new RawClient()) {
            String one = "POST /v1/tables/t/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: 9\r\n\r\n";
            c.send(one + "{\"v\": 1}\n" + one + "{\"v\": 2}\n" + one.replace("HTTP/1.1\r\n", "HTTP/1.1\r\nConnection: close\r\n") + "{\"v\": 3}\n");
            for (int i = 0; i < 3; i++) {
                Answer a = c.answer();
                assertThat(a.status).as(a.body).isEqualTo(200);
                assertThat(a.json().getLong("accepted")).isEqualTo(1);
            }
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(f.rows("SELECT v FROM t ORDER BY v")).containsExactly(List.of("1"), List.of("2"), List.of("3"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/x-ndjson", "application/json"})
    void aClientThatHalfClosesAfterItsRequestGetsTheAnswer(String type) throws Exception {
        try (RawClient c = new RawClient()) {
            byte[] body = type.equals("application/json") ? "[{\"v\": 1}, {\"v\": 2}]".getBytes(UTF_8) : ndjson(1, 2);
            c.post(type, null, body);
            c.socket.shutdownOutput(); // FIN: nothing more to send, still reading
            Answer a = c.answer();
            assertThat(a.status).as(a.body).isEqualTo(200);
            assertThat(a.json().getLong("accepted")).isEqualTo(2);
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(f.rows("SELECT v FROM t ORDER BY v")).containsExactly(List.of("1"), List.of("2"));
    }

    @Test
    void aClientThatHalfClosesInsideItsBodyIsNotTakenForComplete() throws Exception {
        try (RawClient c = new RawClient()) {
            c.send("POST /v1/tables/t/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                    + "[{\"v\": 1}");
            c.socket.shutdownOutput();
            Answer a = c.answer(); // it still reads
            assertThat(a.status).as(a.body).isEqualTo(400);
            assertThat(a.json().getString("error")).isEqualTo("malformed_request");
            assertThat(a.json().getString("message")).contains("before the body was complete");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
    }

    // --- issue 13, item 5: Expect: 100-continue ---

    @ParameterizedTest
    @ValueSource(strings = {"application/x-ndjson", "application/json", "text/csv"})
    void anAcceptedHeadIsAnswered100ContinueAndTheBodySentOnlyThen(String type) throws Exception {
        byte[] body = type.equals("text/csv") ? csv(2) : type.equals("application/json") ? "[{\"v\": 0}, {\"v\": 1}]".getBytes(UTF_8)
                : ndjson(0, 2);
        try (RawClient c = new RawClient()) {
            // As curl does for a large body or -T: the head, then the body only after a 100 (or a final answer).
            c.send("POST /v1/tables/t/records HTTP/1.1\r\nHost: x\r\nContent-Type: " + type
                    + "\r\nExpect: 100-continue\r\nContent-Length: " + body.length + "\r\n\r\n");
            c.socket.setSoTimeout(CLOSE_DEADLINE_MILLIS); // a deadline: without the 100 this client would wait forever
            Answer interim = c.answer();
            assertThat(interim.statusLine).isEqualTo("HTTP/1.1 100 Continue");
            c.send(body);
            Answer a = c.answer();
            assertThat(a.status).as(a.body).isEqualTo(200);
            assertThat(a.json().getLong("accepted")).isEqualTo(2);
            assertThat(a.header("connection")).as("the 100 is no final answer: the connection stays open").isNull();
            // The same connection takes the next request as usual.
            c.post(type, null, body);
            Answer next = c.answer();
            assertThat(next.status).as(next.body).isEqualTo(200);
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isEqualTo(4);
    }

    static Stream<Arguments> refusedHeads() {
        return Stream.of(
                Arguments.of("/v1/tables/nope/records", "application/x-ndjson", "", 404, "unknown_table"),
                Arguments.of("/v1/tables/t/records", "text/plain", "", 415, "unsupported_media_type"),
                Arguments.of("/v1/tables/t/records", "text/csv", "Content-Encoding: br\r\n", 415, "unsupported_content_encoding"),
                Arguments.of("/v1/tables/t/records?on_conflict=maybe", "text/csv", "", 400, "unsupported_parameter"));
    }

    @ParameterizedTest
    @MethodSource("refusedHeads")
    void aRefusedHeadIsAnsweredAtOnceWithoutA100AndTheConnectionClosed(String path, String type, String header, int status,
            String error) throws Exception {
        try (RawClient c = new RawClient()) {
            c.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + type + "\r\n" + header
                    + "Expect: 100-continue\r\nContent-Length: 500000\r\n\r\n");
            Answer a = c.answer(); // no byte of the body was sent
            assertThat(a.status).as(a.body).isEqualTo(status);
            assertThat(a.json().getString("error")).isEqualTo(error);
            assertThat(a.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(f.db.queryLong("SELECT count(*) FROM t")).isZero();
    }

    // --- issue 13, item 11: 405 says what is allowed; HEAD on the health checks ---

    @Test
    void aMethodNotAllowedSaysWhichAre() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String[] k : new String[][] {{"GET", "/v1/tables/t/records", "POST"}, {"DELETE", "/health/live", "GET, HEAD"},
                {"PUT", "/v1/tables", "GET, POST"}, {"GET", "/v1/imports/nightly/run", "POST"}}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(f.uri(k[1]))
                    .method(k[0], HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(k[0] + " " + k[1]).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).as(k[0] + " " + k[1]).hasValue(k[2]);
            assertThat(ServiceFixture.json(r).getString("error")).isEqualTo("method_not_allowed");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/health/live", "/health/ready"})
    void theHealthChecksAnswerHead(String path) throws Exception {
        try (RawClient c = new RawClient()) {
            c.send("HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
            String statusLine = c.line();
            assertThat(statusLine).isEqualTo("HTTP/1.1 200 OK");
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = c.line(); h != null && !h.isEmpty(); h = c.line()) {
                headers.put(h.substring(0, h.indexOf(':')).toLowerCase(Locale.ROOT), h.substring(h.indexOf(':') + 1).trim());
            }
            assertThat(headers).containsEntry("content-type", "application/json").doesNotContainKey("connection");
            // No body follows a HEAD answer: the next bytes on the connection are the next answer's.
            c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
            Answer get = c.answer();
            assertThat(get.statusLine).isEqualTo("HTTP/1.1 200 OK");
            assertThat(get.json().getString("status")).isIn("live", "ready");
        }
    }

    // --- helpers ---

    static byte[] ndjson(int from, int count) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            b.append("{\"v\": ").append(i).append("}\n");
        }
        return b.toString().getBytes(UTF_8);
    }

    static byte[] csv(int count) {
        StringBuilder b = new StringBuilder("v\n");
        for (int i = 0; i < count; i++) {
            b.append(i).append('\n');
        }
        return b.toString().getBytes(UTF_8);
    }

    static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        return out.toByteArray();
    }

    /** A small gzip body that inflates to far more than the body limit (about 200 MB). */
    static byte[] bomb(boolean json) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
            // One endless record: a stream commits the records before the limit, and this test is
            // about the refusal, not about those.
            byte[] line = (json ? "{\"v\": 1}," : " ").repeat(8192).getBytes(UTF_8);
            gz.write((json ? "[" : "{\"v\": 1").getBytes(UTF_8));
            for (int i = 0; i < 200 * 1024 * 1024 / line.length; i++) {
                gz.write(line);
            }
        }
        return out.toByteArray();
    }

    record Answer(String statusLine, int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JsonObject json() {
            assertThat(header("content-type")).as(body).isEqualTo("application/json");
            return new JsonObject(body);
        }
    }

    /** One raw HTTP/1.1 connection to the service. */
    static final class RawClient implements AutoCloseable {
        final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        RawClient() throws IOException {
            this(f.service.port());
        }

        RawClient(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(60_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        void send(String text) throws IOException {
            send(text.getBytes(UTF_8));
        }

        void send(byte[] data) throws IOException {
            out.write(data);
            out.flush();
        }

        void post(String type, String encoding, byte[] body) throws IOException {
            send("POST /v1/tables/t/records HTTP/1.1\r\nHost: x\r\nContent-Type: " + type + "\r\n"
                    + (encoding == null ? "" : "Content-Encoding: " + encoding + "\r\n")
                    + "Content-Length: " + body.length + "\r\n\r\n");
            out.write(body);
            out.flush();
        }

        /** Sends {@code total} bytes (the body, then zeros) on another thread; stops quietly when the server closes. */
        Thread sendInBackground(byte[] body, long total) {
            Thread t = new Thread(() -> {
                try {
                    long sent = 0;
                    while (sent < total) {
                        int n = (int) Math.min(64 * 1024, total - sent);
                        if (sent < body.length) {
                            n = (int) Math.min(n, body.length - sent);
                            out.write(body, (int) sent, n);
                        } else {
                            out.write(new byte[n]);
                        }
                        sent += n;
                    }
                    out.flush();
                } catch (IOException e) {
                    // the server closed the connection: expected once it has answered
                }
            }, "edges-sender");
            t.setDaemon(true);
            t.start();
            return t;
        }

        /** Reads one answer: status line, headers, and a body of its Content-Length. */
        Answer answer() throws IOException {
            RawAnswer a = RawAnswer.read(in, false);
            return new Answer(a.statusLine(), a.status(), a.headers(), a.body());
        }

        String line() throws IOException {
            return RawAnswer.line(in);
        }

        /** Whether the server ends the stream (read() returns -1, with nothing more sent) within the deadline. */
        boolean closedByServer() throws IOException {
            socket.setSoTimeout(CLOSE_DEADLINE_MILLIS);
            try {
                int c = in.read();
                assertThat(c).as("no more bytes after the answer").isEqualTo(-1);
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                throw new AssertionError("the connection was reset instead of closed: " + e, e);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}

package dev.ingest.perf;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The benchmark workload of BENCHMARKS.md: rows of the {@code events} table, each a pure function
 * of (seed, row number), so every run and every format sees the same rows. {@code user_id} is the
 * row number, which lets a check find exactly which rows arrived.
 */
final class Workload {
    /** The DDL of the example table that ingest's embedded database starts with: the same table. */
    static String tableDdl() throws IOException {
        try (var in = Workload.class.getResourceAsStream("/examples/events.sql")) {
            if (in == null) {
                throw new IOException("examples/events.sql is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
    static final String COLUMNS = "event_id,ts,source,kind,user_id,value,payload";

    private static final String[] SOURCES = {"web", "ios", "android", "api", "batch", "partner", "kiosk", "email"};
    private static final String[] KINDS = {"click", "view", "purchase", "signup", "login", "logout", "search",
        "share", "like", "comment", "refund", "error"};
    private static final long BASE_MILLIS = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private final long seed;

    Workload(long seed) {
        this.seed = seed;
    }

    /** One row's values, in {@link #COLUMNS} order, as text. */
    String[] row(long i) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
        UUID id = new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
        String ts = Instant.ofEpochMilli(BASE_MILLIS + i * 37).toString();
        String payload = "{\"session\": \"" + Long.toHexString(r.nextLong()) + "\", \"page\": \"/p/" + r.nextInt(100)
                + "\", \"ref\": \"campaign-" + r.nextInt(20) + "\", \"n\": " + i + ", \"tags\": [\"a\", \"b\"]}";
        return new String[] {id.toString(), ts, SOURCES[r.nextInt(SOURCES.length)], KINDS[r.nextInt(KINDS.length)],
            Long.toString(i), Double.toString(Math.round(r.nextDouble() * 100_000) / 100.0), payload};
    }

    String csvLine(long i) {
        String[] v = row(i);
        return v[0] + "," + v[1] + "," + v[2] + "," + v[3] + "," + v[4] + "," + v[5] + ",\"" + v[6].replace("\"", "\"\"") + "\"\n";
    }

    String ndjsonLine(long i) {
        String[] v = row(i);
        return "{\"event_id\":\"" + v[0] + "\",\"ts\":\"" + v[1] + "\",\"source\":\"" + v[2] + "\",\"kind\":\"" + v[3]
                + "\",\"user_id\":" + v[4] + ",\"value\":" + v[5] + ",\"payload\":" + v[6] + "}\n";
    }

    /** Writes rows [from, to) as CSV with a header row. */
    void writeCsv(Path file, long from, long to) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(COLUMNS + "\n");
            for (long i = from; i < to; i++) {
                w.write(csvLine(i));
            }
        }
    }

    /** Rows [from, to) as NDJSON bodies of {@code perBody} records. */
    List<byte[]> ndjsonBodies(long from, long to, int perBody) {
        List<byte[]> bodies = new ArrayList<>();
        StringBuilder b = new StringBuilder(perBody * 260);
        for (long i = from; i < to; i++) {
            b.append(ndjsonLine(i));
            if ((i - from + 1) % perBody == 0 || i == to - 1) {
                bodies.add(b.toString().getBytes(StandardCharsets.UTF_8));
                b.setLength(0);
            }
        }
        return bodies;
    }

    /** One record as a JSON object (no newline), for single-record requests. */
    String jsonObject(long i) {
        String line = ndjsonLine(i);
        return line.substring(0, line.length() - 1);
    }
}

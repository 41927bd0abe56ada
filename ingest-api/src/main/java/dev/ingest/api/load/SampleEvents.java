package dev.ingest.api.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ingest.api.formats.Format;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Sample rows for the example {@code events} table ({@code examples/events.sql}), as CSV with a
 * header row or as NDJSON: what {@code ingest sample} writes so that the README's load examples
 * have a file to load. Every value is one its column takes (uuid, timestamptz, text, bigint,
 * double precision, jsonb); every {@code event_id} is new unless a seed is given, so that a
 * second sample loads as well as the first.
 */
public final class SampleEvents {
    private static final String[] COLUMNS = {"event_id", "ts", "source", "kind", "user_id", "value", "payload"};
    private static final String[] SOURCES = {"web", "ios", "android", "api"};
    private static final String[] KINDS = {"view", "click", "add_to_cart", "purchase", "signup"};
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final JsonFactory JSON = new JsonFactory();

    private final SplittableRandom random;

    /** @param seed the same seed writes the same rows; null for new ones each time */
    public SampleEvents(Long seed) {
        this.random = seed != null ? new SplittableRandom(seed) : new SplittableRandom();
    }

    /** Writes {@code rows} rows to {@code out} (which it flushes, not closes). */
    public void write(Format format, long rows, OutputStream out) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        if (format == Format.CSV) {
            w.write(String.join(",", COLUMNS));
            w.write('\n');
            for (long i = 0; i < rows; i++) {
                Event e = next(i);
                // Only the payload needs quoting (it has quotes and commas); the other values never do.
                w.write(String.join(",", e.id, e.ts, e.source, e.kind, Long.toString(e.user), e.value,
                        "\"" + e.payload.replace("\"", "\"\"") + "\""));
                w.write('\n');
            }
        } else {
            for (long i = 0; i < rows; i++) {
                w.write(ndjson(next(i)));
                w.write('\n');
            }
        }
        w.flush();
    }

    private record Event(String id, String ts, String source, String kind, long user, String value, String payload) {
    }

    private Event next(long i) {
        UUID id = new UUID((random.nextLong() & ~0xF000L) | 0x4000L, (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L);
        String page = "/p/" + random.nextInt(1000);
        String payload = "{\"page\": \"" + page + "\", \"n\": " + i + "}";
        return new Event(id.toString(), START.plusMillis(i * 37).toString(), SOURCES[random.nextInt(SOURCES.length)],
                KINDS[random.nextInt(KINDS.length)], 1 + random.nextInt(100_000),
                String.format(Locale.ROOT, "%.2f", random.nextDouble() * 100), payload);
    }

    private static String ndjson(Event e) throws IOException {
        StringWriter s = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(s)) {
            g.writeStartObject();
            g.writeStringField("event_id", e.id);
            g.writeStringField("ts", e.ts);
            g.writeStringField("source", e.source);
            g.writeStringField("kind", e.kind);
            g.writeNumberField("user_id", e.user);
            g.writeFieldName("value");
            g.writeRawValue(e.value);
            g.writeFieldName("payload");
            g.writeRawValue(e.payload);
            g.writeEndObject();
        }
        return s.toString();
    }
}

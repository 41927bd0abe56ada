package dev.ingest.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a {@link RequestAnswer}, the one definition of it: what the engine stores under
 * an idempotency key, the body of the service's answer to an upload (which may add {@code error}
 * and {@code message}), and what scheduled imports and {@code ingest load} read back.
 * <pre>
 * {"accepted": N, ["inserted": N, "updated": N, "ignored": N,]
 *  "rejected": [{"index": I, "sqlstate": "22P02", "message": "..."}, ...]
 *  [, "rejected_count": N, "rejected_truncated": true]}
 * </pre>
 * The upsert counts are there for {@code on_conflict=ignore|update} only; {@code rejected_count}
 * and {@code rejected_truncated} only when the list is cut. Reading skips fields it does not know,
 * in any order. Thread-safe: static methods without state.
 */
public final class RequestAnswerJson {
    private static final JsonFactory JSON = new JsonFactory();

    private RequestAnswerJson() {
    }

    /**
     * The answer's fields, in their order, as plain maps, lists, strings and numbers, for JSON
     * libraries that build documents (a Vert.x {@code JsonObject} wraps the map as it is). The map
     * is the caller's: it may add fields after these.
     */
    public static Map<String, Object> fields(RequestAnswer answer) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("accepted", answer.accepted());
        if (answer.conflicts() != null) {
            o.put("inserted", answer.conflicts().inserted());
            o.put("updated", answer.conflicts().updated());
            o.put("ignored", answer.conflicts().ignored());
        }
        List<Object> rejected = new ArrayList<>(answer.rejected().size());
        for (Rejection r : answer.rejected()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("index", r.index());
            j.put("sqlstate", r.sqlstate());
            j.put("message", r.message());
            rejected.add(j);
        }
        o.put("rejected", rejected);
        if (answer.truncated()) {
            o.put("rejected_count", answer.rejectedCount());
            o.put("rejected_truncated", true);
        }
        return o;
    }

    /** The answer as JSON text: {@link #fields} written compactly. */
    public static String encode(RequestAnswer answer) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(g, fields(answer));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, Object value) throws IOException {
        if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName((String) e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof List<?> list) {
            g.writeStartArray();
            for (Object v : list) {
                write(g, v);
            }
            g.writeEndArray();
        } else if (value instanceof Number n) {
            g.writeNumber(n.longValue());
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            g.writeString((String) value);
        }
    }

    /**
     * Reads an answer: one stored by the engine, or an upload's answer from the service.
     *
     * @throws IllegalArgumentException when {@code json} is not a JSON object of this shape
     */
    public static RequestAnswer decode(String json) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("expected a JSON object, got " + p.currentToken());
            }
            long accepted = 0;
            long inserted = 0;
            long updated = 0;
            long ignored = 0;
            boolean upsert = false;
            long count = -1;
            List<Rejection> rejected = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "accepted" -> accepted = p.getValueAsLong();
                    case "inserted" -> {
                        upsert = true;
                        inserted = p.getValueAsLong();
                    }
                    case "updated" -> updated = p.getValueAsLong();
                    case "ignored" -> ignored = p.getValueAsLong();
                    case "rejected" -> readRejections(p, rejected);
                    case "rejected_count" -> count = p.getValueAsLong();
                    default -> p.skipChildren();
                }
            }
            return new RequestAnswer(accepted, rejected, Math.max(count, rejected.size()),
                    upsert ? new IngestResult.Conflicts(inserted, updated, ignored) : null);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static void readRejections(JsonParser p, List<Rejection> into) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
            int index = -1;
            String sqlstate = "";
            String message = "";
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "index" -> index = p.getValueAsInt(-1);
                    case "sqlstate" -> sqlstate = p.getValueAsString("");
                    case "message" -> message = p.getValueAsString("");
                    default -> p.skipChildren();
                }
            }
            into.add(new Rejection(index, sqlstate, message));
        }
    }
}

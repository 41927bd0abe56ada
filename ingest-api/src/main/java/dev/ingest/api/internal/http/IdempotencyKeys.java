package dev.ingest.api.internal.http;

import dev.ingest.engine.TableSchema;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP side of {@code Idempotency-Key}: validates the header, keeps the keys of requests in
 * flight in this process (a repeat meanwhile gets 409 rather than a second write), and reads the
 * answers the engine stored with committed rows (through the reactive client: no event loop
 * blocks). The engine claims keys in the database, which also settles races between replicas.
 */
final class IdempotencyKeys {
    static final String HEADER = "Idempotency-Key";
    static final int MAX_LENGTH = 255;

    private final Pool pool;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    IdempotencyKeys(Pool pool) {
        this.pool = pool;
    }

    /** An answer stored for the records [firstIndex, endIndex) of a body. */
    record Stored(int firstIndex, int endIndex, int status, JsonObject result) {
    }

    /** Null when the key is acceptable, else why not. */
    static String invalid(String key) {
        if (key.isEmpty() || key.length() > MAX_LENGTH) {
            return "Idempotency-Key must have 1 to " + MAX_LENGTH + " characters";
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return "Idempotency-Key must be printable ASCII without spaces";
            }
        }
        return null;
    }

    /** Marks the key in flight; false when a request with the same key and table already is. */
    boolean begin(TableSchema table, String key) {
        return inFlight.add(table.qualifiedName() + "\u0000" + key);
    }

    /** The request with this key is finished (all its records committed or given up). */
    void end(TableSchema table, String key) {
        inFlight.remove(table.qualifiedName() + "\u0000" + key);
    }

    /** The answers stored under the key, by body range. */
    Future<List<Stored>> lookup(TableSchema table, String key) {
        return pool.preparedQuery("SELECT first_index, end_index, status, result::text FROM ingest.idempotency_keys "
                        + "WHERE table_name = $1 AND key = $2 ORDER BY first_index")
                .execute(Tuple.of(table.qualifiedName(), key))
                .map(rows -> {
                    List<Stored> stored = new ArrayList<>();
                    for (Row r : rows) {
                        stored.add(new Stored(r.getInteger(0), r.getInteger(1), r.getInteger(2), new JsonObject(r.getString(3))));
                    }
                    return stored;
                });
    }
}

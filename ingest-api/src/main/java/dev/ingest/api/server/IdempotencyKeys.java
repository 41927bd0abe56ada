package dev.ingest.api.server;

import dev.ingest.engine.RequestAnswer;
import dev.ingest.engine.RequestAnswerJson;
import dev.ingest.engine.TableSchema;
import io.vertx.core.Future;
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
 *
 * <p>A key is the caller's own: every operation takes the caller's scope (its API key's
 * identity, or anonymous), and keys of different scopes never meet.
 */
final class IdempotencyKeys {
    static final String HEADER = "Idempotency-Key";
    static final int MAX_LENGTH = 255;
    /** The scope of keys stored before keys had scopes: honoured for every caller until they expire. */
    private static final String LEGACY_SCOPE = "";

    private final Pool pool;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    IdempotencyKeys(Pool pool) {
        this.pool = pool;
    }

    /**
     * An answer stored for the records [firstIndex, endIndex) of a body, with what the key was
     * bound to (null for keys stored before fingerprints were).
     *
     * @param bodyBytes  how many bytes from the start of the body {@code bodySha256} covers
     */
    record Stored(int firstIndex, int endIndex, RequestAnswer result, String requestFingerprint, long bodyBytes, String bodySha256) {
        boolean fingerprinted() {
            return requestFingerprint != null && bodySha256 != null;
        }
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

    /** Marks the key in flight; false when a request of the same caller with the same key and table already is. */
    boolean begin(String scope, TableSchema table, String key) {
        return inFlight.add(id(scope, table, key));
    }

    /** The request with this key is finished (all its records committed or given up). */
    void end(String scope, TableSchema table, String key) {
        inFlight.remove(id(scope, table, key));
    }

    private static String id(String scope, TableSchema table, String key) {
        return scope + "\u0000" + table.schema() + "\u0000" + table.name() + "\u0000" + key;
    }

    /** The answers stored under the caller's key, by body range. */
    Future<List<Stored>> lookup(String scope, TableSchema table, String key) {
        return pool.preparedQuery("SELECT first_index, end_index, result::text, request_fingerprint, body_bytes, body_sha256 "
                        + "FROM ingest.idempotency_keys WHERE scope IN ($1, $2) AND table_name = $3 AND key = $4 ORDER BY first_index")
                .execute(Tuple.of(scope, LEGACY_SCOPE, table.qualifiedName(), key))
                .map(rows -> {
                    List<Stored> stored = new ArrayList<>();
                    for (Row r : rows) {
                        Long bodyBytes = r.getLong(4);
                        stored.add(new Stored(r.getInteger(0), r.getInteger(1), RequestAnswerJson.decode(r.getString(2)),
                                r.getString(3), bodyBytes == null ? -1 : bodyBytes, r.getString(5)));
                    }
                    return stored;
                });
    }
}

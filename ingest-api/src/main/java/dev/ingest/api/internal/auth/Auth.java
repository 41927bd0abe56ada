package dev.ingest.api.internal.auth;

import dev.ingest.engine.TableSchema;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Bearer-token authentication against {@code ingest.api_keys}. The active keys are read into
 * memory at start and again every {@value #REFRESH_MILLIS} ms (a revoked key stops working within
 * that), so checking a request costs a hash and a map lookup, not a query. Authentication is
 * enforced when the service is exposed beyond loopback, or as soon as any key exists.
 */
public final class Auth {
    static final long REFRESH_MILLIS = 2000;
    private static final String GRANT = "ingest.grant";

    /** What a key may do. */
    public record Grant(String key, Set<String> tables) {
        public boolean allows(TableSchema t) {
            return allows(t.name()) || allows(t.qualifiedName());
        }

        /** Whether the key is granted the table of this name (as written in the grant), or every table. */
        public boolean allows(String table) {
            return tables.contains("*") || tables.contains(table);
        }
    }

    private final Pool pool;
    private final boolean exposed;
    private final double ratePerSecond;
    private final Map<String, TokenBucket> buckets = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Map<String, Grant> keys = Map.of();

    private Auth(Pool pool, boolean exposed, double ratePerSecond) {
        this.pool = pool;
        this.exposed = exposed;
        this.ratePerSecond = ratePerSecond;
    }

    /**
     * Loads the keys, then keeps them fresh.
     *
     * @param ratePerSecond requests a key may make per second (bursts of twice that); 0 for no limit
     */
    public static Future<Auth> start(Vertx vertx, Pool pool, boolean exposed, double ratePerSecond) {
        Auth auth = new Auth(pool, exposed, ratePerSecond);
        return auth.refresh().map(v -> {
            vertx.setPeriodic(REFRESH_MILLIS, id -> auth.refresh());
            return auth;
        });
    }

    private Future<Void> refresh() {
        return pool.query("SELECT token_hash, name, tables FROM ingest.api_keys WHERE revoked_at IS NULL").execute()
                .map(rows -> {
                    Map<String, Grant> fresh = new HashMap<>();
                    for (Row r : rows) {
                        fresh.put(r.getString(0), new Grant(r.getString(1), Set.of(r.getArrayOfStrings(2))));
                    }
                    keys = Map.copyOf(fresh);
                    return null;
                });
    }

    /** Whether requests must carry a key now. */
    public boolean enforced() {
        return exposed || !keys.isEmpty();
    }

    public int activeKeys() {
        return keys.size();
    }

    /** Route handler: lets the request on with its grant, or answers 401. */
    public void authenticate(RoutingContext ctx) {
        if (!enforced()) {
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        Grant grant = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            grant = keys.get(ApiKeys.hash(header.substring(7).trim()));
        }
        if (grant == null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer").putHeader("Connection", "close");
            ctx.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                    .end(new io.vertx.core.json.JsonObject().put("error", "unauthorized")
                            .put("message", header == null ? "this service needs an API key: Authorization: Bearer TOKEN"
                                    : "the API key is not valid (unknown or revoked)").encode());
            return;
        }
        if (ratePerSecond > 0) {
            long waitNanos = buckets.computeIfAbsent(grant.key(), k -> new TokenBucket(ratePerSecond, Math.max(1, 2 * ratePerSecond)))
                    .take(System.nanoTime());
            if (waitNanos > 0) {
                long retryAfter = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
                ctx.response().putHeader("Retry-After", Long.toString(retryAfter)).setStatusCode(429)
                        .putHeader("Content-Type", "application/json")
                        .end(new io.vertx.core.json.JsonObject().put("error", "rate_limited")
                                .put("message", "this API key may make " + ratePerSecond + " requests per second")
                                .put("retry_after_seconds", retryAfter).encode());
                return;
            }
        }
        ctx.put(GRANT, grant);
        ctx.next();
    }

    /** Requests per key: a token bucket refilled at a steady rate. Thread-safe. */
    static final class TokenBucket {
        private final double perNano;
        private final double capacity;
        private double tokens;
        private long last = Long.MIN_VALUE;

        TokenBucket(double perSecond, double capacity) {
            this.perNano = perSecond / 1e9;
            this.capacity = capacity;
            this.tokens = capacity;
        }

        /** Takes a token: 0 when there was one, else how many nanoseconds until there is. */
        synchronized long take(long now) {
            if (last != Long.MIN_VALUE) {
                tokens = Math.min(capacity, tokens + (now - last) * perNano);
            }
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / perNano);
        }
    }

    /** Whether the request may write to {@code table}: always when authentication is off. */
    public static boolean allowed(RoutingContext ctx, TableSchema table) {
        Grant g = ctx.get(GRANT);
        return g == null || g.allows(table);
    }

    /** Whether the request may use the table of this name: always when authentication is off. */
    public static boolean allowed(RoutingContext ctx, String table) {
        Grant g = ctx.get(GRANT);
        return g == null || g.allows(table);
    }
}

package dev.ingest.api.server.auth;

import dev.ingest.api.common.TableName;
import dev.ingest.api.config.AuthConfig;
import dev.ingest.api.config.AuthMode;
import dev.ingest.api.server.answer.Answers;
import dev.ingest.engine.Catalog;
import dev.ingest.engine.TableSchema;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token authentication against {@code ingest.api_keys}: {@code Authorization: Bearer TOKEN}, or
 * Basic credentials carrying the token (see {@link #token}). The keys are read into memory at
 * start and again every {@link AuthConfig#keyRefreshInterval} (a revoked key stops working within that), so
 * checking a request costs a hash and a map lookup, not a query.
 *
 * <p>Authentication is on when the service listens beyond loopback, when {@code auth: required},
 * and as soon as any key has ever been created (revoked ones count): revoking the last key does
 * not open the service. Only an operator's {@code auth: off} turns it off, on loopback only.
 */
public final class Auth {
    private static final String GRANT = "ingest.grant";
    private static final String ANONYMOUS = "anonymous";
    private static final String KEYS_QUERY = "SELECT k.id, k.token_hash, k.name, k.all_tables, k.revoked_at IS NULL, "
            + "coalesce(array_agg(g.schema_name) FILTER (WHERE g.key_id IS NOT NULL), '{}'), "
            + "coalesce(array_agg(g.table_name) FILTER (WHERE g.key_id IS NOT NULL), '{}') "
            + "FROM ingest.api_keys k LEFT JOIN ingest.api_key_grants g ON g.key_id = k.id GROUP BY k.id";

    /** What a key may do; {@code id} is its identity (the scope of its idempotency keys). */
    public record Grant(long id, String key, boolean allTables, Set<TableName> tables) {
        public boolean allows(TableSchema t) {
            return allTables || tables.contains(TableName.of(t));
        }
    }

    private final Pool pool;
    private final boolean exposed;
    private final AuthMode mode;
    private final Duration refreshInterval;
    private final double ratePerSecond;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private volatile Map<String, Grant> keys = Map.of();
    // Set once a key has been seen, never cleared: authentication does not switch itself off.
    private volatile boolean keysInUse;

    private Auth(Pool pool, boolean exposed, AuthConfig config, double ratePerSecond) {
        this.pool = pool;
        this.exposed = exposed;
        this.mode = config.mode();
        this.refreshInterval = config.keyRefreshInterval();
        this.ratePerSecond = ratePerSecond;
    }

    /**
     * Loads the keys, then keeps them fresh.
     *
     * @param exposed       whether the service listens beyond loopback
     * @param ratePerSecond requests a key may make per second (bursts of twice that); 0 for no limit
     * @throws IllegalArgumentException (failing the future) for {@code auth: off} when exposed
     */
    public static Future<Auth> start(Vertx vertx, Pool pool, boolean exposed, AuthConfig config, double ratePerSecond) {
        if (exposed && config.mode() == AuthMode.OFF) {
            return Future.failedFuture(new IllegalArgumentException(
                    "auth: off is refused when listening beyond loopback; listen on 127.0.0.1 or remove auth: off"));
        }
        Auth auth = new Auth(pool, exposed, config, ratePerSecond);
        return auth.refresh().map(v -> {
            vertx.setPeriodic(config.keyRefreshInterval().toMillis(), id -> auth.refresh());
            return auth;
        });
    }

    private Future<Void> refresh() {
        return pool.query(KEYS_QUERY).execute()
                .map(rows -> {
                    Map<String, Grant> fresh = new HashMap<>();
                    for (Row r : rows) {
                        keysInUse = true;
                        if (!r.getBoolean(4)) {
                            continue; // revoked
                        }
                        String[] schemas = r.getArrayOfStrings(5);
                        String[] tables = r.getArrayOfStrings(6);
                        Set<TableName> granted = new HashSet<>();
                        for (int i = 0; i < schemas.length; i++) {
                            granted.add(new TableName(schemas[i], tables[i]));
                        }
                        fresh.put(r.getString(1), new Grant(r.getLong(0), r.getString(2), r.getBoolean(3), Set.copyOf(granted)));
                    }
                    keys = Map.copyOf(fresh);
                    return null;
                });
    }

    /** Whether requests must carry a key now. */
    public boolean enforced() {
        return switch (mode) {
            case OFF -> false;
            case REQUIRED -> true;
            case AUTO -> exposed || keysInUse;
        };
    }

    /** Whether any key was ever created (revoked ones included). */
    public boolean keysInUse() {
        return keysInUse;
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
        String token = header == null ? null : token(header);
        Grant grant = token == null ? null : keys.get(ApiKeys.hash(token));
        if (grant == null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer").putHeader("Connection", "close");
            Answers.unauthorized(header == null ? "this service needs an API key: Authorization: Bearer TOKEN "
                    + "(or Basic, with the token as the password)"
                    : "the API key is not valid (unknown or revoked; a key created in the last "
                    + refreshInterval.toSeconds() + " seconds is not known yet: retry)").send(ctx);
            return;
        }
        if (ratePerSecond > 0) {
            long waitNanos = buckets.computeIfAbsent(grant.key(), k -> new TokenBucket(ratePerSecond, Math.max(1, 2 * ratePerSecond)))
                    .take(System.nanoTime());
            if (waitNanos > 0) {
                int retryAfter = (int) Math.min(Integer.MAX_VALUE, Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L));
                Answers.rateLimited(ratePerSecond, retryAfter).send(ctx);
                return;
            }
        }
        ctx.put(GRANT, grant);
        ctx.next();
    }

    /**
     * The token an {@code Authorization} header carries, or null. {@code Bearer TOKEN}; or, for
     * clients that can only send a user and a password (log shippers such as rsyslog's omhttp and
     * Fluent Bit's http output), {@code Basic} credentials whose password is the token (any user
     * name), or whose user name is the token when the password is empty ({@code curl -u TOKEN:}).
     */
    static String token(String header) {
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String credentials;
        try {
            credentials = new String(Base64.getDecoder().decode(header.substring(6).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null; // not base64: no credentials
        }
        int colon = credentials.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String password = credentials.substring(colon + 1);
        return password.isEmpty() ? credentials.substring(0, colon) : password;
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

    /** Whether the request may use {@code table}: always when authentication is off. */
    public static boolean allowed(RoutingContext ctx, TableSchema table) {
        Grant g = ctx.get(GRANT);
        return g == null || g.allows(table);
    }

    /**
     * Whether the request may use the table of this name as the catalog resolves it; a name the
     * catalog does not know (a job's table not created yet) only with a key granted every table.
     */
    public static boolean allowed(RoutingContext ctx, Catalog catalog, String table) {
        return catalog.find(table).map(t -> allowed(ctx, t)).orElse(allowedEverything(ctx));
    }

    /**
     * Whether the request may see everything (the metrics, jobs of tables not in the catalog):
     * a key granted every table, or authentication off.
     */
    public static boolean allowedEverything(RoutingContext ctx) {
        Grant g = ctx.get(GRANT);
        return g == null || g.allTables();
    }

    /**
     * Whose idempotency keys the request uses: its API key's identity, or {@code anonymous} when
     * it carries none (authentication off). Callers of different scopes never share a key.
     */
    public static String scope(RoutingContext ctx) {
        Grant g = ctx.get(GRANT);
        return g == null ? ANONYMOUS : "key:" + g.id();
    }
}

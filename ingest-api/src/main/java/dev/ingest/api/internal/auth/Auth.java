package dev.ingest.api.internal.auth;

import dev.ingest.engine.TableSchema;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.HashMap;
import java.util.List;
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
            return tables.contains("*") || tables.contains(t.name()) || tables.contains(t.qualifiedName());
        }
    }

    private final Pool pool;
    private final boolean exposed;
    private volatile Map<String, Grant> keys = Map.of();

    private Auth(Pool pool, boolean exposed) {
        this.pool = pool;
        this.exposed = exposed;
    }

    /** Loads the keys, then keeps them fresh. */
    public static Future<Auth> start(Vertx vertx, Pool pool, boolean exposed) {
        Auth auth = new Auth(pool, exposed);
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
        ctx.put(GRANT, grant);
        ctx.next();
    }

    /** Whether the request may write to {@code table}: always when authentication is off. */
    public static boolean allowed(RoutingContext ctx, TableSchema table) {
        Grant g = ctx.get(GRANT);
        return g == null || g.allows(table);
    }

    /** The tables granted to the request's key, or null when authentication is off. */
    public static List<String> granted(RoutingContext ctx) {
        Grant g = ctx.get(GRANT);
        return g == null ? null : List.copyOf(g.tables());
    }
}

package dev.ingest.api.db;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.SqlConnectOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Where the reactive client's next connection goes: for a one-server URL that server; for a URL
 * that names several (a primary and its standbys) or asks for the primary, the first of them
 * that accepts writes now, as pgjdbc's {@code targetServerType=primary} does for the writers.
 * Each call asks the servers afresh, starting with the one that was writable last time, so
 * that a connection made after a failover reaches the new primary. A server still promoting
 * (pg_auto_failover keeps it read-only until the old primary is known to be gone) does not count.
 * When none does, the future fails with {@link NoWritableServer}, which callers treat as the
 * database being unavailable.
 */
public final class WritableServer implements Supplier<Future<SqlConnectOptions>> {
    /**
     * SQL that is true on a server that takes no writes: in recovery (a standby), or read-only by
     * setting (a primary being demoted, or a promoted one not yet released). Readiness asks it too.
     */
    public static final String READ_ONLY = "(pg_is_in_recovery() OR current_setting('transaction_read_only')::bool)";

    /** How long a search that found no writable server answers for the next ones: no connection storm in an outage. */
    private static final long FAILURE_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Vertx vertx;
    private final DatabaseUrl url;
    private final List<PgConnectOptions> servers;
    private final AtomicReference<Search> search = new AtomicReference<>();
    private volatile int lastWritable;

    /** A search of the servers; a failed one answers for {@link #FAILURE_HOLD_NANOS} after it ended. */
    private record Search(Future<Integer> result, long[] endedAt) {
        boolean stillAnswers(long now) {
            return !result.isComplete() || (result.failed() && now - endedAt[0] < FAILURE_HOLD_NANOS);
        }
    }

    public WritableServer(Vertx vertx, DatabaseUrl url) {
        this.vertx = vertx;
        this.url = url;
        List<PgConnectOptions> options = new ArrayList<>();
        for (DatabaseUrl.Server server : url.servers()) {
            options.add(url.connectOptions(server).setProperties(Map.of("application_name", "ingest-probe")));
        }
        this.servers = List.copyOf(options);
    }

    /** The options for a connection to the writable server; see the class comment. */
    @Override
    public Future<SqlConnectOptions> get() {
        return writable().map(i -> url.connectOptions(url.servers().get(i)));
    }

    /**
     * The index in {@link DatabaseUrl#servers()} of a server that accepts writes now. Calls that
     * come while a search runs, or shortly after one found none, share its answer.
     */
    public Future<Integer> writable() {
        if (!url.primaryOnly()) {
            return Future.succeededFuture(0);
        }
        while (true) {
            Search current = search.get();
            if (current != null && current.stillAnswers(System.nanoTime())) {
                return current.result();
            }
            Promise<Integer> promise = Promise.promise();
            Search next = new Search(promise.future(), new long[1]);
            if (search.compareAndSet(current, next)) {
                tryFrom(lastWritable, 0, new ArrayList<>()).onComplete(ar -> {
                    next.endedAt()[0] = System.nanoTime();
                    promise.handle(ar);
                });
                return next.result();
            }
        }
    }

    private Future<Integer> tryFrom(int start, int tried, List<String> why) {
        if (tried == servers.size()) {
            return Future.failedFuture(new NoWritableServer("no server of " + url.where() + " accepts writes now ("
                    + String.join("; ", why) + ")"));
        }
        int index = (start + tried) % servers.size();
        DatabaseUrl.Server server = url.servers().get(index);
        return PgConnection.connect(vertx, servers.get(index))
                .compose(c -> c.query("SELECT " + READ_ONLY).execute().eventually(c::close))
                .transform(ar -> {
                    if (ar.succeeded() && !ar.result().iterator().next().getBoolean(0)) {
                        lastWritable = index;
                        return Future.succeededFuture(index);
                    }
                    why.add(server + ": " + (ar.succeeded() ? "read-only" : ar.cause().getMessage()));
                    return tryFrom(start, tried + 1, why);
                });
    }

    /** No server of the URL accepts writes: none answers, or each is a standby or read-only. */
    public static final class NoWritableServer extends RuntimeException {
        NoWritableServer(String message) {
            super(message, null, false, false);
        }
    }
}

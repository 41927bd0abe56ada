package dev.ingest.api.db;

import dev.ingest.engine.SessionDefaults;
import dev.ingest.engine.SessionSettings;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The engine's {@link SessionDefaults}, learned exactly as psql would get them: on a short-lived
 * reactive connection whose startup packet carries no settings but the client encoding and an
 * application name (the reactive client's defaults also send {@code DateStyle} and
 * {@code extra_float_digits}; those are left out here), plus the URL's own {@code options}, if
 * any. Such a session has the server's configuration overridden by
 * {@code ALTER DATABASE/ROLE ... SET}, and by nothing else that the user did not ask for. A fresh
 * connection every time, because a pooled one would keep the values of its own login.
 *
 * <p>Blocks the calling thread (the engine's pool threads); refuses to run on an event loop.
 */
public final class PlainSessionDefaults implements SessionDefaults {
    private static final String QUERY =
            "SELECT current_setting('TimeZone'), current_setting('DateStyle'), current_setting('IntervalStyle')";

    private final Vertx vertx;
    private final WritableServer server;
    private final Map<String, String> startup;
    private final long timeoutMillis;

    /**
     * @param server  where the fresh connection goes (the service's one {@link WritableServer})
     * @param timeout how long reading the settings on a fresh connection may take
     */
    public PlainSessionDefaults(Vertx vertx, DatabaseUrl database, WritableServer server, Duration timeout) {
        this.vertx = vertx;
        this.timeoutMillis = timeout.toMillis();
        Map<String, String> startup = new HashMap<>(Map.of("application_name", "ingest-settings", "client_encoding", "utf8"));
        // Settings the URL itself asks for ("options=-c TimeZone=UTC", as PGOPTIONS for psql)
        // count as the user's choice: pgjdbc sends them too, and so does this probe.
        String urlOptions = database.parameters().get("options");
        if (urlOptions != null) {
            startup.put("options", urlOptions);
        }
        this.startup = Map.copyOf(startup);
        this.server = server;
    }

    @Override
    public SessionSettings read(Connection fresh) throws SQLException {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("session settings are learned off the event loop: this call would block it");
        }
        try {
            Row row = server.get()
                    .compose(o -> PgConnection.connect(vertx, new PgConnectOptions(o).setProperties(new HashMap<>(startup))))
                    .compose(c -> c.query(QUERY).execute().eventually(c::close))
                    .map(rows -> rows.iterator().next())
                    .toCompletionStage().toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
            // SHOW DateStyle is always "<output>, <order>".
            return new SessionSettings(row.getString(0), SessionSettings.dateOrderOf(row.getString(1), "MDY"),
                    row.getString(2).toLowerCase(Locale.ROOT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while learning the database's session settings", "08001", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new SQLException("cannot learn the database's session settings (TimeZone, DateStyle, IntervalStyle): "
                    + cause.getMessage(), "08001", cause);
        }
    }
}

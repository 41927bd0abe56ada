package dev.ingest.engine;

import dev.ingest.engine.internal.session.RoleSettingsReader;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Learns the {@link SessionSettings} this user gets from the database in a session whose client
 * overrides nothing. pgjdbc sends the JVM's time zone and {@code DateStyle=ISO} when it connects,
 * and a client-sent setting outranks every {@code ALTER DATABASE/ROLE ... SET}; so the engine asks
 * this anew for every connection it opens (also after a reconnect) and sets the answer on it.
 *
 * <p>Called from the connection pool's threads, never from an event loop; may block. Must be
 * thread-safe. A failure fails the connection: the engine never writes with settings it could
 * not learn.
 */
@FunctionalInterface
public interface SessionDefaults {
    /**
     * The settings, read now.
     *
     * @param fresh the newly opened connection, still with what pgjdbc sent; an implementation may
     *              read the catalog through it, or ignore it and ask a connection of its own
     */
    SessionSettings read(Connection fresh) throws SQLException;

    /**
     * Learns the settings through pgjdbc alone, from {@code pg_db_role_setting} (readable by every
     * role). Exact for settings made with {@code ALTER DATABASE/ROLE ... SET} and for the server's
     * DateStyle order and IntervalStyle; for a time zone set only in the server's configuration,
     * which a pgjdbc session cannot see (its own TimeZone hides it), it takes {@code log_timezone},
     * which initdb sets to the same zone. The service passes a reader that sees that value exactly.
     */
    static SessionDefaults fromRoleSettings() {
        return new RoleSettingsReader();
    }
}

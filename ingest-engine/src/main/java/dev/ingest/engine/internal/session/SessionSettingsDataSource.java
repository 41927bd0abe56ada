package dev.ingest.engine.internal.session;

import dev.ingest.engine.SessionDefaults;
import dev.ingest.engine.SessionSettings;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.LoggerFactory;

/**
 * Opens pgjdbc connections and gives each, before anyone uses it, the session settings the
 * database gives this user ({@link SessionDefaults}), learned anew for every connection: what
 * pgjdbc sent at connect (the JVM's time zone, {@code DateStyle=ISO}) never reads a value. The
 * pool (HikariCP) sits on top; this is its only way to a connection.
 *
 * <p>Logs the settings in effect once, at the first connection, and again only when they change.
 * Thread-safe.
 */
public final class SessionSettingsDataSource implements DataSource {
    private static final org.slf4j.Logger log = LoggerFactory.getLogger(SessionSettingsDataSource.class);

    private final PGSimpleDataSource driver;
    private final SessionDefaults defaults;
    private final AtomicReference<SessionSettings> last = new AtomicReference<>();

    /** {@code driver} is configured by the caller (URL, properties); credentials come per call. */
    public SessionSettingsDataSource(PGSimpleDataSource driver, SessionDefaults defaults) {
        this.driver = Objects.requireNonNull(driver, "driver");
        this.defaults = Objects.requireNonNull(defaults, "defaults");
    }

    @Override
    public Connection getConnection() throws SQLException {
        return prepare(driver.getConnection());
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return prepare(driver.getConnection(user, password));
    }

    private Connection prepare(Connection c) throws SQLException {
        try {
            SessionSettings settings = defaults.read(c);
            settings.applyTo(c);
            SessionSettings before = last.getAndSet(settings);
            if (before == null) {
                log.info("session settings (the database's for this user, on every writer connection): {}", settings);
            } else if (!before.equals(settings)) {
                log.info("session settings changed: {} (was {})", settings, before);
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return driver.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        driver.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        driver.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return driver.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return driver.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        return driver.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || driver.isWrapperFor(type);
    }
}

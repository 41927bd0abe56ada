package dev.ingest.api.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.slf4j.Marker;

/**
 * Drops the stack traces two libraries log for every lost database connection during an outage
 * or a failover: HikariCP's "connection marked as broken" and db-scheduler's "Unhandled exception.
 * Will keep running." when it cannot open a connection. The service's own components say the
 * same in one line each (the writers, readiness, the key lookups), and say when it works again.
 * Anything else those loggers say, and their failures of any other kind, are logged as before.
 */
public final class OutageNoiseFilter extends TurboFilter {
    private static final String HIKARI_CONNECTION = "com.zaxxer.hikari.pool.ProxyConnection";
    private static final String SCHEDULER = "com.github.kagkarlsson.scheduler";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (t == null || !level.isGreaterOrEqual(Level.WARN)) {
            return FilterReply.NEUTRAL;
        }
        String name = logger.getName();
        if ((name.equals(HIKARI_CONNECTION) || name.startsWith(SCHEDULER)) && connectionLost(t)) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }

    /** Whether the failure is the database going away: a connection refused, reset or ended, or none to be had. */
    static boolean connectionLost(Throwable t) {
        for (Throwable e = t; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof SQLTransientConnectionException || e instanceof ConnectException || e instanceof SocketException
                    || e instanceof EOFException) {
                return true;
            }
            if (e instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                        || state.equals("25006")) {
                    return true;
                }
            }
        }
        return false;
    }
}

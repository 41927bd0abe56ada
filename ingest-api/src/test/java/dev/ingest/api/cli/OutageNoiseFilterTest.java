package dev.ingest.api.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

class OutageNoiseFilterTest {
    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    OutageNoiseFilterTest() {
        OutageNoiseFilter filter = new OutageNoiseFilter();
        filter.start();
        context.addTurboFilter(filter);
        events.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(events);
    }

    @Test
    void connectionLossesOfHikariAndTheSchedulerAreDropped() {
        context.getLogger("com.zaxxer.hikari.pool.ProxyConnection").warn("ingest-writers - Connection marked as broken",
                new SQLException("FATAL: terminating connection due to unexpected postmaster exit", "57P01"));
        context.getLogger("com.github.kagkarlsson.scheduler.RunUntilShutdown").error("Unhandled exception. Will keep running.",
                new RuntimeException("Unable to open connection",
                        new SQLTransientConnectionException("ingest-writers - Connection is not available, request timed out after 5000ms")));
        assertThat(events.list).isEmpty();
    }

    @Test
    void everythingElseIsKept() {
        context.getLogger("com.github.kagkarlsson.scheduler.RunUntilShutdown").error("Unhandled exception. Will keep running.",
                new NullPointerException());
        context.getLogger("com.zaxxer.hikari.pool.ProxyConnection").warn("marked as broken",
                new SQLException("permission denied for table t", "42501"));
        context.getLogger("com.github.kagkarlsson.scheduler.Scheduler").warn("a warning without an exception");
        context.getLogger("dev.ingest.engine.internal.write.BatchWriter").warn("database unavailable",
                new PSQLException("connection refused", PSQLState.CONNECTION_UNABLE_TO_CONNECT));
        assertThat(events.list).extracting(ILoggingEvent::getLoggerName).containsExactly(
                "com.github.kagkarlsson.scheduler.RunUntilShutdown", "com.zaxxer.hikari.pool.ProxyConnection",
                "com.github.kagkarlsson.scheduler.Scheduler", "dev.ingest.engine.internal.write.BatchWriter");
    }
}

package dev.ingest.api.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;

class FailureLogTest {
    @Test
    void anOutageIsOneWarningAndOneLineWhenItEnds() {
        Logger logger = new LoggerContext().getLogger("test");
        logger.setLevel(Level.INFO);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        FailureLog lookups = new FailureLog(logger, "idempotency key lookup");

        lookups.worked();
        for (int i = 0; i < 1000; i++) {
            lookups.failed("table=public.hits message=no server accepts writes now");
        }
        lookups.worked();
        lookups.worked();
        lookups.failed("again");

        assertThat(events.list).extracting(e -> e.getLevel() + " " + e.getFormattedMessage()).containsExactly(
                "WARN idempotency key lookup failed: table=public.hits message=no server accepts writes now "
                        + "(the next failures are counted, not logged, until it works again)",
                "INFO idempotency key lookup works again, after 1000 failures",
                "WARN idempotency key lookup failed: again (the next failures are counted, not logged, until it works again)");
    }
}

package dev.ingest.api.cli;

import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;

/**
 * Logback's status listener for {@code logback.xml}: reports a problem in the logging setup (an
 * unknown {@code INGEST_LOG_FORMAT}, say) as one line on standard error, and stays silent
 * otherwise. Without a listener, Logback prints its whole status report, dozens of lines, on
 * standard output as soon as one of them is a warning; standard output is for what scripts capture.
 */
public final class LoggingSetupReporter extends ContextAwareBase implements StatusListener {
    @Override
    public void addStatusEvent(Status status) {
        if (status.getEffectiveLevel() >= Status.WARN) {
            System.err.println("ingest: logging setup: " + status.getMessage().strip()
                    + " (check INGEST_LOG_FORMAT=text|json and INGEST_LOG_LEVEL)");
        }
    }

    @Override
    public boolean isResetResistant() {
        return false;
    }
}

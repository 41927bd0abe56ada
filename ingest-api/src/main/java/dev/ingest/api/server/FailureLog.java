package dev.ingest.api.server;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * The log of something that fails for every request while the database is away (a failover, an
 * outage): one warning when it starts failing, one line when it works again with the number of
 * failures between; those in between go to debug. Without it, each request of an outage wrote a
 * warning. Thread-safe; {@link #worked()} costs one volatile read while nothing fails.
 */
final class FailureLog {
    private final Logger log;
    private final String what;
    private final AtomicLong failures = new AtomicLong();

    /** @param what what fails, as the log words it ("idempotency key lookup") */
    FailureLog(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    void failed(String detail) {
        if (failures.getAndIncrement() == 0) {
            log.warn("{} failed: {} (the next failures are counted, not logged, until it works again)", what, detail);
        } else {
            log.debug("{} failed: {}", what, detail);
        }
    }

    void worked() {
        if (failures.get() != 0) {
            long n = failures.getAndSet(0);
            if (n > 0) {
                log.info("{} works again, after {} failures", what, n);
            }
        }
    }
}

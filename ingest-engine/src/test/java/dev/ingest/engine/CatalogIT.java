package dev.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.ingest.engine.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How soon the catalog sees committed DDL, on an injected clock. */
@Timeout(60)
class CatalogIT {
    @Test
    void aSnapshotOlderThanTheIntervalIsRefreshedBehindTheCallerThatFindsItStale() throws Exception {
        TestDatabase.Database db = TestDatabase.create();
        db.execute("CREATE TABLE t (a int)");
        AtomicLong now = new AtomicLong();
        try (HikariDataSource ds = new HikariDataSource()) {
            ds.setJdbcUrl(db.jdbcUrl());
            ds.setUsername(db.user());
            ds.setPassword(db.password());
            Catalog catalog = new Catalog(ds, List.of("public"), false, Runnable::run, now::get, Duration.ofSeconds(1));
            catalog.load();
            String shapeBefore = catalog.find("t").orElseThrow().shape();
            db.execute("ALTER TABLE t ADD COLUMN b text");

            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(900));
            TableSchema young = catalog.resolve("t", false).get(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(young.indexOf("b")).as("within the interval: the snapshot as it is").isEqualTo(-1);
            assertThat(catalog.find("t").orElseThrow().indexOf("b")).isEqualTo(-1);

            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));
            TableSchema old = catalog.resolve("t", false).get(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(old.indexOf("b")).as("the caller is answered at once, from the old snapshot").isEqualTo(-1);
            // The refresh it started ran on the (direct) executor: the next caller sees the column.
            TableSchema fresh = catalog.find("t").orElseThrow();
            assertThat(fresh.indexOf("b")).isEqualTo(1);
            assertThat(fresh.shape()).isNotNull().isNotEqualTo(shapeBefore);
        }
    }
}

package dev.ingest.api.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingest.engine.testing.StoppableServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlConnectOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which server the reactive client's connections go to, with two real servers: one made
 * read-only ({@code default_transaction_read_only}, as pg_auto_failover holds a promoted standby
 * until the old primary is known to be gone), one writable; and a port where nothing listens.
 */
class WritableServerIT {
    private static Vertx vertx;
    private static StoppableServer a;
    private static StoppableServer b;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        a = StoppableServer.start();
        b = StoppableServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
        b.close();
        vertx.close().await();
    }

    /** Sets the server read-only or not; returns once a new session sees it (a reload is asynchronous). */
    private static void readOnly(StoppableServer s, boolean on) throws Exception {
        s.execute("ALTER SYSTEM SET default_transaction_read_only = " + on);
        s.execute("SELECT pg_reload_conf()");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Connection c = s.connect(); Statement st = c.createStatement();
                    ResultSet r = st.executeQuery("SELECT current_setting('default_transaction_read_only')::bool")) {
                r.next();
                if (r.getBoolean(1) == on) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("the reload took effect").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private static int portOf(StoppableServer s) {
        return DatabaseUrl.parse(s.url()).port();
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void theWritableServerIsChosenWhereverItIsListed() throws Exception {
        readOnly(a, true);
        try {
            DatabaseUrl url = DatabaseUrl.parse("postgresql://postgres@localhost:" + portOf(a) + ",localhost:" + portOf(b) + "/postgres");
            WritableServer servers = new WritableServer(vertx, url);
            SqlConnectOptions chosen = await(servers.get());
            assertThat(chosen.getPort()).isEqualTo(portOf(b));
            assertThat(chosen.getUser()).isEqualTo("postgres");

            // The roles change (a switchover): the next connection goes to the other server.
            readOnly(b, true);
            readOnly(a, false);
            assertThat(await(servers.get()).getPort()).isEqualTo(portOf(a));
        } finally {
            readOnly(a, false);
            readOnly(b, false);
        }
    }

    @Test
    void noWritableServerFailsNamingEachAndWhy() throws Exception {
        int nothing;
        try (var s = new java.net.ServerSocket(0)) {
            nothing = s.getLocalPort();
        }
        readOnly(a, true);
        try {
            DatabaseUrl url = DatabaseUrl.parse("postgresql://postgres@localhost:" + nothing + ",localhost:" + portOf(a) + "/postgres");
            WritableServer servers = new WritableServer(vertx, url);
            assertThatThrownBy(() -> await(servers.get())).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(WritableServer.NoWritableServer.class)
                    .hasMessageContaining("localhost:" + nothing + ": ").hasMessageContaining("localhost:" + portOf(a) + ": read-only");
        } finally {
            readOnly(a, false);
        }
    }

    @Test
    void oneServerIsTakenAsGivenUnlessThePrimaryIsAskedFor() throws Exception {
        readOnly(a, true);
        try {
            // As before multi-host URLs: the one server, whatever it is (a read-only one then refuses writes itself).
            assertThat(await(new WritableServer(vertx, DatabaseUrl.parse(a.url())).get()).getPort()).isEqualTo(portOf(a));
            assertThatThrownBy(() -> await(new WritableServer(vertx, DatabaseUrl.parse(a.url() + "?target_session_attrs=read-write")).get()))
                    .cause().isInstanceOf(WritableServer.NoWritableServer.class);
        } finally {
            readOnly(a, false);
        }
    }

    @Test
    void callsDuringASearchShareIt() throws Exception {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://postgres@localhost:" + portOf(a) + ",localhost:" + portOf(b) + "/postgres");
        WritableServer servers = new WritableServer(vertx, url);
        List<Future<Integer>> calls = List.of(servers.writable(), servers.writable(), servers.writable());
        assertThat(calls.get(1)).isSameAs(calls.get(0));
        assertThat(calls.get(2)).isSameAs(calls.get(0));
        assertThat(await(calls.get(0))).isZero();
    }
}

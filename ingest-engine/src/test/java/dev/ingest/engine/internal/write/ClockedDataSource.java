package dev.ingest.engine.internal.write;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The real database, seen through a {@link ManualClock}: each COMMIT (which the database really
 * does) moves the clock by the time the test set, so a batch "takes" that long without anyone
 * sleeping; the next {@code getConnection} calls can be refused as by a database that is down
 * (SQLSTATE 08001, transient); and a commit's answer can be lost after the database committed
 * (08006). Records the clock at each connection attempt and each commit.
 */
final class ClockedDataSource {
    /** What the writer is told when a connection is refused. */
    static final String REFUSED_STATE = "08001";
    /** What the writer is told when the answer to a COMMIT is lost. */
    static final String LOST_STATE = "08006";

    private final DataSource real;
    private final ManualClock clock;
    private final DataSource decorated;
    private final List<Long> connectionAttempts = new ArrayList<>();
    private final List<Long> commits = new ArrayList<>();
    private long commitNanos;
    private int refusals;
    private int lostAnswers;
    private int refusalsAfterLoss;

    ClockedDataSource(DataSource real, ManualClock clock) {
        this.real = real;
        this.clock = clock;
        this.decorated = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> method.getName().equals("getConnection") ? connect(method, args) : invoke(real, method, args));
    }

    DataSource dataSource() {
        return decorated;
    }

    /** From now on each commit takes {@code nanos} on the clock. */
    void commitsTake(long nanos) {
        this.commitNanos = nanos;
    }

    /** Refuses the next {@code count} connection attempts. */
    void refuseConnections(int count) {
        this.refusals = count;
    }

    /**
     * The next commit commits, then fails as a connection lost with COMMIT in flight; the
     * {@code refusalsAfter} connection attempts after it are refused.
     */
    void loseNextCommitAnswer(int refusalsAfter) {
        this.lostAnswers = 1;
        this.refusalsAfterLoss = refusalsAfter;
    }

    /** The clock at each {@code getConnection}, refused ones included. */
    List<Long> connectionAttempts() {
        return List.copyOf(connectionAttempts);
    }

    /** The clock when each commit returned. */
    List<Long> commits() {
        return List.copyOf(commits);
    }

    private Object connect(Method method, Object[] args) throws Throwable {
        connectionAttempts.add(clock.getAsLong());
        if (refusals > 0) {
            refusals--;
            throw new SQLException("connection refused (the test's database is down)", REFUSED_STATE);
        }
        Connection c = (Connection) invoke(real, method, args);
        InvocationHandler timed = (proxy, m, a) -> {
            if (m.getName().equals("commit")) {
                clock.advance(commitNanos);
                invoke(c, m, a);
                commits.add(clock.getAsLong());
                if (lostAnswers > 0) {
                    lostAnswers--;
                    refusals = refusalsAfterLoss;
                    throw new SQLException("I/O error: the connection was lost after COMMIT was sent", LOST_STATE);
                }
                return null;
            }
            return invoke(c, m, a);
        };
        return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, timed);
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}

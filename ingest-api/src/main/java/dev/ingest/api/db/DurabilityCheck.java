package dev.ingest.api.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What the server's settings mean for an acknowledgement, read at start on one of the writers'
 * connections (so with their session settings): {@code ack=commit} promises a record survives
 * once answered, which holds through a crash only with {@code synchronous_commit} on, and through
 * a failover only when a standby has the commit before it is answered.
 */
public final class DurabilityCheck {
    private DurabilityCheck() {
    }

    /**
     * The warnings for these settings, none when an acknowledged commit survives what can happen
     * to this server.
     *
     * @param severalServers the URL names more than one server (a failover is expected)
     */
    public static List<String> warnings(Connection c, boolean severalServers) throws SQLException {
        String synchronousCommit;
        String standbyNames;
        long replicas;
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT current_setting('synchronous_commit'), current_setting('synchronous_standby_names'), "
                        + "(SELECT count(*) FROM pg_stat_replication)")) {
            r.next();
            synchronousCommit = r.getString(1);
            standbyNames = r.getString(2).trim();
            replicas = r.getLong(3);
        }
        List<String> warnings = new ArrayList<>();
        if (synchronousCommit.equals("off")) {
            warnings.add("PostgreSQL's synchronous_commit is off for the service's sessions: a record answered as committed "
                    + "(ack=commit) can be lost if PostgreSQL crashes; set synchronous_commit = on for the service's role or database");
        }
        boolean replicated = severalServers || replicas > 0;
        if (replicated && (standbyNames.isEmpty() || synchronousCommit.equals("off") || synchronousCommit.equals("local"))) {
            warnings.add("PostgreSQL has no synchronous standby for the service's commits (" + (standbyNames.isEmpty()
                    ? "synchronous_standby_names is empty" : "synchronous_commit = " + synchronousCommit) + ", "
                    + replicas + " standby connected): a record answered as committed (ack=commit) can be lost if the primary "
                    + "fails and a standby that had not received it takes over; see the README's \"High availability\"");
        }
        return warnings;
    }
}

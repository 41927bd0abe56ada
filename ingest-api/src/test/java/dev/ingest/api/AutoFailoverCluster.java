package dev.ingest.api;

import dev.ingest.engine.testing.Executables;
import dev.ingest.engine.testing.ServerUser;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A real pg_auto_failover cluster on loopback, made and removed by the test: a monitor and two
 * PostgreSQL nodes (a primary and a synchronous standby) in a temporary directory, each run by
 * its own {@code pg_autoctl run}, from Debian's {@code postgresql-15-auto-failover}. The monitor
 * is tuned to notice a lost node within about two seconds and to give up on the old primary after
 * five (by default it waits 20 s and 30 s). Every command runs as the {@link ServerUser}, who owns
 * the directory.
 *
 * <p>{@link #skipReason()} says why a cluster cannot be made here (a test then is skipped with it).
 */
final class AutoFailoverCluster implements AutoCloseable {
    /** The database the nodes hold, made by pg_autoctl. */
    static final String DATABASE = "app";
    private static final Duration STATE_TIMEOUT = Duration.ofSeconds(120);

    private final Path dir;
    private final Path pgBin;
    private final String user = ServerUser.name();
    private final int monitorPort;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private Process monitor;

    /** One node: its data directory, port, and running keeper (null while killed). */
    private static final class Node {
        final String name;
        final Path data;
        final int port;
        Process keeper;

        Node(String name, Path data, int port) {
            this.name = name;
            this.data = data;
            this.port = port;
        }
    }

    private AutoFailoverCluster(Path dir, Path pgBin) throws IOException {
        this.dir = dir;
        this.pgBin = pgBin;
        this.monitorPort = freePort();
    }

    /** Null when a cluster can be made here, else what is missing. */
    static String skipReason() {
        if (pgAutoctl() == null) {
            return "pg_autoctl is not installed (apt-get install postgresql-15-auto-failover)";
        }
        if (DebianPostgres.binariesWith("plpgsql").isEmpty()) {
            return "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql-15)";
        }
        return ServerUser.unavailable();
    }

    /** Makes the monitor and two nodes and returns once node 1 is primary and node 2 its synchronous standby. */
    static AutoFailoverCluster start() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ingest-failover");
        AutoFailoverCluster c = new AutoFailoverCluster(dir, DebianPostgres.binariesWith("plpgsql").orElseThrow());
        try {
            ServerUser.own(dir);
            c.pgAutoctl("create", "monitor", "--pgdata", c.dir.resolve("monitor").toString(), "--pgport", Integer.toString(c.monitorPort),
                    "--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl");
            c.monitor = c.keeper(c.dir.resolve("monitor"), "monitor");
            c.awaitAnswer(c.monitorPort, "pg_auto_failover");
            try (Connection m = c.connect(c.monitorPort, "pg_auto_failover"); Statement s = m.createStatement()) {
                for (String setting : List.of("health_check_period=1000", "health_check_timeout=1000", "health_check_max_retries=1",
                        "health_check_retry_delay=500", "node_considered_unhealthy_timeout=2000", "primary_demote_timeout=5000")) {
                    String[] kv = setting.split("=");
                    s.execute("ALTER SYSTEM SET pgautofailover." + kv[0] + " = " + kv[1]);
                }
                s.execute("SELECT pg_reload_conf()");
            }
            for (String name : List.of("node_1", "node_2")) {
                Node node = new Node(name, c.dir.resolve(name), freePort());
                c.nodes.put(name, node);
                c.pgAutoctl("create", "postgres", "--pgdata", node.data.toString(), "--pgport", Integer.toString(node.port),
                        "--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl", "--name", name, "--dbname", DATABASE,
                        "--monitor", "postgres://autoctl_node@127.0.0.1:" + c.monitorPort + "/pg_auto_failover?sslmode=disable");
                node.keeper = c.keeper(node.data, name);
                // Alone, the first node is "single"; the second makes it "primary".
                c.awaitStates(name.equals("node_1") ? Map.of(name, "single") : Map.of("node_1", "primary", name, "secondary"));
            }
            return c;
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
    }

    /** {@code postgresql://user@127.0.0.1:p1,127.0.0.1:p2/app}, the nodes in order; {@code query} appended as given. */
    String url(String query) {
        StringBuilder hosts = new StringBuilder();
        for (Node n : nodes.values()) {
            hosts.append(hosts.length() == 0 ? "" : ",").append("127.0.0.1:").append(n.port);
        }
        return "postgresql://" + user + "@" + hosts + "/" + DATABASE + (query.isEmpty() ? "" : "?" + query);
    }

    /** The node the monitor has as primary now (reported and assigned). */
    String primary() throws SQLException {
        return states().entrySet().stream().filter(e -> e.getValue().equals("primary")).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("no primary: " + safeStates()));
    }

    /** The other node. */
    String standbyOf(String primary) {
        return nodes.keySet().stream().filter(n -> !n.equals(primary)).findFirst().orElseThrow();
    }

    /** A connection to a node's database, as the cluster's superuser. */
    Connection connect(String node) throws SQLException {
        return connect(nodes.get(node).port, DATABASE);
    }

    /** Whether the node accepts writes now (not in recovery, not read-only); false when it does not answer. */
    boolean acceptsWrites(String node) {
        try (Connection c = connect(node); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT NOT (pg_is_in_recovery() OR current_setting('transaction_read_only')::bool)")) {
            return r.next() && r.getBoolean(1);
        } catch (SQLException e) {
            return false;
        }
    }

    /** kill -9 of a whole node, its pg_autoctl and PostgreSQL: the machine is gone. */
    void killNode(String name) throws Exception {
        Node node = nodes.get(name);
        List<ProcessHandle> all = new ArrayList<>(node.keeper.descendants().toList());
        all.add(node.keeper.toHandle());
        postmaster(node).ifPresent(all::add);
        for (ProcessHandle p : all) {
            p.destroyForcibly();
        }
        for (ProcessHandle p : all) {
            p.onExit().get(30, TimeUnit.SECONDS);
        }
        node.keeper = null;
    }

    /** kill -9 of the node's postmaster alone; its pg_autoctl is left to start PostgreSQL again. */
    void killPostmaster(String name) throws Exception {
        ProcessHandle postmaster = postmaster(nodes.get(name)).orElseThrow(() -> new AssertionError("no postmaster for " + name));
        postmaster.destroyForcibly();
        postmaster.onExit().get(30, TimeUnit.SECONDS);
    }

    /** Starts a killed node's pg_autoctl again; it rejoins as a standby of whichever node is primary. */
    void restartNode(String name) throws Exception {
        Node node = nodes.get(name);
        node.keeper = keeper(node.data, name);
    }

    /** {@code pg_autoctl perform switchover}: a planned change of primary; returns when it is done. */
    void switchover() throws Exception {
        pgAutoctl("perform", "switchover", "--pgdata", dir.resolve("monitor").toString());
    }

    /** Waits until the monitor reports (and assigns) each named node the given state. */
    void awaitStates(Map<String, String> wanted) throws Exception {
        await("states " + wanted, () -> {
            Map<String, String> now = safeStates();
            return wanted.entrySet().stream().allMatch(w -> w.getValue().equals(now.get(w.getKey())));
        });
    }

    /** Node name to state, where reported and assigned states agree ("primary", "secondary", ...), else "reported->assigned". */
    Map<String, String> states() throws SQLException {
        Map<String, String> states = new LinkedHashMap<>();
        try (Connection m = connect(monitorPort, "pg_auto_failover"); Statement s = m.createStatement();
                ResultSet r = s.executeQuery("SELECT nodename, reportedstate, goalstate FROM pgautofailover.node ORDER BY nodeid")) {
            while (r.next()) {
                String reported = r.getString(2);
                String goal = r.getString(3);
                states.put(r.getString(1), reported.equals(goal) ? reported : reported + "->" + goal);
            }
        }
        return states;
    }

    private Map<String, String> safeStates() {
        try {
            return states();
        } catch (SQLException e) {
            return Map.of("monitor", e.getMessage());
        }
    }

    /** Polls {@code condition} until it holds; fails after the state timeout. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + STATE_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached in " + STATE_TIMEOUT.toSeconds() + " s: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    @Override
    public void close() throws IOException {
        List<Process> keepers = new ArrayList<>();
        for (Node n : nodes.values()) {
            if (n.keeper != null) {
                keepers.add(n.keeper);
            }
        }
        if (monitor != null) {
            keepers.add(monitor);
        }
        // SIGTERM: each pg_autoctl stops its PostgreSQL (fast shutdown) and exits.
        for (Process p : keepers) {
            p.descendants().filter(d -> d.info().command().map(cmd -> cmd.endsWith("pg_autoctl")).orElse(false))
                    .forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : keepers) {
            boolean ended;
            try {
                ended = p.waitFor(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ended = false;
            }
            if (!ended) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        for (Node n : nodes.values()) {
            postmaster(n).ifPresent(ProcessHandle::destroyForcibly);
        }
        postmasterOf(dir.resolve("monitor")).ifPresent(ProcessHandle::destroyForcibly);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private Optional<ProcessHandle> postmaster(Node node) throws IOException {
        return postmasterOf(node.data);
    }

    private static Optional<ProcessHandle> postmasterOf(Path data) throws IOException {
        Path pid = data.resolve("postmaster.pid");
        if (!Files.isRegularFile(pid)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pid);
        return lines.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
    }

    private Connection connect(int port, String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?connectTimeout=2", user, null);
    }

    private void awaitAnswer(int port, String database) {
        await("PostgreSQL on port " + port, () -> {
            try (Connection c = connect(port, database)) {
                return c.isValid(2);
            } catch (SQLException e) {
                return false;
            }
        });
    }

    /** Runs a pg_autoctl command to its end; fails with its output when it fails. */
    private void pgAutoctl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(pgAutoctl().toString()));
        command.addAll(List.of(args));
        run(command);
    }

    /** Starts {@code pg_autoctl run} for a data directory, its output in the directory's log. */
    private Process keeper(Path data, String name) throws IOException {
        return builder(List.of(pgAutoctl().toString(), "run", "--pgdata", data.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
    }

    private void run(List<String> command) throws Exception {
        ProcessBuilder pb = builder(command);
        Path log = dir.resolve("commands.log");
        Process p = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 120 s");
        }
        if (p.exitValue() != 0) {
            List<String> out = Files.readAllLines(log);
            throw new AssertionError(String.join(" ", command) + " exited with " + p.exitValue() + ":\n"
                    + String.join("\n", out.subList(Math.max(0, out.size() - 30), out.size())));
        }
    }

    /** A command run as the cluster's user, with pg_autoctl's files kept in the cluster's directory. */
    private ProcessBuilder builder(List<String> command) {
        List<String> full = new ArrayList<>(ServerUser.prefix());
        full.addAll(List.of("env", "PATH=" + pgBin + ":/usr/bin:/bin", "XDG_CONFIG_HOME=" + dir.resolve("config"),
                "XDG_DATA_HOME=" + dir.resolve("share"), "XDG_RUNTIME_DIR=" + dir.resolve("run"), "PG_CONFIG=" + pgBin.resolve("pg_config")));
        full.addAll(command);
        return new ProcessBuilder(full).directory(dir.toFile());
    }

    private static Path pgAutoctl() {
        return Executables.find("pg_autoctl");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.ConfigFile;
import dev.ingest.api.config.ConfigResolver;
import dev.ingest.api.config.ServiceConfig;
import dev.ingest.api.server.IngestService;
import dev.ingest.engine.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Date and time text is read under the database's own session settings, never the JVM's: a
 * database with its own {@code timezone}, a role with its own {@code DateStyle} and
 * {@code IntervalStyle}, and a service JVM in another zone. PostgreSQL is the oracle: the same
 * literal cast in a session set to the database's values, as psql would get them.
 *
 * <p>The JVM zone is changed in-process ({@link TimeZone#setDefault}) rather than in a child
 * process: pgjdbc reads {@code TimeZone.getDefault()} whenever it opens a connection, which is
 * exactly what {@code -Duser.timezone} or {@code TZ} decide, and the engine's pool opens its
 * connections in this JVM; failsafe runs test classes one after another, and the zone is restored
 * when the service is closed.
 */
@Timeout(180)
class SessionSettingsIT {
    private static final String[] TABLES = {"t_values", "t_unnest", "t_copy"};
    private static final String COLUMNS = "d date, ts timestamp, tstz timestamptz, iv interval, t time, ttz timetz";
    /** Per column: its type, then literals whose meaning depends on the session settings. */
    private static final Map<String, String> TYPES = Map.of(
            "d", "date", "ts", "timestamp", "tstz", "timestamptz", "iv", "interval", "t", "time", "ttz", "timetz");
    private static final List<Map<String, String>> RECORDS = List.of(
            Map.of("d", "01/02/2026", "ts", "01/02/2026 12:00:00", "tstz", "2026-03-01 12:00:00",
                    "iv", "-1 2:03:04", "t", "12:00:00", "ttz", "12:00:00"),
            Map.of("d", "03/04/26", "ts", "2026-07-01 00:30", "tstz", "05/06/2026 23:30:00.25",
                    "iv", "-1-2 +3 -4:05", "t", "23:59:59.5", "ttz", "00:00:01"));

    private static TestDatabase.Database admin;
    private static String database;
    private static String role;
    private static String jdbcUrl;
    private static ServiceFixture f;
    private static TimeZone jvmZone;

    @BeforeAll
    static void start() throws Exception {
        admin = TestDatabase.create();
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        database = "tz_" + suffix;
        role = "tz_writer_" + suffix;
        // An ordinary role (no superuser), owner of its own database, so that every setting below
        // stays inside this test.
        admin.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw'",
                "CREATE DATABASE " + database + " OWNER " + role,
                "ALTER DATABASE " + database + " SET timezone = 'Asia/Kolkata'",
                "ALTER DATABASE " + database + " SET IntervalStyle = 'postgres_verbose'", // the role's wins
                "ALTER ROLE " + role + " SET DateStyle = 'ISO, DMY'",
                "ALTER ROLE " + role + " SET IntervalStyle = 'sql_standard'");
        URI server = URI.create(admin.jdbcUrl().substring("jdbc:".length()));
        jdbcUrl = "jdbc:postgresql://" + server.getHost() + ":" + server.getPort() + "/" + database;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                s.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, " + COLUMNS + ")");
            }
        }
        Path file = Files.createTempFile("session-settings", ".yaml");
        Files.writeString(file, "tables:\n  t_values: {writer_mode: values}\n  t_unnest: {writer_mode: unnest}\n"
                + "  t_copy: {writer_mode: copy}\n");
        ServiceConfig config;
        try {
            config = ConfigResolver.resolve(new ConfigResolver.Flags("127.0.0.1", 0,
                    "postgresql://" + role + ":pw@" + server.getHost() + ":" + server.getPort() + "/" + database, null),
                    Map.of(), ConfigFile.read(file));
        } finally {
            Files.delete(file);
        }
        jvmZone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
        try {
            f = ServiceFixture.attach(null, IngestService.start(config));
        } catch (Exception | Error e) {
            TimeZone.setDefault(jvmZone);
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        try {
            if (f != null) {
                f.close();
            }
        } finally {
            TimeZone.setDefault(jvmZone);
            admin.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)", "DROP ROLE IF EXISTS " + role);
        }
    }

    @Test
    void everyWriterModeReadsTextAsPsqlWould() throws Exception {
        for (String table : TABLES) {
            HttpResponse<String> r = f.postJson(table, json(RECORDS, 0));
            assertThat(r.statusCode()).as(table + ": " + r.body()).isEqualTo(200);
            assertThat(ServiceFixture.json(r).getInteger("accepted")).as(table).isEqualTo(RECORDS.size());
        }
        try (Connection oracle = connect()) {
            setDatabaseValues(oracle, "Asia/Kolkata");
            for (String table : TABLES) {
                assertStoredAsOracle(oracle, table, RECORDS, 0);
            }
        }
    }

    @Test
    void newConnectionsLearnChangedSettings() throws Exception {
        admin.execute("ALTER DATABASE " + database + " SET timezone = 'Pacific/Chatham'");
        try {
            // The writers' connections end; the ones opened next must read the new zone.
            try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
                 PreparedStatement ps = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                         + "WHERE datname = ? AND usename = ? AND application_name = 'ingest'")) {
                ps.setString(1, database);
                ps.setString(2, role);
                ps.executeQuery().close();
            }
            int first = 100;
            for (String table : TABLES) {
                HttpResponse<String> r = postUntilAccepted(table, json(RECORDS, first));
                assertThat(ServiceFixture.json(r).getInteger("accepted")).as(table + ": " + r.body()).isEqualTo(RECORDS.size());
            }
            try (Connection oracle = connect()) {
                setDatabaseValues(oracle, "Pacific/Chatham");
                for (String table : TABLES) {
                    assertStoredAsOracle(oracle, table, RECORDS, first);
                }
            }
        } finally {
            admin.execute("ALTER DATABASE " + database + " SET timezone = 'Asia/Kolkata'");
        }
    }

    @Test
    void settingsTheUrlAsksForAreKept() throws Exception {
        // As PGOPTIONS for psql: the user's own choice, sent by pgjdbc and honoured by the probe.
        URI server = URI.create(admin.jdbcUrl().substring("jdbc:".length()));
        ServiceConfig config = ConfigResolver.resolve(new ConfigResolver.Flags("127.0.0.1", 0,
                "postgresql://" + role + ":pw@" + server.getHost() + ":" + server.getPort() + "/" + database
                        + "?options=-c%20TimeZone%3DUTC", null), Map.of(), ConfigFile.EMPTY);
        try (ServiceFixture utc = ServiceFixture.attach(null, IngestService.start(config))) {
            HttpResponse<String> r = utc.postJson("t_values", json(RECORDS, 200));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        try (Connection oracle = connect()) {
            setDatabaseValues(oracle, "UTC");
            assertStoredAsOracle(oracle, "t_values", RECORDS, 200);
        }
    }

    /** A request that met a connection the test just ended may be answered 503: the client retries, as told. */
    private static HttpResponse<String> postUntilAccepted(String table, String body) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            HttpResponse<String> r = f.postJson(table, body);
            if (r.statusCode() == 200 || System.nanoTime() > deadline) {
                assertThat(r.statusCode()).as(table + ": " + r.body()).isEqualTo(200);
                return r;
            }
            assertThat(r.statusCode()).as(table + ": " + r.body()).isEqualTo(503);
        }
    }

    /** The settings the test gave the database and role, set explicitly: the oracle's session is psql's. */
    private static void setDatabaseValues(Connection oracle, String timeZone) throws Exception {
        try (Statement s = oracle.createStatement()) {
            s.execute("SET TimeZone = '" + timeZone + "'");
            s.execute("SET DateStyle = 'ISO, DMY'");
            s.execute("SET IntervalStyle = 'sql_standard'");
        }
    }

    /** Every cell of {@code table} against the oracle's cast of its literal; all mismatches are listed at once. */
    private static void assertStoredAsOracle(Connection oracle, String table, List<Map<String, String>> records, int firstId)
            throws Exception {
        List<String> stored = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            for (Map.Entry<String, String> cell : new TreeMap<>(records.get(i)).entrySet()) {
                String column = cell.getKey();
                String label = table + "." + column + " '" + cell.getValue() + "' -> ";
                expected.add(label + single(oracle, "SELECT (?::" + TYPES.get(column) + ")::text", cell.getValue()));
                stored.add(label + single(oracle, "SELECT " + column + "::text FROM " + table + " WHERE id = ?::int",
                        Integer.toString(firstId + i)));
            }
        }
        assertThat(stored).isEqualTo(expected);
    }

    private static String single(Connection c, String sql, String parameter) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as(sql).isTrue();
                return rs.getString(1);
            }
        }
    }

    private static String json(List<Map<String, String>> records, int firstId) {
        List<String> objects = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            StringBuilder o = new StringBuilder("{\"id\": " + (firstId + i));
            records.get(i).forEach((k, v) -> o.append(", \"").append(k).append("\": \"").append(v).append('"'));
            objects.add(o.append('}').toString());
        }
        return "[" + String.join(", ", objects) + "]";
    }

    private static Connection connect() throws Exception {
        return DriverManager.getConnection(jdbcUrl, role, "pw");
    }
}

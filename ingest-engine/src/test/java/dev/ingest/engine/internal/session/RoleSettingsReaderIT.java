package dev.ingest.engine.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.SessionDefaults;
import dev.ingest.engine.SessionSettings;
import dev.ingest.engine.testing.TestDatabase;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.TimeZone;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine's own reader of the database's session settings, through pgjdbc alone: PostgreSQL's
 * precedence (role in database, role, database) over the server's configuration, for an ordinary
 * role, whatever zone the JVM is in.
 */
@Timeout(60)
class RoleSettingsReaderIT {
    private TestDatabase.Database admin;
    private String database;
    private String role;
    private String jdbcUrl;
    private TimeZone jvmZone;

    @BeforeEach
    void createRoleAndDatabase() {
        admin = TestDatabase.create();
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        database = "rs_" + suffix;
        role = "rs_writer_" + suffix;
        admin.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw'", "CREATE DATABASE " + database + " OWNER " + role);
        URI server = URI.create(admin.jdbcUrl().substring("jdbc:".length()));
        jdbcUrl = "jdbc:postgresql://" + server.getHost() + ":" + server.getPort() + "/" + database;
        jvmZone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
    }

    @AfterEach
    void drop() {
        TimeZone.setDefault(jvmZone);
        admin.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)", "DROP ROLE IF EXISTS " + role);
    }

    @Test
    void withNothingSetTheServerConfigurationApplies() throws Exception {
        try (Connection c = connect()) {
            String logZone;
            String order;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT current_setting('log_timezone'), current_setting('DateStyle')")) {
                rs.next();
                logZone = rs.getString(1);
                order = SessionSettings.dateOrderOf(rs.getString(2), "?");
            }
            assertThat(SessionDefaults.fromRoleSettings().read(c))
                    .isEqualTo(new SessionSettings(logZone, order, "postgres"));
        }
    }

    @Test
    void theMostSpecificSettingWins() throws Exception {
        admin.execute("ALTER DATABASE " + database + " SET timezone = 'Asia/Kolkata'",
                "ALTER ROLE " + role + " SET timezone = 'Europe/Berlin'",
                "ALTER ROLE " + role + " IN DATABASE " + database + " SET timezone = 'Pacific/Chatham'",
                "ALTER DATABASE " + database + " SET DateStyle = 'YMD'",
                "ALTER ROLE " + role + " SET DateStyle = 'German'",
                "ALTER DATABASE " + database + " SET IntervalStyle = 'postgres_verbose'",
                "ALTER ROLE " + role + " IN DATABASE " + database + " SET IntervalStyle = 'sql_standard'");
        try (Connection c = connect()) {
            assertThat(SessionDefaults.fromRoleSettings().read(c))
                    .isEqualTo(new SessionSettings("Pacific/Chatham", "DMY", "sql_standard"));
        }
        admin.execute("ALTER ROLE " + role + " IN DATABASE " + database + " RESET timezone",
                "ALTER ROLE " + role + " RESET DateStyle");
        try (Connection c = connect()) {
            assertThat(SessionDefaults.fromRoleSettings().read(c))
                    .isEqualTo(new SessionSettings("Europe/Berlin", "YMD", "sql_standard"));
        }
    }

    @Test
    void dateOrderIsReadAsPostgresqlReadsDateStyle() {
        assertThat(SessionSettings.dateOrderOf("ISO, DMY", "MDY")).isEqualTo("DMY");
        assertThat(SessionSettings.dateOrderOf("sql,euro", "MDY")).isEqualTo("DMY");
        assertThat(SessionSettings.dateOrderOf("Postgres, US", "DMY")).isEqualTo("MDY");
        assertThat(SessionSettings.dateOrderOf("SQL", "YMD")).isEqualTo("YMD");
        assertThat(SessionSettings.dateOrderOf("German", "MDY")).isEqualTo("DMY");
        assertThat(SessionSettings.dateOrderOf("German, YMD", "MDY")).isEqualTo("YMD");
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(jdbcUrl, role, "pw");
    }
}

package dev.ingest.api.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;

class DatabaseUrlTest {
    @Test
    void libpqStyleUrlsCarryCredentialsApartFromTheJdbcUrl() {
        DatabaseUrl u = DatabaseUrl.parse("postgresql://app:s%40cret%3A1@db.example:6543/warehouse?sslmode=require");
        assertThat(u).isEqualTo(new DatabaseUrl("db.example", 6543, "warehouse", "app", "s@cret:1", Map.of("sslmode", "require")));
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/warehouse?sslmode=require");
        assertThat(u.display()).isEqualTo("postgresql://app:***@db.example:6543/warehouse").doesNotContain("cret");
        assertThat(u.toString()).doesNotContain("cret");
        assertThat(u.primaryOnly()).isFalse();
    }

    @Test
    void jdbcUrlsTakeCredentialsFromTheQuery() {
        DatabaseUrl u = DatabaseUrl.parse("jdbc:postgresql://localhost/ingest?user=me&password=pw&ApplicationName=x");
        assertThat(u.servers()).containsExactly(new DatabaseUrl.Server("localhost", 5432));
        assertThat(u.user()).isEqualTo("me");
        assertThat(u.password()).isEqualTo("pw");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/ingest?ApplicationName=x");
        assertThat(u.connectOptions(u.servers().get(0)).getUser()).isEqualTo("me");
    }

    @Test
    void defaultsAndBadSchemes() {
        assertThat(DatabaseUrl.parse("postgres://h").database()).isEqualTo("postgres");
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://h/db")).hasMessageContaining("postgresql://");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql:///db")).hasMessageContaining("no host");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a:5432,/db")).hasMessageContaining("empty host");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a:http/db")).hasMessageContaining("port");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://a:70000/db")).hasMessageContaining("port");
    }

    @Test
    void severalHostsMeanTheWritableOneWhicheverFormNamesThem() {
        DatabaseUrl libpq = DatabaseUrl.parse("postgresql://app:pw@h1:5433,h2,[::1]:5434/db?target_session_attrs=read-write&sslmode=prefer");
        assertThat(libpq.servers()).containsExactly(new DatabaseUrl.Server("h1", 5433), new DatabaseUrl.Server("h2", 5432),
                new DatabaseUrl.Server("::1", 5434));
        assertThat(libpq.primaryOnly()).isTrue();
        assertThat(libpq.jdbcUrl()).isEqualTo("jdbc:postgresql://h1:5433,h2:5432,[::1]:5434/db?sslmode=prefer&targetServerType=primary");
        assertThat(libpq.display()).isEqualTo("postgresql://app:***@h1:5433,h2:5432,[::1]:5434/db");

        DatabaseUrl jdbc = DatabaseUrl.parse("jdbc:postgresql://h1:5433,h2:5434/db?targetServerType=primary&user=app");
        assertThat(jdbc.servers()).hasSize(2);
        assertThat(jdbc.primaryOnly()).isTrue();
        assertThat(jdbc.jdbcUrl()).isEqualTo("jdbc:postgresql://h1:5433,h2:5434/db?targetServerType=primary");

        // Several hosts and no target: the service writes, so it goes to the primary anyway.
        assertThat(DatabaseUrl.parse("postgresql://h1,h2/db").primaryOnly()).isTrue();
        assertThat(DatabaseUrl.parse("postgresql://h1,h2/db?target_session_attrs=any").jdbcUrl())
                .isEqualTo("jdbc:postgresql://h1:5432,h2:5432/db?targetServerType=primary");
        // One host asking for read-write is checked too (a primary turned standby answers read-only).
        assertThat(DatabaseUrl.parse("postgresql://h1/db?target_session_attrs=primary").primaryOnly()).isTrue();
    }

    @Test
    void pgjdbcReadsTheHostsAndTargetAsMeant() {
        String jdbc = DatabaseUrl.parse("postgresql://h1:5433,[::1]:5434/db?target_session_attrs=read-write").jdbcUrl();
        var p = Driver.parseURL(jdbc, null);
        assertThat(p.getProperty("PGHOST")).isEqualTo("h1,[::1]");
        assertThat(p.getProperty("PGPORT")).isEqualTo("5433,5434");
        assertThat(p.getProperty("PGDBNAME")).isEqualTo("db");
        assertThat(p.getProperty("targetServerType")).isEqualTo("primary");
    }

    @Test
    void aTargetThatIsNotThePrimaryIsRefused() {
        for (String target : List.of("target_session_attrs=standby", "target_session_attrs=read-only",
                "target_session_attrs=prefer-standby", "targetServerType=secondary", "targetServerType=preferSecondary")) {
            assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://h1,h2/db?" + target))
                    .as(target).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(target.substring(target.indexOf('=') + 1)).hasMessageContaining("primary");
        }
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://h1/db?target_session_attrs=sometimes"))
                .hasMessageContaining("sometimes");
    }
}

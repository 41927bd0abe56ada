package dev.ingest.api.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseUrlTest {
    @Test
    void libpqStyleUrlsCarryCredentialsApartFromTheJdbcUrl() {
        DatabaseUrl u = DatabaseUrl.parse("postgresql://app:s%40cret%3A1@db.example:6543/warehouse?sslmode=require");
        assertThat(u).isEqualTo(new DatabaseUrl("db.example", 6543, "warehouse", "app", "s@cret:1", Map.of("sslmode", "require")));
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/warehouse?sslmode=require");
        assertThat(u.display()).isEqualTo("postgresql://app:***@db.example:6543/warehouse").doesNotContain("cret");
        assertThat(u.toString()).doesNotContain("cret");
    }

    @Test
    void jdbcUrlsTakeCredentialsFromTheQuery() {
        DatabaseUrl u = DatabaseUrl.parse("jdbc:postgresql://localhost/ingest?user=me&password=pw&ApplicationName=x");
        assertThat(u.host()).isEqualTo("localhost");
        assertThat(u.port()).isEqualTo(5432);
        assertThat(u.user()).isEqualTo("me");
        assertThat(u.password()).isEqualTo("pw");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/ingest?ApplicationName=x");
        assertThat(u.connectOptions().getUser()).isEqualTo("me");
    }

    @Test
    void defaultsAndBadSchemes() {
        assertThat(DatabaseUrl.parse("postgres://h").database()).isEqualTo("postgres");
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://h/db")).hasMessageContaining("postgresql://");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql:///db")).hasMessageContaining("no host");
    }
}

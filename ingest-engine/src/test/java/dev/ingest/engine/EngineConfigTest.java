package dev.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineConfigTest {
    @Test
    void theDefaultsAreTheOnesTheJavadocStates() {
        EngineConfig d = EngineConfig.DEFAULTS;
        assertThat(d.jdbcUrl()).isEqualTo(EngineConfig.UNBOUND_URL);
        assertThat(d.schemas()).containsExactly("public");
        assertThat(d.poolSize()).isEqualTo(10);
        assertThat(d.writersPerTable()).isEqualTo(2);
        assertThat(d.queueCapacity()).isEqualTo(1024);
        assertThat(d.memoryBudgetBytes()).isEqualTo(256L * 1024 * 1024);
        assertThat(d.maxBatchRows()).isEqualTo(10_000);
        assertThat(d.minBatchRows()).isEqualTo(64);
        assertThat(d.batchLatencyTarget()).isEqualTo(Duration.ofMillis(50));
        assertThat(d.linger()).isEqualTo(Duration.ZERO);
        assertThat(d.writerMode()).isEqualTo(WriterMode.AUTO);
        assertThat(d.idempotencyRetention()).isEqualTo(Duration.ofHours(24));
        assertThat(d.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.retryBackoffMax()).isEqualTo(Duration.ofSeconds(5));
        // The values IngestEngine, BatchWriter, Housekeeper and MemoryBudget hard-code until they read these.
        assertThat(d.retryBackoffMin()).isEqualTo(Duration.ofMillis(50));
        assertThat(d.writerStopWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.writerIdlePark()).isEqualTo(Duration.ofMillis(100));
        assertThat(d.staleSchemaRetries()).isEqualTo(3);
        assertThat(d.catalogFreshness()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.catalogRefreshTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.housekeepingInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.housekeepingBatchRows()).isEqualTo(5000);
        assertThat(d.markerRetention()).isEqualTo(Duration.ofHours(1));
        assertThat(d.connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.initializationFailTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.poolMinimumIdle()).isEqualTo(1);
        assertThat(d.preparedStatementCacheMiB()).isEqualTo(16);
        assertThat(d.budgetRateWindow()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.retryAfterMax()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void forDatabaseBindsTheDatabaseAndKeepsEveryOtherValue() {
        EngineConfig tuned = EngineConfig.builder(EngineConfig.UNBOUND_URL).schemas(List.of("a", "b")).poolSize(3)
                .writerMode(WriterMode.COPY).tableWriterModes(Map.of("t", WriterMode.UNNEST)).minBatchRows(7)
                .housekeepingInterval(Duration.ofSeconds(9)).build();
        EngineConfig bound = tuned.forDatabase("jdbc:postgresql://h/db", "u", "secret");
        assertThat(bound.jdbcUrl()).isEqualTo("jdbc:postgresql://h/db");
        assertThat(bound.user()).isEqualTo("u");
        assertThat(bound.password()).isEqualTo("secret");
        assertThat(bound.forDatabase(EngineConfig.UNBOUND_URL, null, null)).isEqualTo(tuned);
        assertThat(bound.toString()).doesNotContain("secret");
    }

    @Test
    void invalidTunablesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> EngineConfig.builder(EngineConfig.UNBOUND_URL).writerIdlePark(Duration.ZERO).build())
                .hasMessageContaining("writerIdlePark");
        assertThatThrownBy(() -> EngineConfig.builder(EngineConfig.UNBOUND_URL).staleSchemaRetries(-1).build())
                .hasMessageContaining("staleSchemaRetries");
    }
}

package dev.ingest.api.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.EngineConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The defaults the records document (and the README repeats) are the ones a service without settings gets. */
class ConfigDefaultsTest {
    private static final ServiceConfig NOTHING_SET = ConfigResolver.resolve(new ConfigResolver.Flags(null, null, null, null),
            Map.of(), ConfigFile.EMPTY);

    @Test
    void aServiceWithoutSettingsGetsEveryRecordsDefaults() {
        assertThat(NOTHING_SET.http()).isEqualTo(HttpConfig.DEFAULTS);
        assertThat(NOTHING_SET.database()).isEqualTo(DatabaseConfig.DEFAULTS);
        assertThat(NOTHING_SET.engine()).isEqualTo(EngineConfig.DEFAULTS);
        assertThat(NOTHING_SET.streaming()).isEqualTo(StreamingConfig.DEFAULTS);
        assertThat(NOTHING_SET.imports()).isEqualTo(ImportsConfig.DEFAULTS);
        assertThat(NOTHING_SET.auth()).isEqualTo(AuthConfig.DEFAULTS);
        assertThat(NOTHING_SET.keepRejects()).isEmpty();
    }

    @Test
    void theHttpDefaultsAreTheDocumentedOnes() {
        HttpConfig h = HttpConfig.DEFAULTS;
        assertThat(h.host()).isEqualTo("127.0.0.1");
        assertThat(h.port()).isEqualTo(8080);
        assertThat(h.tls()).isNull();
        assertThat(h.transport()).isEqualTo(NetworkTransport.AUTO);
        assertThat(h.maxBodyBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(h.maxRecordsPerRequest()).isEqualTo(1_000_000);
        assertThat(h.requestTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(h.peerTimeouts()).isEqualTo(new PeerTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30)));
        assertThat(h.rateLimitPerKey()).isZero();
        assertThat(h.idleTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(h.createTableMaxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(h.healthCheckTimeout()).isEqualTo(Duration.ofMillis(800));
        assertThat(h.closeLingerBytes()).isEqualTo(2 * 1024 * 1024);
        assertThat(h.closeLinger()).isEqualTo(Duration.ofSeconds(5));
        assertThat(h.answerSliceBytes()).isEqualTo(64 * 1024);
        assertThat(h.unavailableRetryAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(h.maxHeaderBytes()).isEqualTo(16 * 1024);
        assertThat(h.maxInitialLineBytes()).isEqualTo(8 * 1024);
        assertThat(h.statusPoolSize()).isEqualTo(2);
        assertThat(h.startTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(h.stopMargin()).isEqualTo(Duration.ofSeconds(5));
        assertThat(h.vertxCloseTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theOtherAreasDefaultsAreTheDocumentedOnes() {
        assertThat(DatabaseConfig.DEFAULTS).isEqualTo(new DatabaseConfig(null, Path.of(".ingest"), Duration.ofSeconds(60),
                Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(60)));
        StreamingConfig s = StreamingConfig.DEFAULTS;
        assertThat(s.segmentRows()).isEqualTo(2000);
        assertThat(s.segmentBytes()).isEqualTo(4L * 1024 * 1024);
        assertThat(s.expansionEstimate()).isEqualTo(3);
        assertThat(s.replayLimitBytes()).isEqualTo(64 * 1024);
        ImportsConfig i = ImportsConfig.DEFAULTS;
        assertThat(i.jobs()).isEmpty();
        assertThat(i.chunkBytes()).isEqualTo(1024 * 1024);
        assertThat(i.maxChunkRecords()).isEqualTo(10_000);
        assertThat(i.chunksInFlight()).isEqualTo(4);
        assertThat(i.pollingInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(i.shutdownMaxWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(i.downloadConnectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(i.downloadTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(i.tableLookupTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(AuthConfig.DEFAULTS).isEqualTo(new AuthConfig(AuthMode.AUTO, Duration.ofSeconds(2)));
        ClientConfig c = ClientConfig.DEFAULTS;
        assertThat(c.url()).isEqualTo("http://127.0.0.1:8080");
        assertThat(c.token()).isNull();
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.chunkTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.createTableTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.retryBackoffMin()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.retryBackoffMax()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.waitPollInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.checkpointInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.progressInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.maxChunkRecords()).isEqualTo(10_000);
        assertThat(c.maxSampleBytes()).isEqualTo(16 << 20);
        assertThat(c.stopWait()).isEqualTo(Duration.ofSeconds(60));
    }
}

package dev.ingest.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingest.engine.EngineConfig;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.WriterMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigResolverTest {
    private static final ConfigResolver.Flags NO_FLAGS = new ConfigResolver.Flags(null, null, null, null);

    @Test
    void defaultsListenOnLoopbackWithAnEmbeddedDatabase() {
        ServiceConfig c = ConfigResolver.resolve(NO_FLAGS, Map.of(), ConfigFile.EMPTY);
        assertThat(c.http().host()).isEqualTo("127.0.0.1");
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.database().url()).isNull();
        assertThat(c.database().dataDir()).isEqualTo(Path.of(".ingest"));
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ingest.yaml");
        Files.writeString(file, """
                host: 10.0.0.1
                port: 7000
                database_url: postgresql://file@h/db
                partitions_as_tables: true
                engine:
                  max_batch_rows: 500
                  linger_ms: 5
                  writer_mode: unnest
                tables:
                  events:
                    writer_mode: copy
                """);
        ConfigFile parsed = ConfigFile.read(file);
        ServiceConfig fromFile = ConfigResolver.resolve(NO_FLAGS, Map.of(), parsed);
        assertThat(fromFile.http().port()).isEqualTo(7000);
        EngineConfig engine = fromFile.engine();
        assertThat(engine.maxBatchRows()).isEqualTo(500);
        assertThat(engine.linger()).isEqualTo(Duration.ofMillis(5));
        assertThat(engine.writerMode()).isEqualTo(WriterMode.UNNEST);
        assertThat(engine.tableWriterModes()).containsEntry("events", WriterMode.COPY);
        assertThat(engine.writersPerTable()).as("unset values keep the engine default").isEqualTo(2);
        assertThat(engine.partitionsAsTables()).isTrue();
        assertThat(ConfigResolver.resolve(NO_FLAGS, Map.of(), ConfigFile.EMPTY).engine().partitionsAsTables()).isFalse();
        ServiceConfig fromEnv = ConfigResolver.resolve(NO_FLAGS,
                Map.of("INGEST_PORT", "7100", "INGEST_DATABASE_URL", "postgresql://env@h/db"), parsed);
        assertThat(fromEnv.http().port()).isEqualTo(7100);
        assertThat(fromEnv.database().url()).isEqualTo("postgresql://env@h/db");
        assertThat(fromEnv.http().host()).isEqualTo("10.0.0.1");
        ServiceConfig fromFlags = ConfigResolver.resolve(new ConfigResolver.Flags("0.0.0.0", 7200, "postgresql://flag@h/db", file),
                Map.of("INGEST_PORT", "7100"), parsed);
        assertThat(fromFlags.http().port()).isEqualTo(7200);
        assertThat(fromFlags.http().host()).isEqualTo("0.0.0.0");
        assertThat(fromFlags.database().url()).isEqualTo("postgresql://flag@h/db");
    }

    @Test
    void keepRejectsComesFromTheEnvironmentOrTheFileAndMatchesQualifiedOrBareNames(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ingest.yaml");
        Files.writeString(file, """
                keep_rejects: [public.items, orders]
                """);
        ConfigFile parsed = ConfigFile.read(file);
        ServiceConfig fromFile = ConfigResolver.resolve(NO_FLAGS, Map.of(), parsed);
        assertThat(fromFile.keepRejects()).containsExactly("public.items", "orders");
        RejectsPolicy policy = fromFile.rejectsPolicy();
        assertThat(policy.keeps(new TableSchema("public", "items", List.of()))).isTrue();
        assertThat(policy.keeps(new TableSchema("sales", "items", List.of()))).as("qualified: that schema only").isFalse();
        assertThat(policy.keeps(new TableSchema("sales", "orders", List.of()))).as("bare: every schema").isTrue();
        assertThat(policy.keeps(new TableSchema("public", "other", List.of()))).isFalse();

        ServiceConfig fromEnv = ConfigResolver.resolve(NO_FLAGS, Map.of("INGEST_KEEP_REJECTS", " a.b , c "), parsed);
        assertThat(fromEnv.keepRejects()).containsExactly("a.b", "c");
        assertThat(ConfigResolver.resolve(NO_FLAGS, Map.of(), ConfigFile.EMPTY).rejectsPolicy())
                .isSameAs(RejectsPolicy.NONE);
        assertThatThrownBy(() -> ConfigResolver.resolve(NO_FLAGS, Map.of("INGEST_KEEP_REJECTS", "a.b.c"), parsed))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("keep_rejects: \"a.b.c\" is not a table name");
    }

    @Test
    void dataDirAndDatabaseStartTimeoutComeFromFlagEnvironmentOrFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ingest.yaml");
        Files.writeString(file, "data_dir: /from/file\ndatabase_start_timeout_seconds: 5\n");
        ConfigFile parsed = ConfigFile.read(file);
        ServiceConfig fromFile = ConfigResolver.resolve(NO_FLAGS, Map.of(), parsed);
        assertThat(fromFile.database().dataDir()).isEqualTo(Path.of("/from/file"));
        assertThat(fromFile.database().startTimeout()).hasSeconds(5);
        ServiceConfig fromEnv = ConfigResolver.resolve(NO_FLAGS,
                Map.of("INGEST_DATA_DIR", "/from/env", "INGEST_DATABASE_START_TIMEOUT", "7"), parsed);
        assertThat(fromEnv.database().dataDir()).isEqualTo(Path.of("/from/env"));
        assertThat(fromEnv.database().startTimeout()).hasSeconds(7);
        ServiceConfig fromFlag = ConfigResolver.resolve(new ConfigResolver.Flags(null, null, null, file, null, null, Path.of("/from/flag")),
                Map.of("INGEST_DATA_DIR", "/from/env"), parsed);
        assertThat(fromFlag.database().dataDir()).isEqualTo(Path.of("/from/flag"));
        assertThat(ConfigResolver.resolve(NO_FLAGS, Map.of(), ConfigFile.EMPTY).database().startTimeout()).hasSeconds(60);
        assertThatThrownBy(() -> ConfigResolver.resolve(NO_FLAGS, Map.of("INGEST_DATABASE_START_TIMEOUT", "soon"),
                ConfigFile.EMPTY)).hasMessageContaining("INGEST_DATABASE_START_TIMEOUT");
    }

    @Test
    void mistakesInTheFileAreReportedWithTheirLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "port: 8080\nprot: 9090\n");
        assertThatThrownBy(() -> ConfigFile.read(file)).hasMessageContaining("unknown key \"prot\"").hasMessageContaining("port");
        Path typo = dir.resolve("type.yaml");
        Files.writeString(typo, "host: h\nport: eighty\n");
        assertThatThrownBy(() -> ConfigFile.read(typo)).hasMessageContaining("line 2");
        assertThatThrownBy(() -> ConfigFile.read(dir.resolve("missing.yaml"))).hasMessageContaining("not found");
        assertThatThrownBy(() -> ConfigResolver.resolve(NO_FLAGS, Map.of("INGEST_PORT", "eighty"), ConfigFile.EMPTY))
                .hasMessageContaining("INGEST_PORT");
        Path badMode = dir.resolve("mode.yaml");
        Files.writeString(badMode, "engine:\n  writer_mode: turbo\n");
        ConfigFile parsed = ConfigFile.read(badMode);
        assertThatThrownBy(() -> ConfigResolver.resolve(NO_FLAGS, Map.of(), parsed))
                .hasMessageContaining("turbo");
        Path badTransport = dir.resolve("transport.yaml");
        Files.writeString(badTransport, "transport: carrier-pigeon\n");
        ConfigFile parsedTransport = ConfigFile.read(badTransport);
        assertThatThrownBy(() -> ConfigResolver.resolve(NO_FLAGS, Map.of(), parsedTransport))
                .hasMessageContaining("carrier-pigeon");
        Path badBatch = dir.resolve("batch.yaml");
        Files.writeString(badBatch, "engine:\n  max_batch_rows: 0\n");
        ConfigFile parsedBatch = ConfigFile.read(badBatch);
        assertThatThrownBy(() -> ConfigResolver.resolve(NO_FLAGS, Map.of(), parsedBatch))
                .hasMessageContaining("maxBatchRows");
    }

    @Test
    void anEmptyOrCommentOnlyFileMeansDefaults(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("empty.yaml");
        Files.writeString(empty, "");
        Path comments = dir.resolve("comments.yaml");
        Files.writeString(comments, "# nothing set yet\n");
        assertThat(ConfigFile.read(empty)).isEqualTo(ConfigFile.EMPTY);
        assertThat(ConfigFile.read(comments)).isEqualTo(ConfigFile.EMPTY);
    }

    @Test
    void theExampleConfigInTheRepositoryIsValid() throws Exception {
        Path example = Path.of("..", "ingest.example.yaml");
        ServiceConfig c = ConfigResolver.resolve(NO_FLAGS, Map.of(), ConfigFile.read(example));
        assertThat(c.http().host()).isEqualTo("127.0.0.1");
        assertThat(c.http().transport()).isEqualTo(NetworkTransport.AUTO);
        assertThat(c.imports().jobs()).extracting(j -> j.name()).containsExactly("events-hourly", "partner-feed");
        assertThat(c.imports().jobs().get(0).zone().getId()).isEqualTo("Europe/Paris");
        assertThat(c.imports().jobs().get(1).fromUrl()).isTrue();
    }

    @Test
    void aClientTakesTheFlagThenTheEnvironmentThenTheDefault() {
        Map<String, String> env = Map.of("INGEST_URL", "http://env:8080", "INGEST_TOKEN", "from-env");
        ClientConfig flags = ConfigResolver.client("http://flag:8080", "from-flag", env);
        assertThat(flags.url()).isEqualTo("http://flag:8080");
        assertThat(flags.token()).isEqualTo("from-flag");
        ClientConfig fromEnv = ConfigResolver.client(null, null, env);
        assertThat(fromEnv.url()).isEqualTo("http://env:8080");
        assertThat(fromEnv.token()).isEqualTo("from-env");
        ClientConfig defaults = ConfigResolver.client(null, null, Map.of("INGEST_TOKEN", " "));
        assertThat(defaults.url()).isEqualTo("http://127.0.0.1:8080");
        assertThat(defaults.token()).as("a blank token is none").isNull();
        assertThat(ConfigResolver.client(null, "", env).token()).as("an empty --token sends none").isNull();
        assertThat(flags.toString()).doesNotContain("from-flag");
    }

    @Test
    void thePasswordNeverAppearsInToString() {
        ServiceConfig c = ConfigResolver.resolve(new ConfigResolver.Flags(null, null, "postgresql://u:topsecret@h/db", null),
                Map.of(), ConfigFile.EMPTY);
        assertThat(c.toString()).doesNotContain("topsecret").contains("u:***@h");
    }
}

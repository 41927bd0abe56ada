package dev.ingest.api.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The YAML configuration file of {@code ingest serve --config FILE}. Every field is optional;
 * unknown keys are an error, so that a typo is reported instead of silently ignored. Keys are
 * snake_case (see {@code ingest.example.yaml} at the repository root).
 */
public record ConfigFile(
        String host,
        Integer port,
        String databaseUrl,
        String dataDir,
        List<String> schemas,
        Long maxBodyBytes,
        Integer maxRecordsPerRequest,
        Long requestTimeoutSeconds,
        Double rateLimitPerKey,
        String auth,
        String transport,
        String tlsCert,
        String tlsKey,
        Engine engine,
        Map<String, Table> tables,
        List<Import> imports,
        Long bodyIdleTimeoutSeconds,
        Long writeTimeoutSeconds,
        List<String> keepRejects,
        Long databaseStartTimeoutSeconds,
        Boolean partitionsAsTables) {

    /** Engine tunables, all optional; see {@code EngineConfig} for what each does. */
    public record Engine(
            Integer poolSize,
            Integer writersPerTable,
            Integer queueCapacity,
            Long memoryBudgetMb,
            Integer maxBatchRows,
            Integer minBatchRows,
            Long batchLatencyTargetMs,
            Long lingerMs,
            String writerMode,
            Long idempotencyRetentionHours,
            Long shutdownGraceSeconds) {
        static final Engine EMPTY = new Engine(null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Settings of one table, keyed by {@code table} or {@code schema.table}. */
    public record Table(String writerMode) {
    }

    /** A scheduled import job, as written; validated into an {@code ImportJob}. */
    public record Import(String name, String cron, String timezone, String source, String table, String format,
            String onConflict, String after, String doneDir) {
    }

    public static final ConfigFile EMPTY = new ConfigFile(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null);

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Reads {@code file}; the message of the exception names the file and the offending line. */
    public static ConfigFile read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("config file not found: " + file);
        }
        if (Files.readString(file).isBlank()) {
            return EMPTY; // an empty file means all defaults
        }
        try {
            ConfigFile c = YAML.readValue(file.toFile(), ConfigFile.class);
            return c == null ? EMPTY : c;
        } catch (UnrecognizedPropertyException e) {
            throw new IOException("invalid config file " + file + ": unknown key \"" + e.getPropertyName()
                    + "\"; known keys here: " + e.getKnownPropertyIds(), e);
        } catch (MismatchedInputException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("No content to map")) {
                return EMPTY; // only comments
            }
            throw new IOException("invalid config file " + file + ": " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        } catch (JsonMappingException e) {
            throw new IOException("invalid config file " + file + ": " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        }
    }

    public Engine engineOrEmpty() {
        return engine == null ? Engine.EMPTY : engine;
    }

    public List<Import> importsOrEmpty() {
        return imports == null ? List.of() : imports;
    }

    public Map<String, Table> tablesOrEmpty() {
        return tables == null ? Map.of() : tables;
    }
}

package dev.ingest.perf.jmh;

import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.JsonNumber;
import dev.ingest.engine.JsonText;
import dev.ingest.engine.RecordSink;
import dev.ingest.engine.RequestBuilder;
import dev.ingest.engine.TableSchema;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-record conversion, the engine's part of every record's cost: one {@code events} record
 * (as the JSON decoder hands it over) checked and turned into PostgreSQL text.
 * Run: {@code perf/jmh ConversionBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConversionBenchmark {
    public static final TableSchema EVENTS = new TableSchema("public", "events", List.of(
            new ColumnSchema("id", "bigint", ColumnKind.BIGINT, null, false, true, false),
            new ColumnSchema("event_id", "uuid", ColumnKind.UUID, null, false, false, true),
            new ColumnSchema("ts", "timestamp with time zone", ColumnKind.OTHER, null, false, false, true),
            new ColumnSchema("source", "text", ColumnKind.TEXT, null, false, false, true),
            new ColumnSchema("kind", "text", ColumnKind.TEXT, null, false, false, true),
            new ColumnSchema("user_id", "bigint", ColumnKind.BIGINT, null, true, false, true),
            new ColumnSchema("value", "double precision", ColumnKind.FLOAT, null, true, false, true),
            new ColumnSchema("payload", "jsonb", ColumnKind.JSON, null, true, false, true)));

    private final Object[] record = {RecordSink.ABSENT, "4b3e1c2a-8f6d-4a1b-9c3e-2d5f6a7b8c9d", "2026-01-01T12:00:00Z",
        "web", "click", 42L, new JsonNumber("1.5"),
        new JsonText("{\"session\":\"abcdef0123456789\",\"page\":\"/p/1\",\"n\":1,\"tags\":[\"a\",\"b\"]}")};

    @Benchmark
    public RequestBuilder convertOneRecord() {
        return IngestRequest.builder(EVENTS).add(record);
    }
}

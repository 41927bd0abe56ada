package dev.ingest.engine.internal.write;

import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.JsonNumber;
import dev.ingest.engine.JsonText;
import dev.ingest.engine.RecordSink;
import dev.ingest.engine.TableSchema;
import dev.ingest.perf.jmh.ConversionBenchmark;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The batch builder: grouping a batch's rows by column set and building the multi-row VALUES
 * statement text, per batch of {@code requests} one-record requests. In the engine's package
 * (white-box, as a test would be) to reach its package-private classes.
 * Run: {@code perf/jmh BatchBuilderBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BatchBuilderBenchmark {
    @Param({"64", "1024"})
    int requests;

    private List<IngestRequest> batch;
    private TableSchema table;

    @Setup
    public void setUp() {
        table = ConversionBenchmark.EVENTS;
        batch = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            batch.add(IngestRequest.builder(table).add(new Object[] {RecordSink.ABSENT,
                String.format("4b3e1c2a-8f6d-4a1b-9c3e-%012x", i), "2026-01-01T12:00:00Z", "web", "click", (long) i,
                new JsonNumber("1.5"), new JsonText("{\"n\":" + i + "}")}).build());
        }
    }

    @Benchmark
    public List<RowGroup> groupRows() {
        return RowGroup.of(batch);
    }

    @Benchmark
    public String valuesStatement() {
        RowGroup g = RowGroup.of(batch).get(0);
        return ValuesInsert.sql(g.table, g.columns, ValuesInsert.INSTANCE.nextChunk(g, g.size()));
    }
}

package dev.ingest.perf.jmh;

import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.internal.admit.InFlight;
import dev.ingest.engine.internal.admit.MemoryBudget;
import dev.ingest.engine.internal.queue.RequestQueue;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The queue path between request threads and a writer: three producers offering to one
 * {@link RequestQueue} while its single consumer polls, as event loops and a writer do.
 * Run: {@code perf/jmh QueueBenchmark}.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QueueBenchmark {
    private final RequestQueue queue = new RequestQueue(1024);
    private final InFlight request = new InFlight(IngestRequest.builder(new TableSchema("public", "t",
            List.of(new ColumnSchema("v", "text", ColumnKind.TEXT, null, true, false, true)))).add(new Object[] {"x"}).build(),
            new MemoryBudget(Long.MAX_VALUE, System::nanoTime, TimeUnit.SECONDS.toNanos(1), 60), 0);

    @Benchmark
    @Group("mpsc")
    @GroupThreads(3)
    public boolean offer() {
        return queue.offer(request);
    }

    @Benchmark
    @Group("mpsc")
    @GroupThreads(1)
    public InFlight poll() {
        return queue.poll();
    }
}

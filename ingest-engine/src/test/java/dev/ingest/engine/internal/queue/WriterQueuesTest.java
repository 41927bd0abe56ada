package dev.ingest.engine.internal.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.RequestBuilder;
import dev.ingest.engine.TableSchema;
import dev.ingest.engine.internal.admit.InFlight;
import dev.ingest.engine.internal.admit.MemoryBudget;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How a table's writer queues are filled: in turn, the next writer taking what would wait too long. */
class WriterQueuesTest {
    private static final TableSchema TABLE = new TableSchema("public", "t",
            List.of(new ColumnSchema("id", "bigint", ColumnKind.BIGINT, null, false, false, true, "pg_catalog.int8")), List.of("id"));
    private final MemoryBudget budget = new MemoryBudget(1L << 30, System::nanoTime, TimeUnit.SECONDS.toNanos(1), 60);
    private final RequestQueue first = new RequestQueue(1024);
    private final RequestQueue second = new RequestQueue(1024);
    private final WriterQueues queues = new WriterQueues(List.of(first, second));

    @Test
    void smallRequestsAllGoToTheFirstWriterWhileItHasLessThanABatchWaiting() {
        int requests = WriterQueues.SPILL_ROWS - 1;
        for (int i = 0; i < requests; i++) {
            assertThat(queues.offer(request(1))).isTrue();
        }
        assertThat(first.size()).isEqualTo(requests);
        assertThat(first.rows()).isEqualTo(requests);
        assertThat(second.size()).isZero();
    }

    @Test
    void theNextWriterTakesRequestsOnceTheFirstHasABatchWaiting() {
        queues.offer(request(WriterQueues.SPILL_ROWS));
        queues.offer(request(10));
        assertThat(first.rows()).isEqualTo(WriterQueues.SPILL_ROWS);
        assertThat(second.rows()).isEqualTo(10);
    }

    @Test
    void whatTheFirstWriterTakesFromItsQueueMakesRoomThereAgain() {
        queues.offer(request(WriterQueues.SPILL_ROWS));
        assertThat(first.poll()).isNotNull();
        assertThat(first.rows()).isZero();
        queues.offer(request(10));
        assertThat(first.rows()).isEqualTo(10);
        assertThat(second.rows()).isZero();
    }

    @Test
    void whenEveryWriterHasABatchWaitingTheOneWithTheFewestRecordsTakesTheRequest() {
        queues.offer(request(2 * WriterQueues.SPILL_ROWS));
        queues.offer(request(WriterQueues.SPILL_ROWS));
        queues.offer(request(7));
        assertThat(first.rows()).isEqualTo(2 * WriterQueues.SPILL_ROWS);
        assertThat(second.rows()).isEqualTo(WriterQueues.SPILL_ROWS + 7);
    }

    @Test
    void aFullQueueIsPassedOverAndOnlyAllFullRefuses() {
        RequestQueue tiny = new RequestQueue(2);
        RequestQueue other = new RequestQueue(2);
        WriterQueues two = new WriterQueues(List.of(tiny, other));
        for (int i = 0; i < 4; i++) {
            assertThat(two.offer(request(1))).as("request %d", i).isTrue();
        }
        assertThat(tiny.size()).isEqualTo(2);
        assertThat(other.size()).isEqualTo(2);
        assertThat(two.offer(request(1))).isFalse();
        assertThat(tiny.rows() + other.rows()).as("a refused request is not counted").isEqualTo(4);
    }

    private InFlight request(int rows) {
        RequestBuilder b = IngestRequest.builder(TABLE);
        for (int i = 0; i < rows; i++) {
            b.add(new Object[] {Integer.toString(i)});
        }
        IngestRequest r = b.build();
        return new InFlight(r, budget, r.bytes());
    }
}

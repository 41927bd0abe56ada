package dev.ingest.api.load;

import java.nio.charset.StandardCharsets;

/**
 * A run of whole records of one input, sent as one request.
 *
 * @param offset    where its first record starts in the (decompressed) input: with the input's
 *                  identity, it names the chunk across runs (its Idempotency-Key)
 * @param end       where the input continues after it
 * @param firstLine the input line its first record starts on (1-based)
 * @param endLine   the input line {@link #end} is on
 * @param body      what is sent: the records, one per line, after the CSV header when there is one
 * @param starts    where each record starts in {@code body}, and one more: where the last ends
 * @param lines     each record's line, counted from {@code firstLine}
 */
public record Chunk(long offset, long end, long firstLine, long endLine, byte[] body, int[] starts, int[] lines) {

    public int records() {
        return starts.length - 1;
    }

    /** The text of record {@code index} (0-based in this chunk), without its line break. */
    public String record(int index) {
        int from = starts[index];
        int to = starts[index + 1];
        while (to > from && (body[to - 1] == '\n' || body[to - 1] == '\r')) {
            to--;
        }
        return new String(body, from, to - from, StandardCharsets.UTF_8);
    }

    /** The input line record {@code index} starts on. */
    public long line(int index) {
        return firstLine + lines[index];
    }
}

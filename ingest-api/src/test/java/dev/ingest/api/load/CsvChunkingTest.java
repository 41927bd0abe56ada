package dev.ingest.api.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.api.config.ClientConfig;
import dev.ingest.api.formats.BodyException;
import dev.ingest.api.formats.CsvCorpus;
import dev.ingest.api.formats.Format;
import dev.ingest.api.formats.StreamDecoder;
import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.Rejection;
import dev.ingest.engine.RequestBuilder;
import dev.ingest.engine.TableSchema;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The chunks {@code ingest load} and imports cut from a CSV file decode to the records of the whole file. */
class CsvChunkingTest {
    private static final TableSchema TABLE = new TableSchema("public", "t", List.of(
            new ColumnSchema("a", "text", ColumnKind.TEXT, null, true, false, true),
            new ColumnSchema("b", "text", ColumnKind.TEXT, null, true, false, true)));
    private static final Pattern LINE = Pattern.compile("^line (\\d+): ");

    static List<CsvCorpus.Case> corpus() {
        return CsvCorpus.all().stream().filter(c -> c.records() > 0).toList();
    }

    /** Records as "index values" or "index refused sqlstate line message", indexes and lines counted in the file. */
    private static List<String> decode(byte[] body, int firstIndex, Chunk chunk) throws BodyException {
        RequestBuilder into = IngestRequest.builder(TABLE, firstIndex);
        StreamDecoder decoder = Format.CSV.decoder(TABLE, StreamDecoder.MAX_RECORD_BYTES, Integer.MAX_VALUE);
        decoder.feed(body, into);
        decoder.end(into);
        IngestRequest r = into.build();
        List<String> out = new ArrayList<>();
        for (IngestRequest.Row row : r.rows()) {
            out.add(row.index() + " " + Arrays.toString(row.values()));
        }
        for (Rejection j : r.rejectedEarly()) {
            Matcher m = LINE.matcher(j.message());
            assertThat(m.find()).as(j.message()).isTrue();
            long line = chunk == null ? Long.parseLong(m.group(1)) : chunk.line(j.index() - firstIndex);
            out.add(j.index() + " refused " + j.sqlstate() + " line " + line + " " + j.message().substring(m.end()));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void chunksDecodeToTheRecordsOfTheWholeFile(CsvCorpus.Case c) throws Exception {
        List<String> whole = decode(c.body(), 0, null);
        whole.sort(null);
        for (int chunkBytes : new int[] {1, 7, 64, 1 << 20}) {
            ChunkReader reader = Chunking.open(new ByteArrayInputStream(c.body()), Format.CSV, chunkBytes,
                    ClientConfig.DEFAULTS.maxChunkRecords(), 0, 1, RecordTap.NONE).reader();
            List<String> chunked = new ArrayList<>();
            int index = 0;
            for (Chunk chunk = reader.next(); chunk != null; chunk = reader.next()) {
                chunked.addAll(decode(chunk.body(), index, chunk));
                index += chunk.records();
            }
            chunked.sort(null);
            assertThat(chunked).as("chunks of " + chunkBytes + " bytes").isEqualTo(whole);
        }
    }
}

package dev.ingest.api.load;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingest.api.config.ClientConfig;
import dev.ingest.api.formats.Format;
import dev.ingest.api.formats.FramedInput;
import dev.ingest.api.formats.RecordFramer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How inputs are cut into chunks: at record boundaries, deterministically, resumably. */
class ChunkReaderTest {
    private static final int MAX_RECORDS = ClientConfig.DEFAULTS.maxChunkRecords();

    private static InputStream in(String text) {
        return new ByteArrayInputStream(text.getBytes(UTF_8));
    }

    private static List<Chunk> all(ChunkReader reader) throws IOException {
        List<Chunk> chunks = new ArrayList<>();
        for (Chunk c = reader.next(); c != null; c = reader.next()) {
            chunks.add(c);
        }
        return chunks;
    }

    private static List<String> records(List<Chunk> chunks) {
        List<String> out = new ArrayList<>();
        for (Chunk c : chunks) {
            for (int i = 0; i < c.records(); i++) {
                out.add(c.record(i));
            }
        }
        return out;
    }

    private static List<Chunk> csv(String text, int chunkBytes) throws IOException {
        RecordFramer framer = Format.CSV.framer();
        LineChunkReader.Header h = LineChunkReader.readHeader(in(text), framer, 1 << 20, RecordTap.NONE);
        return all(new LineChunkReader(h.rest(), new FramedInput(framer, h.offset(), h.line()), h.row(), chunkBytes, MAX_RECORDS,
                1 << 20, RecordTap.NONE));
    }

    private static LineChunkReader ndjson(InputStream in, long offset, long line, int chunkBytes, int maxRecordBytes) {
        return new LineChunkReader(in, new FramedInput(Format.NDJSON.framer(), offset, line), null, chunkBytes, MAX_RECORDS,
                maxRecordBytes, RecordTap.NONE);
    }

    @Test
    void csvChunksCutBetweenRecordsNeverInsideQuotesAndEachStartsWithTheHeader() throws IOException {
        String text = "a,b\n1,\"x\ny\"\n\n2,\"he said \"\"hi\"\"\"\r\n3,z";
        List<Chunk> chunks = csv(text, 1024);
        // A blank line is a record (one NULL field), as in COPY; the file's bytes are sent as they are.
        assertThat(records(chunks)).containsExactly("1,\"x\ny\"", "", "2,\"he said \"\"hi\"\"\"", "3,z");
        assertThat(new String(chunks.get(0).body(), UTF_8)).isEqualTo(text);
        assertThat(chunks.get(0).line(0)).isEqualTo(2);
        assertThat(chunks.get(0).line(1)).isEqualTo(4); // after the quoted line break
        assertThat(chunks.get(0).line(2)).isEqualTo(5);
        assertThat(chunks.get(0).line(3)).isEqualTo(6);

        List<Chunk> small = csv(text, 4); // one record per chunk
        assertThat(small).hasSize(4);
        assertThat(small).allSatisfy(c -> assertThat(new String(c.body(), UTF_8)).startsWith("a,b\n"));
        assertThat(records(small)).isEqualTo(records(chunks));
        // Chunks tile the input: each ends where the next begins.
        assertThat(small.get(0).offset()).isEqualTo(4);
        assertThat(small.get(1).offset()).isEqualTo(small.get(0).end());
        assertThat(small.get(3).end()).isEqualTo(text.length());
    }

    @Test
    void aResumedReaderCutsTheSameChunksFromTheCheckpoint() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            b.append("{\"n\":").append(i).append(i % 7 == 0 ? ",\"s\":\"long long long long\"" : "").append("}\n");
        }
        String text = b.toString();
        List<Chunk> whole = all(ndjson(in(text), 0, 1, 256, 1 << 20));
        assertThat(whole.size()).isGreaterThan(10);
        Chunk third = whole.get(3);
        InputStream rest = in(text);
        assertThat(rest.skip(whole.get(2).end())).isEqualTo(whole.get(2).end());
        List<Chunk> resumed = all(ndjson(rest, whole.get(2).end(), whole.get(2).endLine(), 256, 1 << 20));
        assertThat(resumed.get(0).offset()).isEqualTo(third.offset());
        assertThat(resumed.get(0).firstLine()).isEqualTo(third.firstLine());
        assertThat(resumed).extracting(Chunk::offset).containsExactlyElementsOf(whole.subList(3, whole.size()).stream().map(Chunk::offset).toList());
        assertThat(records(whole)).hasSize(500);
    }

    @Test
    void aChunkHoldsAtMostTheRecordLimit() throws IOException {
        String text = "{}\n".repeat(MAX_RECORDS + 5);
        List<Chunk> chunks = all(ndjson(in(text), 0, 1, 1 << 24, 1 << 20));
        assertThat(chunks).extracting(Chunk::records).containsExactly(MAX_RECORDS, 5);
    }

    @Test
    void aRecordLongerThanTheLimitIsAnError() {
        String text = "{\"a\":\"" + "x".repeat(5000) + "\"}\n";
        assertThatThrownBy(() -> all(ndjson(in(text), 0, 1, 1024, 1000)))
                .isInstanceOf(ChunkReader.MalformedInputException.class).hasMessageContaining("longer than 1000 bytes");
    }

    @Test
    void jsonArraysBecomeOneRecordPerLineWithTheElementsExactBytes() throws IOException {
        String text = "[\n  {\"a\": 1.10000000000000000001, \"b\": [1, {\"c\": null}], \"a\": \"dup\"},\n  42,\n  {\"d\": \"\\u00e9\\n\\/\",\n"
                + "   \"e\": -0, \"f\": 1.0E+2,\t\"g\": 123456789012345678901234567890},\r\n  \"s\\u00e9\" , true,\n  -0  \n]";
        List<Chunk> chunks = all(new JsonChunkReader(in(text), 0, 1024, MAX_RECORDS, RecordTap.NONE));
        // Only the line breaks between tokens become spaces, so that each element fits on its line.
        assertThat(records(chunks)).containsExactly("{\"a\": 1.10000000000000000001, \"b\": [1, {\"c\": null}], \"a\": \"dup\"}", "42",
                "{\"d\": \"\\u00e9\\n\\/\",    \"e\": -0, \"f\": 1.0E+2,\t\"g\": 123456789012345678901234567890}", "\"s\\u00e9\"", "true", "-0");
        assertThat(chunks.get(0).line(0)).isEqualTo(2);
        assertThat(chunks.get(0).line(2)).isEqualTo(4);
        assertThat(chunks.get(0).line(3)).isEqualTo(6);

        List<Chunk> one = all(new JsonChunkReader(in("{\"x\":  \"\\u00e9\"}"), 0, 1024, MAX_RECORDS, RecordTap.NONE));
        assertThat(records(one)).containsExactly("{\"x\":  \"\\u00e9\"}");
    }

    @Test
    void bytesThatAreNotUtf8AreSentAsTheyAreForTheServiceToRefuse() throws IOException {
        byte[] overlong = {'[', '{', '"', 'c', '"', ':', '"', (byte) 0xc0, (byte) 0xaf, '"', '}', ',',
            '{', '"', 'c', '"', ':', '"', 'a', (byte) 0xed, (byte) 0xa0, (byte) 0x80, 'b', (byte) 0xff, (byte) 0xe2, (byte) 0x82, '"', '}', ']'};
        List<Chunk> chunks = all(new JsonChunkReader(new ByteArrayInputStream(overlong), 0, 1024, MAX_RECORDS, RecordTap.NONE));
        assertThat(chunks).hasSize(1);
        assertThat(new String(chunks.get(0).body(), StandardCharsets.ISO_8859_1))
                .isEqualTo(new String(overlong, 1, 10, StandardCharsets.ISO_8859_1) + "\n"
                        + new String(overlong, 12, 16, StandardCharsets.ISO_8859_1) + "\n");
    }

    @Test
    void bytesOutsideAnyStringThatAreNotUtf8MakeTheFileMalformed() {
        byte[] between = {'[', '{', '"', 'c', '"', ':', '1', '}', ',', (byte) 0xff, '{', '"', 'c', '"', ':', '2', '}', ']'};
        assertThatThrownBy(() -> all(new JsonChunkReader(new ByteArrayInputStream(between), 0, 1024, MAX_RECORDS, RecordTap.NONE)))
                .isInstanceOf(ChunkReader.MalformedInputException.class).hasMessageContaining("line 1").hasMessageContaining("0xff");
    }

    @Test
    void elementsLargerThanTheReadBuffersAndReadsSplittingCharactersComeThroughExact() throws IOException {
        StringBuilder b = new StringBuilder("[");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 300; i++) {
            String element = "{\"n\": " + i + ", \"s\": \"" + "é😀\\u00e9".repeat(i * 7 % 500) + "\", \"f\": -0.0e0}";
            b.append(i == 0 ? "" : ",\n").append(element);
            expected.writeBytes((element + "\n").getBytes(UTF_8));
        }
        byte[] text = b.append("]").toString().getBytes(UTF_8);
        InputStream trickle = new FilterInputStream(new ByteArrayInputStream(text)) {
            private int turn;

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                return super.read(buf, off, Math.min(len, 1 + turn++ % 7)); // short reads cut characters apart
            }
        };
        List<Chunk> chunks = all(new JsonChunkReader(trickle, 0, 4096, MAX_RECORDS, RecordTap.NONE));
        assertThat(chunks.size()).isGreaterThan(10);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        chunks.forEach(c -> sent.writeBytes(c.body()));
        assertThat(new String(sent.toByteArray(), StandardCharsets.ISO_8859_1))
                .isEqualTo(new String(expected.toByteArray(), StandardCharsets.ISO_8859_1));
        List<Chunk> resumed = all(new JsonChunkReader(new ByteArrayInputStream(text), chunks.get(4).end(), 4096, MAX_RECORDS,
                RecordTap.NONE));
        assertThat(records(resumed)).isEqualTo(records(chunks.subList(5, chunks.size())));
    }

    @Test
    void aResumedJsonReaderSkipsWhatWasCommitted() throws IOException {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < 100; i++) {
            b.append(i == 0 ? "" : ",").append("{\"n\":").append(i).append('}');
        }
        String text = b.append(']').toString();
        List<Chunk> whole = all(new JsonChunkReader(in(text), 0, 64, MAX_RECORDS, RecordTap.NONE));
        List<Chunk> resumed = all(new JsonChunkReader(in(text), whole.get(1).end(), 64, MAX_RECORDS, RecordTap.NONE));
        assertThat(records(resumed)).isEqualTo(records(whole.subList(2, whole.size())));
        assertThat(resumed.get(0).offset()).isEqualTo(whole.get(2).offset());
    }

    @Test
    void malformedJsonSaysWhere() {
        assertThatThrownBy(() -> all(new JsonChunkReader(in("[{\"a\": 1},\n{\"a\" 2}]"), 0, 1024, MAX_RECORDS, RecordTap.NONE)))
                .isInstanceOf(ChunkReader.MalformedInputException.class).hasMessageContaining("line 2");
        assertThatThrownBy(() -> all(new JsonChunkReader(in("\"just a string\""), 0, 1024, MAX_RECORDS, RecordTap.NONE)))
                .isInstanceOf(ChunkReader.MalformedInputException.class).hasMessageContaining("expected a JSON array");
    }
}

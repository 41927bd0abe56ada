package dev.ingest.api.formats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.Rejection;
import dev.ingest.engine.RequestBuilder;
import dev.ingest.engine.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CSV decoder gives the same records, refusals and line numbers however the body is cut into
 * chunks: whole, byte by byte, or in two at every offset.
 */
class CsvStreamDecoderTest {
    static final TableSchema TABLE = new TableSchema("public", "t", List.of(
            new ColumnSchema("a", "text", ColumnKind.TEXT, null, true, false, true),
            new ColumnSchema("b", "text", ColumnKind.TEXT, null, true, false, true)));

    /** What a body decodes to: one line per record, or the body's refusal. */
    static List<String> decode(List<byte[]> pieces) {
        RequestBuilder into = IngestRequest.builder(TABLE);
        StreamDecoder decoder = Format.CSV.decoder(TABLE, StreamDecoder.MAX_RECORD_BYTES, Integer.MAX_VALUE);
        return DecoderContractTest.feed(decoder, pieces, into).map(List::of).orElseGet(() -> describe(into.build()));
    }

    static List<String> describe(IngestRequest request) {
        List<String> out = new ArrayList<>();
        for (IngestRequest.Row row : request.rows()) {
            out.add(row.index() + " " + Arrays.toString(row.values()));
        }
        for (Rejection r : request.rejectedEarly()) {
            out.add(r.index() + " refused " + r.sqlstate() + " " + r.message());
        }
        out.sort(null);
        return out;
    }

    static List<CsvCorpus.Case> corpus() {
        return CsvCorpus.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void everyCutOfTheBodyDecodesAsTheWhole(CsvCorpus.Case c) {
        byte[] body = c.body();
        List<String> whole = decode(List.of(body));
        if (body.length < 20_000) {
            List<byte[]> bytes = new ArrayList<>();
            for (byte b : body) {
                bytes.add(new byte[] {b});
            }
            assertThat(decode(bytes)).as("byte by byte").isEqualTo(whole);
        }
        int step = body.length < 20_000 ? 1 : 4999;
        for (int cut = 0; cut <= body.length; cut += step) {
            List<byte[]> two = List.of(Arrays.copyOfRange(body, 0, cut), Arrays.copyOfRange(body, cut, body.length));
            assertThat(decode(two)).as("cut at " + cut).isEqualTo(whole);
        }
    }

    @Test
    void aQuoteLeftOpenAtTheEndRefusesTheLastRecord() {
        List<String> out = decode(List.of("a,b\n1,2\n3,\"abc\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(out).containsExactly("0 [1, 2]", "1 refused 22P04 line 3: unterminated CSV quoted field");
    }

    @Test
    void aQuoteMidFieldOpensQuotedText() {
        List<String> out = decode(List.of("a,b\nab\"c,d\"e,f\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(out).containsExactly("0 [abc,de, f]");
    }

    @Test
    void aByteOrderMarkBeforeTheHeaderIsSkipped() {
        List<String> out = decode(List.of("\uFEFFb,a\n1,2\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(out).containsExactly("0 [2, 1]");
    }

    @Test
    void linesCountLineBreaksInsideQuotes() {
        List<String> out = decode(List.of("a,b\n\"x\ny\",1\n2\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(out).contains("1 refused 22P04 line 4: missing data for column \"b\" (the row has 1 field, the header 2)");
    }

    @Test
    void invalidUtf8IsRefusedWithTheMessageOfEveryFormatNamingTheBytes() {
        byte[] body = {'a', ',', 'b', '\n', '1', ',', (byte) 0xC0, (byte) 0xAF, '\n', '2', ',', '3', '\n'};
        assertThat(decode(List.of(body))).containsExactly("0 refused 22021 line 2: invalid byte sequence for encoding \"UTF8\": "
                + "0xc0 0xaf; send the text as UTF-8", "1 [2, 3]");
    }
}

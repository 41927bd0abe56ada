package dev.ingest.api.formats;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The push-style inflater: every split of the input, every cut, every corruption. */
class BodyInflaterTest {
    private static final byte[] TEXT = "{\"v\": 1}\n{\"v\": 2}\n".repeat(500).getBytes(UTF_8);

    @Test
    void gzipInflatesWholeWhereverTheInputIsSplit() throws Exception {
        byte[] gz = gzip(TEXT, true);
        for (int split = 0; split <= gz.length; split++) {
            assertThat(inflate(BodyInflater.Coding.GZIP, gz, split)).as("split at " + split).isEqualTo(TEXT);
        }
        assertThat(inflateByteByByte(BodyInflater.Coding.GZIP, gz)).isEqualTo(TEXT);
    }

    @Test
    void concatenatedGzipMembersAreAllInflated() throws Exception {
        byte[] one = gzip("a\n".getBytes(UTF_8), false);
        byte[] two = gzip("b\n".getBytes(UTF_8), true);
        byte[] both = Arrays.copyOf(one, one.length + two.length);
        System.arraycopy(two, 0, both, one.length, two.length);
        assertThat(inflateByteByByte(BodyInflater.Coding.GZIP, both)).isEqualTo("a\nb\n".getBytes(UTF_8));
    }

    @Test
    void deflateTakesZlibAndRawData() throws Exception {
        for (boolean raw : new boolean[] {false, true}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (DeflaterOutputStream d = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, raw))) {
                d.write(TEXT);
            }
            assertThat(inflateByteByByte(BodyInflater.Coding.DEFLATE, out.toByteArray())).as("raw " + raw).isEqualTo(TEXT);
        }
    }

    @Test
    void everyCutIsReportedAsTruncated() throws Exception {
        byte[] gz = gzip(TEXT, false);
        for (int cut = 1; cut < gz.length; cut++) {
            BodyInflater inflater = new BodyInflater(BodyInflater.Coding.GZIP);
            inflater.feed(Arrays.copyOf(gz, cut), data -> true);
            assertThatThrownBy(inflater::end).as("cut at " + cut).isInstanceOf(BodyException.class)
                    .extracting(e -> ((BodyException) e).code()).isEqualTo("truncated_body");
        }
    }

    @Test
    void corruptionIsMalformedNotTruncated() throws Exception {
        byte[] gz = gzip(TEXT, false);
        for (int at : new int[] {0, 1, 2, gz.length - 8, gz.length - 5, gz.length - 4, gz.length - 1}) {
            byte[] bad = gz.clone();
            bad[at] ^= 0x10;
            assertThatThrownBy(() -> {
                BodyInflater inflater = new BodyInflater(BodyInflater.Coding.GZIP);
                inflater.feed(bad, data -> true);
                inflater.end();
            }).as("byte " + at).isInstanceOf(BodyException.class)
                    .extracting(e -> ((BodyException) e).code()).isEqualTo("malformed_content_encoding");
        }
    }

    @Test
    void theSinkStopsInflating() throws Exception {
        byte[] zeros = gzip(new byte[50 * 1024 * 1024], false);
        long[] seen = {0};
        boolean finished = new BodyInflater(BodyInflater.Coding.GZIP).feed(zeros, data -> {
            seen[0] += data.length;
            return seen[0] < 1024 * 1024;
        });
        assertThat(finished).isFalse();
        assertThat(seen[0]).isLessThanOrEqualTo(1024 * 1024 + BodyInflater.PIECE);
    }

    @Test
    void codingsAreParsedStrictly() {
        assertThat(BodyInflater.parse(null)).isEmpty();
        assertThat(BodyInflater.parse("identity")).isEmpty();
        assertThat(BodyInflater.parse("GZip")).contains(BodyInflater.Coding.GZIP);
        assertThat(BodyInflater.parse("x-gzip")).contains(BodyInflater.Coding.GZIP);
        assertThat(BodyInflater.parse("identity, deflate")).contains(BodyInflater.Coding.DEFLATE);
        for (String bad : new String[] {"br", "zstd", "gzip, gzip", "gzip, deflate", "compress"}) {
            assertThatThrownBy(() -> BodyInflater.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad);
        }
    }

    private static byte[] inflate(BodyInflater.Coding coding, byte[] input, int split) throws BodyException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BodyInflater inflater = new BodyInflater(coding);
        inflater.feed(Arrays.copyOfRange(input, 0, split), data -> {
            out.writeBytes(data);
            return true;
        });
        inflater.feed(Arrays.copyOfRange(input, split, input.length), data -> {
            out.writeBytes(data);
            return true;
        });
        inflater.end();
        return out.toByteArray();
    }

    private static byte[] inflateByteByByte(BodyInflater.Coding coding, byte[] input) throws BodyException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BodyInflater inflater = new BodyInflater(coding);
        for (byte b : input) {
            inflater.feed(new byte[] {b}, data -> {
                out.writeBytes(data);
                return true;
            });
        }
        inflater.end();
        return out.toByteArray();
    }

    /** Gzip, with a file name and comment in the header when {@code named} (as gzip(1) writes). */
    private static byte[] gzip(byte[] plain, boolean named) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        byte[] b = out.toByteArray();
        if (!named) {
            return b;
        }
        byte[] extra = "name.ndjson\0a comment\0".getBytes(UTF_8);
        byte[] withName = new byte[b.length + extra.length];
        System.arraycopy(b, 0, withName, 0, 10);
        withName[3] = 8 | 16; // FNAME | FCOMMENT
        System.arraycopy(extra, 0, withName, 10, extra.length);
        System.arraycopy(b, 10, withName, 10 + extra.length, b.length - 10);
        return withName;
    }
}

package dev.ingest.api.formats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Strict UTF-8 as PostgreSQL's server encoding defines it; the messages are PostgreSQL's (22021). */
class Utf8ValidatorTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "ASCII, 612062",
        "2-byte, 61c2a962",
        "3-byte, 61e282ac62",
        "last before the surrogates, ed9fbf",
        "first after the surrogates, ee8080",
        "4-byte, f09f9880",
        "U+10FFFF, f48fbfbf",
        "BOM, efbbbf61",
        "NUL byte, 00",
    })
    void acceptsWellFormedUtf8(String name, String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        assertThat(Utf8Validator.firstInvalid(b, 0, b.length)).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "overlong 2-byte slash, 61c0af62, 1, 0xc0 0xaf",
        "overlong C1, c1bf, 0, 0xc1 0xbf",
        "overlong 3-byte, e080af, 0, 0xe0 0x80 0xaf",
        "overlong 4-byte, f08fbfbf, 0, 0xf0 0x8f 0xbf 0xbf",
        "encoded high surrogate, 61eda080, 1, 0xed 0xa0 0x80",
        "encoded low surrogate, edb080, 0, 0xed 0xb0 0x80",
        "CESU-8 pair, eda0bdedb880, 0, 0xed 0xa0 0xbd",
        "beyond U+10FFFF, f4908080, 0, 0xf4 0x90 0x80 0x80",
        "lead byte F5, f5808080, 0, 0xf5 0x80 0x80 0x80",
        "lead byte F8, f8808080, 0, 0xf8",
        "byte FF, 6161ff, 2, 0xff",
        "stray continuation, 80, 0, 0x80",
        "truncated 3-byte at the end, 61e282, 1, 0xe2 0x82",
        "truncated 3-byte before ASCII, e28262, 0, 0xe2 0x82 0x62",
        "truncated 4-byte, f09f9822, 0, 0xf0 0x9f 0x98 0x22",
        "valid then invalid, c2a9c0af, 2, 0xc0 0xaf",
    })
    void refusesWhatPostgresqlRefuses(String name, String hex, int offset, String bytes) {
        byte[] b = HexFormat.of().parseHex(hex);
        Utf8Validator.Invalid at = Utf8Validator.firstInvalid(b, 0, b.length);
        assertThat(at).isNotNull();
        assertThat(at.offset()).isEqualTo(offset);
        assertThat(at.length()).isPositive();
        assertThat(Utf8Validator.message(b, at, b.length)).startsWith("invalid byte sequence for encoding \"UTF8\": " + bytes + ";");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"truncated sequence, e282, 1", "continuation byte, 80, 1", "overlong, c0af, 1"})
    void theInvalidPartNeverSwallowsTheAsciiAfterIt(String name, String hex, int length) {
        byte[] b = HexFormat.of().parseHex(hex + "22");
        Utf8Validator.Invalid at = Utf8Validator.firstInvalid(b, 0, b.length);
        assertThat(at.offset() + at.length()).isLessThan(b.length); // the closing quote stays a quote
        assertThat(at.length()).isGreaterThanOrEqualTo(length);
    }

    @ParameterizedTest(name = "at {0}")
    @CsvSource({"0", "1", "4095", "4096", "4097", "10000"})
    void findsTheSequenceAtAnyOffsetOfALongSlice(int position) {
        byte[] b = new byte[10_010];
        Arrays.fill(b, (byte) 0xc3); // é é é ... as pairs C3 A9
        for (int i = 1; i < b.length; i += 2) {
            b[i] = (byte) 0xa9;
        }
        int at = position - position % 2;
        b[at] = (byte) 0xc0;
        b[at + 1] = (byte) 0xaf;
        assertThat(Utf8Validator.firstInvalid(b, 0, b.length).offset()).isEqualTo(at);
        assertThat(Utf8Validator.firstInvalid(b, at + 2, b.length)).isNull();
    }
}

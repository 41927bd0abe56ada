package dev.ingest.engine.internal.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingest.engine.ColumnKind;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.JsonNumber;
import dev.ingest.engine.JsonText;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ValueConverterTest {
    private static ColumnSchema column(ColumnKind kind, String sqlType) {
        return new ColumnSchema("c", sqlType, kind, null, true, false, true);
    }

    private static ColumnSchema array(ColumnKind element, String sqlType) {
        return new ColumnSchema("c", sqlType, ColumnKind.ARRAY, element, true, false, true);
    }

    private static String convert(Object value, ColumnSchema column) throws ConversionException {
        return ValueConverter.toText(value, column);
    }

    private static String sqlstateOf(Object value, ColumnSchema column) {
        try {
            convert(value, column);
            return "accepted";
        } catch (ConversionException e) {
            return e.sqlstate();
        }
    }

    @Test
    void nullIsSqlNullForEveryKind() throws Exception {
        for (ColumnKind kind : ColumnKind.values()) {
            ColumnSchema c = kind == ColumnKind.ARRAY ? array(ColumnKind.TEXT, "text[]") : column(kind, "t");
            assertThat(convert(null, c)).isNull();
        }
    }

    @Test
    void integersAreRangeCheckedPerWidth() throws Exception {
        ColumnSchema smallint = column(ColumnKind.SMALLINT, "smallint");
        ColumnSchema integer = column(ColumnKind.INTEGER, "integer");
        ColumnSchema bigint = column(ColumnKind.BIGINT, "bigint");
        assertThat(convert(32767L, smallint)).isEqualTo("32767");
        assertThat(sqlstateOf(32768L, smallint)).isEqualTo("22003");
        assertThat(convert(-2147483648L, integer)).isEqualTo("-2147483648");
        assertThat(sqlstateOf(2147483648L, integer)).isEqualTo("22003");
        assertThat(convert(Long.MAX_VALUE, bigint)).isEqualTo("9223372036854775807");
        assertThat(sqlstateOf(new BigInteger("9223372036854775808"), bigint)).isEqualTo("22003");
        assertThat(convert(new BigDecimal("42.000"), integer)).isEqualTo("42");
        assertThat(sqlstateOf(new BigDecimal("4.5"), integer)).isEqualTo("22P02");
        assertThat(sqlstateOf(Double.NaN, integer)).isEqualTo("22P02");
        assertThat(convert(" 17 ", integer)).isEqualTo("17");
        assertThat(sqlstateOf("17x", integer)).isEqualTo("22P02");
        assertThat(sqlstateOf(true, integer)).isEqualTo("42804");
    }

    @ParameterizedTest
    @CsvSource({
        "550e8400-e29b-41d4-a716-446655440000, 550e8400-e29b-41d4-a716-446655440000",
        "550E8400-E29B-41D4-A716-446655440000, 550e8400-e29b-41d4-a716-446655440000",
        "{550e8400e29b41d4a716446655440000}, 550e8400-e29b-41d4-a716-446655440000",
        "550e8400e29b41d4a716446655440000, 550e8400-e29b-41d4-a716-446655440000",
        "550e-8400-e29b-41d4-a716-4466-5544-0000, 550e8400-e29b-41d4-a716-446655440000",
    })
    void uuidsInEveryFormPostgresAcceptsAreCanonicalised(String input, String expected) throws Exception {
        assertThat(convert(input, column(ColumnKind.UUID, "uuid"))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"not-a-uuid", "550e8400-e29b-41d4-a716-44665544000", "550e8400-e29b-41d4-a716-4466554400000",
        "-550e8400e29b41d4a716446655440000", "550e8400--e29b41d4a716446655440000", "550e8400e29b41d4a71644665544000g"})
    void malformedUuidsAreRefusedWith22P02(String input) {
        assertThat(sqlstateOf(input, column(ColumnKind.UUID, "uuid"))).isEqualTo("22P02");
    }

    @Test
    void booleansAcceptPostgresSpellings() throws Exception {
        ColumnSchema b = column(ColumnKind.BOOLEAN, "boolean");
        assertThat(convert(true, b)).isEqualTo("t");
        assertThat(convert("Yes", b)).isEqualTo("t");
        assertThat(convert("off", b)).isEqualTo("f");
        assertThat(sqlstateOf("maybe", b)).isEqualTo("22P02");
        assertThat(sqlstateOf(1L, b)).isEqualTo("42804");
    }

    @Test
    void textRefusesNulAndStructuredValues() throws Exception {
        ColumnSchema t = column(ColumnKind.TEXT, "text");
        assertThat(convert("héllo ✓ 𝄞", t)).isEqualTo("héllo ✓ 𝄞");
        assertThat(convert(12.5, t)).isEqualTo("12.5");
        assertThat(sqlstateOf("a\u0000b", t)).isEqualTo("22021");
        assertThat(sqlstateOf(new JsonText("{\"a\":1}"), t)).isEqualTo("42804");
        assertThat(sqlstateOf(List.of("x"), t)).isEqualTo("42804");
    }

    @Test
    void numbersKeepTheirExactDigits() throws Exception {
        ColumnSchema n = column(ColumnKind.NUMERIC, "numeric");
        assertThat(convert(new BigDecimal("12345678901234567890.123456789"), n)).isEqualTo("12345678901234567890.123456789");
        assertThat(convert("NaN", n)).isEqualTo("NaN");
        assertThat(sqlstateOf("12,5", n)).isEqualTo("22P02");
    }

    @Test
    void jsonNumbersKeepTheirTextAndIntegersMustBeWhole() throws Exception {
        assertThat(convert(new JsonNumber("-1.250e3"), column(ColumnKind.FLOAT, "double precision"))).isEqualTo("-1.250e3");
        assertThat(convert(new JsonNumber("0.1000"), column(ColumnKind.NUMERIC, "numeric"))).isEqualTo("0.1000");
        assertThat(convert(new JsonNumber("4.2e1"), column(ColumnKind.INTEGER, "integer"))).isEqualTo("42");
        assertThat(sqlstateOf(new JsonNumber("4.5"), column(ColumnKind.INTEGER, "integer"))).isEqualTo("22P02");
        assertThat(sqlstateOf(new JsonNumber("1e10"), column(ColumnKind.INTEGER, "integer"))).isEqualTo("22003");
        assertThat(sqlstateOf(new JsonNumber("1.5"), column(ColumnKind.UUID, "uuid"))).isEqualTo("42804");
    }

    @Test
    void jsonPassesJsonTextThrough() throws Exception {
        ColumnSchema j = column(ColumnKind.JSON, "jsonb");
        assertThat(convert(new JsonText("{\"a\":[1,2]}"), j)).isEqualTo("{\"a\":[1,2]}");
        assertThat(convert(new JsonText("\"s\""), j)).isEqualTo("\"s\"");
    }

    @Test
    void arraysBecomeQuotedLiteralsWithNullsAndNesting() throws Exception {
        ColumnSchema texts = array(ColumnKind.TEXT, "text[]");
        assertThat(convert(Arrays.asList("a", null, "q\"uo\\te", "NULL", "{x,y}"), texts))
                .isEqualTo("{\"a\",NULL,\"q\\\"uo\\\\te\",\"NULL\",\"{x,y}\"}");
        ColumnSchema ints = array(ColumnKind.INTEGER, "integer[]");
        assertThat(convert(List.of(List.of(1L, 2L), List.of(3L, 4L)), ints)).isEqualTo("{{\"1\",\"2\"},{\"3\",\"4\"}}");
        assertThat(sqlstateOf(List.of(1L, 4_000_000_000L), ints)).isEqualTo("22003");
        assertThat(sqlstateOf("not an array", column(ColumnKind.TEXT, "text"))).isEqualTo("accepted");
    }

    @Test
    void valuesOfTheWrongShapeNameTheColumnAndType() {
        assertThatThrownBy(() -> convert(List.of(1L), column(ColumnKind.BIGINT, "bigint")))
                .isInstanceOf(ConversionException.class)
                .hasMessage("column \"c\" is of type bigint but the value is an array");
    }
}

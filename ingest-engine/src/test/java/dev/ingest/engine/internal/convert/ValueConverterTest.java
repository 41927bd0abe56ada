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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    /**
     * Issue 12: the converter used to judge values itself and disagreed with PostgreSQL (boolean
     * prefixes refused, non-ASCII digits and stray control characters accepted and rewritten,
     * JSON numbers like 1.0 rewritten for integer columns). Now the user's text reaches
     * PostgreSQL unchanged, whatever the column's kind; DifferentialTypesIT holds PostgreSQL's
     * verdicts on the same texts.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "BOOLEAN|tr", "BOOLEAN|of", "BOOLEAN|\u0001true", "INTEGER|\u0661\u0662\u0663", "INTEGER|1_000",
        "SMALLINT|0x1F", "BIGINT|' 17 '", "INTEGER|17x", "NUMERIC|12,5", "FLOAT|0x10",
        "UUID|550e8400e29b41d4a71644665544000-0", "UUID|550E8400-E29B-41D4-A716-446655440000", "TEXT|007", "OTHER|2026-03-01"})
    void stringsReachPostgresqlAsTheyAreForEveryKind(ColumnKind kind, String escaped) throws Exception {
        String input = unescape(escaped);
        assertThat(convert(input, column(kind, "t"))).isEqualTo(input);
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            if (s.startsWith("\\u", i)) {
                out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                i += 5;
            } else {
                out.append(s.charAt(i));
            }
        }
        return out.toString();
    }

    @Test
    void numbersAndBooleansAreWrittenAsTheirJsonText() throws Exception {
        for (ColumnKind kind : List.of(ColumnKind.INTEGER, ColumnKind.BOOLEAN, ColumnKind.TEXT, ColumnKind.FLOAT, ColumnKind.UUID)) {
            ColumnSchema c = column(kind, "t");
            assertThat(convert(new JsonNumber("1.0"), c)).isEqualTo("1.0");
            assertThat(convert(new JsonNumber("-1.250e3"), c)).isEqualTo("-1.250e3");
            assertThat(convert(true, c)).isEqualTo("true");
            assertThat(convert(false, c)).isEqualTo("false");
            assertThat(convert(4_000_000_000L, c)).isEqualTo("4000000000");
            assertThat(convert(new BigInteger("9223372036854775808"), c)).isEqualTo("9223372036854775808");
            assertThat(convert(new BigDecimal("12345678901234567890.123456789"), c)).isEqualTo("12345678901234567890.123456789");
        }
    }

    @Test
    void nulIsRefusedWith22021InEveryKindAndShape() {
        for (ColumnKind kind : ColumnKind.values()) {
            ColumnSchema c = kind == ColumnKind.ARRAY ? array(ColumnKind.TEXT, "text[]") : column(kind, "t");
            assertThat(sqlstateOf("a\u0000b", c)).as(kind.name()).isEqualTo("22021");
        }
        assertThat(sqlstateOf(List.of("ok", "a\u0000b"), array(ColumnKind.TEXT, "text[]"))).isEqualTo("22021");
        assertThat(sqlstateOf(new JsonText("\"a\u0000b\""), column(ColumnKind.JSON, "json"))).isEqualTo("22021");
    }

    @Test
    void objectsAndArraysIntoScalarColumnsAreRefusedWith42804() {
        for (ColumnKind kind : List.of(ColumnKind.TEXT, ColumnKind.INTEGER, ColumnKind.BOOLEAN, ColumnKind.OTHER)) {
            ColumnSchema c = column(kind, "t");
            assertThat(sqlstateOf(new JsonText("{\"a\":1}"), c)).isEqualTo("42804");
            assertThat(sqlstateOf(new JsonText(" [1]"), c)).isEqualTo("42804");
            assertThat(sqlstateOf(List.of("x"), c)).isEqualTo("42804");
        }
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
        // Elements are texts too: PostgreSQL judges 4000000000, true and 1.0 as integers.
        assertThat(convert(Arrays.asList(4_000_000_000L, true, new JsonNumber("1.0"), List.of()), ints))
                .isEqualTo("{\"4000000000\",\"true\",\"1.0\",{}}");
        assertThat(convert(List.of(new JsonText("{\"k\":\"v\"}")), texts)).isEqualTo("{\"{\\\"k\\\":\\\"v\\\"}\"}");
        assertThat(convert("{1,2}", ints)).isEqualTo("{1,2}");
    }

    @Test
    void valuesOfTheWrongShapeNameTheColumnAndType() {
        assertThatThrownBy(() -> convert(List.of(1L), column(ColumnKind.BIGINT, "bigint")))
                .isInstanceOf(ConversionException.class)
                .hasMessageStartingWith("column \"c\" is of type bigint but the value is a JSON array");
    }
}

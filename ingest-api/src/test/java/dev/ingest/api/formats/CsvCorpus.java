package dev.ingest.api.formats;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hostile CSV bodies for a table {@code (a text, b text)}, shared by the decoder, chunker and
 * differential tests. Each case is its header row and then its records, as we frame them: where a
 * record that COPY refuses ends is our choice (COPY stops there), and the differential test checks
 * every other boundary against PostgreSQL.
 */
public final class CsvCorpus {
    private CsvCorpus() {
    }

    /**
     * @param columns the header's column list, for {@code COPY t (columns)}
     * @param pieces  the header row, then each record with its line end
     */
    public record Case(String name, String columns, List<byte[]> pieces) {
        public byte[] body() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            pieces.forEach(out::writeBytes);
            return out.toByteArray();
        }

        /** The header and records {@code [from, to)} as one body. */
        public byte[] body(int from, int to) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(pieces.get(0));
            for (int i = from; i < to; i++) {
                out.writeBytes(pieces.get(i + 1));
            }
            return out.toByteArray();
        }

        /** Records, the header aside. */
        public int records() {
            return pieces.size() - 1;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static Case c(String name, String columns, Object... pieces) {
        List<byte[]> p = new ArrayList<>();
        for (Object o : pieces) {
            p.add(o instanceof byte[] b ? b : ((String) o).getBytes(StandardCharsets.UTF_8));
        }
        return new Case(name, columns, p);
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    /** A field longer than the chunks the loader cuts and the service receives. */
    public static final int HUGE = 300_000;

    public static List<Case> all() {
        String huge = "x".repeat(HUGE);
        return List.of(
                c("plain", "a, b", "a,b\n", "1,2\n", "3,4\n"),
                c("issue example: stray quote mid-field", "a, b", "a,b\n", "12\" pizza,\"contains\n", "newline\"\n3,4\n"),
                c("unterminated quote at the end", "a, b", "a,b\n", "1,2\n", "3,\"abc\n"),
                c("unterminated quote, no newline", "a, b", "a,b\n", "1,\""),
                c("doubled quotes", "a, b", "a,b\n", "\"x\"\"y\",\"\"\"\"\n", "\"\"\"\",\"a\"\"\"\n"),
                c("quotes opened and closed mid-field", "a, b", "a,b\n", "ab\"c,d\"e,f\n", "\"ab\"cd,e\n"),
                c("empty fields vs quoted empty", "a, b", "a,b\n", ",\"\"\n", "\"\",\n", ",\n"),
                c("CRLF", "a, b", "a,b\r\n", "1,2\r\n", "\"x\r\ny\",3\r\n"),
                c("CR", "a, b", "a,b\r", "1,2\r", "\"x\ry\",3\r", "5,6\r"),
                c("LF file with a CRLF line", "a, b", "a,b\n", "1,2\r\n", "3,4\n"),
                c("CRLF file with an LF line", "a, b", "a,b\r\n", "1,2\n3,4\r\n", "5,6\r\n"),
                c("CR file with an LF line", "a, b", "a,b\r", "1,2\n3,4\r", "5,6\r"),
                c("CRLF file with a lone CR", "a, b", "a,b\r\n", "1,2\r3,4\r\n", "5,6\r\n"),
                c("CRLF file ending in a lone CR", "a, b", "a,b\r\n", "1,2\r\n", "3,4\r"),
                c("CR inside quotes of an LF file", "a, b", "a,b\n", "\"x\ry\",1\n", "\"p\r\nq\",2\n"),
                c("BOM", "a, b", "\uFEFFa,b\n", "1,2\n"),
                c("BOM and CRLF", "a, b", "\uFEFFa,b\r\n", "1,2\r\n", "3,4\r\n"),
                c("blank lines", "a, b", "a,b\n", "1,2\n", "\n", "3,4\n", "\n"),
                c("blank lines, one column", "a", "a\n", "\n", "1\n", "\n"),
                c("whitespace-only line", "a, b", "a,b\n", "  \n", " , \n"),
                c("end-of-data marker", "a, b", "a,b\n", "1,2\n", "\\.\n", "3,4\n"),
                c("end-of-data marker, CRLF", "a, b", "a,b\r\n", "1,2\r\n", "\\.\r\n", "3,4\r\n"),
                c("end-of-data marker, CR", "a, b", "a,b\r", "1,2\r", "\\.\r", "3,4\r"),
                c("end-of-data marker with the wrong line end", "a, b", "a,b\n", "1,2\n", "\\.\r\n", "3,4\n"),
                c("backslash-dot at the end, no newline", "a, b", "a,b\n", "1,2\n", "\\."),
                c("backslash-dot then data", "a, b", "a,b\n", "\\.x,1\n", "\\.,2\n", "x\\.,3\n"),
                c("backslash-dot then a quote", "a, b", "a,b\n", "\\.\"x\ny\",1\n", "2,3\n"),
                c("backslash-dot then LF in a CRLF file", "a, b", "a,b\r\n", "\\.\n1,2\r\n", "3,4\r\n"),
                c("backslashes are data", "a, b", "a,b\n", "\\x,\\\n", "\\N,\"\\\"\"\n"),
                c("trailing delimiter", "a, b", "a,b\n", "1,2,\n", "3,\n"),
                c("too many and too few fields", "a, b", "a,b\n", "1,2,3\n", "4\n", "5,6\n"),
                c("last line without newline", "a, b", "a,b\n", "1,2\n", "3,4"),
                c("huge quoted field with a line break", "a, b", "a,b\n", "1,\"" + huge + "\nmore\"\n", "2,3\n"),
                c("huge unquoted field", "a, b", "a,b\n", huge + "," + huge + "\n", "4,5\n"),
                c("quoted commas and newlines", "a, b", "a,b\n", "\"1,\n2\",\"\"\"q\"\"\"\n", "\",\",\"\n\"\n"),
                c("header in another order", "b, a", "b,a\n", "x,y\n"),
                c("spaces around quotes", "a, b", "a,b\n", " \"x\" , y \n"),
                c("only a header", "a, b", "a,b\n"),
                c("only a header, no newline", "a, b", "a,b"),
                c("invalid UTF-8", "a, b", "a,b\n", bytes('x', 0xC3, 0x28, ',', '1', '\n'), "2,3\n"),
                c("NUL byte", "a, b", "a,b\n", bytes('1', 0, '2', ',', '3', '\n'), "4,5\n"),
                c("multi-byte text", "a, b", "a,b\n", "é,\"€\n😀\"\n", "日本,語\n"),
                c("quoted header", "a, b", "\"a\",\"b\"\n", "1,2\n"),
                c("a quote opened mid-record swallows the rest", "a, b", "a,b\n", "1,2\n", "3,a\",b\n4,5\n6,7\n"),
                c("quotes in and out of one field", "a, b", "a,b\n", "\"abc\"def\"ghi\",x\n", "a\"\"b,\"\"\"\"\"\"\n"),
                c("doubled quote before an unterminated end", "a, b", "a,b\n", "1,\"a\"\""),
                c("one column named b, blank lines", "b", "b\n", "x\n", "\n", "\"\"\n"),
                c("BOM and CR", "a, b", "\uFEFFa,b\r", "1,2\r", "\"3\r\n\",4\r"),
                c("end-of-data marker with the wrong line end, CR", "a, b", "a,b\r", "1,2\r", "\\.\n3,4\r", "5,6\r"),
                c("a quoted comma and nothing else", "a, b", "a,b\n", "\",\",\",\"\n", "\",\"\n"),
                c("CRLF split by a quote", "a, b", "a,b\r\n", "1,\"2\r\"\n3,4\r\n", "5,6\r\n"));
    }
}

package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 answer read off a raw socket, for the tests that must send what an HTTP client
 * library would not (broken request lines, bodies cut short, slow peers): its status line, its
 * headers (names in lower case) and a body of its {@code Content-Length}.
 */
record RawAnswer(String statusLine, int status, Map<String, String> headers, String body) {
    /**
     * Reads one answer from {@code in} (buffer it: lines are read a byte at a time).
     *
     * @param head whether it answers a HEAD request, whose answer has no body whatever its Content-Length
     */
    static RawAnswer read(InputStream in, boolean head) throws IOException {
        String statusLine = line(in);
        assertThat(statusLine).as("an answer, not a closed connection").isNotNull();
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        int length = head ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new EOFException("the answer ended after " + body.length + " of " + length + " bytes");
        }
        return new RawAnswer(statusLine, Integer.parseInt(statusLine.split(" ")[1]), headers, new String(body, UTF_8));
    }

    /** The next line without its CRLF (or LF); null at the end of the stream. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != -1; c = in.read()) {
            if (c == '\n') {
                String s = b.toString(UTF_8);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(UTF_8);
    }
}

package dev.ingest.api.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.ingest.api.formats.FramedRecord;
import dev.ingest.api.formats.JsonElements;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Chunks of a JSON array of records (or a single object), sent as NDJSON: each element on a line
 * of its own, byte for byte as the file has it, except that line feeds between its tokens become
 * spaces. So the service judges exactly the text it would judge in a POST of the file: escapes,
 * number texts, duplicate keys and bytes that are not UTF-8 (refused by the service with 22021)
 * reach it unchanged. Jackson only frames the elements; it never re-writes them. An element that is
 * not an object still gets its line, for the service to refuse on its own. A file that is not
 * well-formed JSON stops the load, since there is no next record to resume at.
 */
final class JsonChunkReader implements ChunkReader {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION).build();

    private final ElementTape tape;
    private final JsonParser parser;
    private final JsonElements elements;
    private final int chunkBytes;
    private final int maxRecords;
    private final long skipTo;
    private final RecordTap tap;
    private long lastEnd; // where the last element framed (sent or skipped) ends
    private boolean done;

    /**
     * @param skipTo where to start: elements that begin before this input offset were loaded
     *               before (a resumed load) and are parsed over, not sent
     * @param tap    sees each element sent, as the line it is sent as, at the element's line in the file
     */
    JsonChunkReader(InputStream in, long skipTo, int chunkBytes, int maxRecords, RecordTap tap) throws IOException {
        this.tap = tap;
        this.tape = new ElementTape(in);
        this.parser = FACTORY.createParser(tape);
        this.chunkBytes = chunkBytes;
        this.maxRecords = maxRecords;
        this.skipTo = skipTo;
        try {
            this.elements = new JsonElements(parser);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        }
        JsonToken first = elements.first();
        done = first == null;
        if (first != null && first != JsonToken.START_ARRAY && first != JsonToken.START_OBJECT) {
            throw new MalformedInputException("line " + parser.currentTokenLocation().getLineNr()
                    + ": expected a JSON array of objects, or one object");
        }
    }

    @Override
    public Chunk next() throws IOException {
        if (done) {
            return null;
        }
        LineChunkReader.Bytes out = new LineChunkReader.Bytes(chunkBytes + 1024);
        int[] starts = new int[64];
        int[] lines = new int[64];
        int n = 0;
        long offset = -1;
        long firstLine = 0;
        long end = 0;
        long endLine = 0;
        try {
            while ((out.size() < chunkBytes && n < maxRecords) || n == 0) {
                JsonToken t = elements.next();
                if (t == null) {
                    ended();
                    break;
                }
                long at = elements.start();
                long line = elements.line();
                long to = elements.skip(t);
                if (at >= skipTo) {
                    if (n == 0) {
                        offset = at;
                        firstLine = line;
                    }
                    if (n + 1 >= starts.length) {
                        starts = Arrays.copyOf(starts, starts.length * 2);
                        lines = Arrays.copyOf(lines, lines.length * 2);
                    }
                    starts[n] = out.size();
                    lines[n] = (int) (line - firstLine);
                    n++;
                    tape.copy(at, to, out);
                    tap.framed(new Element(out.buffer(), starts[n - 1], out.size(), line));
                    out.write('\n');
                }
                end = parser.currentLocation().getByteOffset();
                endLine = parser.currentLocation().getLineNr();
                lastEnd = end;
                tape.release(end);
                if (elements.first() != JsonToken.START_ARRAY) {
                    ended(); // the one object
                    break;
                }
            }
        } catch (JsonProcessingException e) {
            throw malformed(e);
        }
        if (n == 0) {
            return null;
        }
        starts[n] = out.size();
        return new Chunk(offset, end, firstLine, endLine, out.toArray(), Arrays.copyOf(starts, n + 1), Arrays.copyOf(lines, n));
    }

    /** An element as it is sent: one line. */
    private record Element(byte[] bytes, int contentStart, int contentEnd, long line) implements FramedRecord {
        @Override
        public String problem() {
            return null;
        }
    }

    /** After the last element: nothing may follow the document. */
    private void ended() throws IOException {
        done = true;
        if (parser.nextToken() != null) {
            throw new MalformedInputException("line " + parser.currentTokenLocation().getLineNr()
                    + ": unexpected content after the JSON " + (elements.first() == JsonToken.START_ARRAY ? "array" : "object"));
        }
    }

    /**
     * The file is not JSON at {@code e}'s location. Where the parser stumbled on masked bytes that
     * are not UTF-8 (outside any string), those bytes are named, not the mask Jackson saw.
     */
    private MalformedInputException malformed(JsonProcessingException e) {
        String where = "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        String invalid = tape.invalidSince(lastEnd);
        String m = e.getOriginalMessage();
        if (invalid != null && (m.startsWith("Unrecognized token 'x") || m.startsWith("Unexpected character ('x'"))) {
            return new MalformedInputException(where + ": bytes that are not UTF-8 (" + invalid
                    + ") outside any JSON string; the file must be UTF-8");
        }
        return new MalformedInputException(where + ": malformed JSON: " + m);
    }
}

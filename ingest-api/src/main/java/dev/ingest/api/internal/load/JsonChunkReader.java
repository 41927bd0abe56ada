package dev.ingest.api.internal.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Chunks of a JSON array of records (or a single object), sent as NDJSON: each element is
 * rewritten compactly on a line of its own, token by token with numbers kept exact and duplicate
 * keys kept (the service judges them). An element that is not an object still gets its line, for
 * the service to refuse on its own. A file that is not well-formed JSON stops the load, since
 * there is no next record to resume at.
 */
final class JsonChunkReader implements ChunkReader {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION).build();

    private final JsonParser parser;
    private final int chunkBytes;
    private final long skipTo;
    private boolean inArray;
    private boolean done;

    /**
     * @param skipTo where to start: elements that begin before this input offset were loaded
     *               before (a resumed load) and are parsed over, not sent
     */
    JsonChunkReader(InputStream in, long skipTo, int chunkBytes) throws IOException {
        this.parser = FACTORY.createParser(in);
        this.chunkBytes = chunkBytes;
        this.skipTo = skipTo;
        JsonToken first = token();
        if (first == null) {
            done = true;
        } else if (first == JsonToken.START_ARRAY) {
            inArray = true;
        } else if (first != JsonToken.START_OBJECT) {
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
        try (JsonGenerator g = FACTORY.createGenerator(new Sink(out))) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.setRootValueSeparator(null); // each record ends with its own line break instead
            while ((out.size() < chunkBytes && n < Loader.MAX_CHUNK_RECORDS) || n == 0) {
                JsonToken t = inArray ? token() : parser.currentToken();
                if (t == null || t == JsonToken.END_ARRAY) {
                    done = true;
                    if (t == JsonToken.END_ARRAY && token() != null) {
                        throw new MalformedInputException("line " + parser.currentTokenLocation().getLineNr()
                                + ": unexpected content after the JSON array");
                    }
                    break;
                }
                long at = parser.currentTokenLocation().getByteOffset();
                long line = parser.currentTokenLocation().getLineNr();
                if (at < skipTo) {
                    parser.skipChildren();
                } else {
                    if (n == 0) {
                        offset = at;
                        firstLine = line;
                    }
                    if (n + 1 >= starts.length) {
                        starts = Arrays.copyOf(starts, starts.length * 2);
                        lines = Arrays.copyOf(lines, lines.length * 2);
                    }
                    g.flush();
                    starts[n] = out.size();
                    lines[n] = (int) (line - firstLine);
                    n++;
                    copyValue(g);
                    g.writeRaw('\n');
                }
                end = parser.currentLocation().getByteOffset();
                endLine = parser.currentLocation().getLineNr();
                if (!inArray) {
                    done = true;
                    if (token() != null) {
                        throw new MalformedInputException("line " + parser.currentTokenLocation().getLineNr()
                                + ": unexpected content after the JSON object");
                    }
                    break;
                }
            }
            g.flush();
        } catch (JsonProcessingException e) {
            throw new MalformedInputException("line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
                    + ": malformed JSON: " + e.getOriginalMessage());
        }
        if (n == 0) {
            return null;
        }
        starts[n] = out.size();
        return new Chunk(offset, end, firstLine, endLine, out.toArray(), Arrays.copyOf(starts, n + 1), Arrays.copyOf(lines, n));
    }

    /** Copies the value at the current token, exactly, leaving the parser on its last token. */
    private void copyValue(JsonGenerator g) throws IOException {
        int depth = 0;
        do {
            JsonToken t = parser.currentToken();
            g.copyCurrentEventExact(parser);
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            }
            if (depth > 0) {
                token();
            }
        } while (depth > 0);
    }

    private JsonToken token() throws IOException {
        try {
            return parser.nextToken();
        } catch (JsonProcessingException e) {
            throw new MalformedInputException("line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
                    + ": malformed JSON: " + e.getOriginalMessage());
        }
    }

    /** The generator's output, straight into the chunk. */
    private static final class Sink extends OutputStream {
        private final LineChunkReader.Bytes out;

        Sink(LineChunkReader.Bytes out) {
            this.out = out;
        }

        @Override
        public void write(int b) {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            out.write(b, off, len);
        }
    }
}

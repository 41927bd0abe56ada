package dev.ingest.api.formats;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * JSON's framing: the records of a JSON document are the elements of its top-level array, or the
 * one value it is. Jackson's parser finds where each ends (and judges the syntax on the way); this
 * is the one place that walks a document element by element, for a POSTed body's encoding screen
 * and for {@code ingest load}'s chunker alike. The parser reads its input as it needs it (a body
 * in memory, or a file as it arrives), so framing is incremental. Not thread-safe: one per document.
 */
public final class JsonElements {
    /** Where the framing is. */
    private enum Position { IN_ARRAY, AT_VALUE, DONE }

    private final JsonParser parser;
    private final JsonToken first;
    private Position position;
    private long start;
    private long line;

    /** Reads the document's first token; Jackson's syntax errors pass through as they come. */
    public JsonElements(JsonParser parser) throws IOException {
        this.parser = parser;
        this.first = parser.nextToken();
        this.position = first == null ? Position.DONE : first == JsonToken.START_ARRAY ? Position.IN_ARRAY : Position.AT_VALUE;
    }

    /** The document's first token: {@code START_ARRAY} for an array, null for an empty document. */
    public JsonToken first() {
        return first;
    }

    /**
     * Moves to the next element and answers its first token, or null after the last one (the
     * parser then on the array's end, or on the one value). Follow with {@link #skip}.
     */
    public JsonToken next() throws IOException {
        JsonToken t;
        switch (position) {
            case IN_ARRAY -> {
                t = parser.nextToken();
                if (t == null || t == JsonToken.END_ARRAY) {
                    position = Position.DONE;
                    return null;
                }
            }
            case AT_VALUE -> {
                t = first;
                position = Position.DONE;
            }
            default -> {
                return null;
            }
        }
        start = parser.currentTokenLocation().getByteOffset();
        line = parser.currentTokenLocation().getLineNr();
        return t;
    }

    /** Where the element {@link #next} moved to starts in the input. */
    public long start() {
        return start;
    }

    /** The line it starts on. */
    public long line() {
        return line;
    }

    /**
     * Parses over the element {@link #next} moved to (its first token {@code t}), leaving the
     * parser on its last token; returns where its text ends in the input.
     */
    public long skip(JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT, START_ARRAY -> {
                parser.skipChildren();
                return parser.currentLocation().getByteOffset();
            }
            case VALUE_STRING -> {
                parser.finishToken(); // strings are read lazily: now the location is past the closing quote
                return parser.currentLocation().getByteOffset();
            }
            default -> {
                // A number or literal ends where its (ASCII) text does; the parser has looked past it.
                return start + parser.getTextLength();
            }
        }
    }
}

package dev.ingest.api.formats;

/**
 * NDJSON's framing: a record is a line, ending at a line feed (a CR before it is white space). Its
 * text is the line without the white space (space, tab, CR) around it; a line of white space
 * alone is {@linkplain #blank() blank} and is no record.
 */
public final class LineFramer extends RecordFramer {
    private int scanned; // bytes of the record being framed already scanned, relative to its start

    @Override
    public Framing frame(byte[] b, int start, int limit, boolean eof) {
        for (int p = start + scanned; p < limit; p++) {
            if (b[p] == '\n') {
                return framed(b, start, p, p + 1, 1);
            }
        }
        if (!eof) {
            scanned = limit - start;
            return Framing.NEED_MORE;
        }
        return start == limit ? Framing.END : framed(b, start, limit, limit, 0);
    }

    private Framing framed(byte[] b, int start, int lineEnd, int next, int breaks) {
        int to = lineEnd;
        while (to > start && isSpace(b[to - 1])) {
            to--;
        }
        int from = start;
        while (from < to && isSpace(b[from])) {
            from++;
        }
        scanned = 0;
        return framed(from, to, next, breaks);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    /** A line is never refused for its framing: its decoding judges it. */
    @Override
    public String problem() {
        return null;
    }

    @Override
    public boolean blank() {
        return contentStart() == contentEnd();
    }
}

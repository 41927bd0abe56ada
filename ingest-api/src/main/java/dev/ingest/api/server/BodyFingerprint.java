package dev.ingest.api.server;

import dev.ingest.api.common.Sha256;
import dev.ingest.engine.IngestRequest;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * What binds an idempotency key to its request: the request's table-independent options and
 * format, and a running SHA-256 of the body as received (after Content-Encoding is undone).
 *
 * <p>A repeat under the same key must be the same request: the same options and format, and a
 * body that begins with exactly the bytes each stored answer covers (for a JSON body, the whole
 * body; for a streamed body, everything up to the end of each committed segment). The body is
 * checked as it arrives, before the bytes after a stored prefix are decoded, so a different body
 * is refused before any of it is written. Event-loop confined.
 */
final class BodyFingerprint {
    private final String request;
    private final MessageDigest sha = Sha256.digest();
    private final ArrayDeque<IdempotencyKeys.Stored> expected = new ArrayDeque<>();
    private long bytes;
    private boolean differs;

    /**
     * @param request the options and format, as {@link #request} makes them
     * @param stored  the answers stored under the key before; those with a fingerprint are checked
     */
    BodyFingerprint(String request, List<IdempotencyKeys.Stored> stored) {
        this.request = request;
        stored.stream().filter(IdempotencyKeys.Stored::fingerprinted).sorted(Comparator.comparingLong(IdempotencyKeys.Stored::bodyBytes))
                .forEach(expected::add);
    }

    /** The request part of a fingerprint: everything but the table (which the key is stored with) and the body. */
    static String request(String format, String onConflict, boolean ackQueued) {
        return "format=" + format + ";on_conflict=" + onConflict + ";ack=" + (ackQueued ? "queued" : "commit");
    }

    /** Whether a stored answer came from a request with other options or another format. */
    boolean requestDiffers(List<IdempotencyKeys.Stored> stored) {
        return stored.stream().anyMatch(s -> s.requestFingerprint() != null && !s.requestFingerprint().equals(request));
    }

    /** Takes the next bytes of the body, checking each stored prefix they complete. */
    void update(byte[] data) {
        int offset = 0;
        while (!expected.isEmpty() && bytes + (data.length - offset) >= expected.peek().bodyBytes()) {
            int n = (int) (expected.peek().bodyBytes() - bytes);
            sha.update(data, offset, n);
            offset += n;
            bytes += n;
            if (!hex(copy()).equals(expected.poll().bodySha256())) {
                differs = true;
            }
        }
        sha.update(data, offset, data.length - offset);
        bytes += data.length - offset;
    }

    /**
     * Whether every stored answer with a fingerprint is for exactly this request and the body so
     * far, whole: for bodies taken as a whole (JSON), and for answers found after the fact.
     */
    boolean matchesWhole(List<IdempotencyKeys.Stored> stored) {
        String sha = current().bodySha256();
        return stored.stream().filter(IdempotencyKeys.Stored::fingerprinted)
                .allMatch(s -> s.requestFingerprint().equals(request) && s.bodyBytes() == bytes && s.bodySha256().equals(sha));
    }

    /** Whether the body so far differs from a stored one. */
    boolean differs() {
        return differs;
    }

    /** Whether some stored prefix is longer than the body so far (not yet checked). */
    boolean pending() {
        return !expected.isEmpty();
    }

    /** The fingerprint of the body so far, to store with the answer for it. */
    IngestRequest.Fingerprint current() {
        return new IngestRequest.Fingerprint(request, bytes, hex(copy()));
    }

    private MessageDigest copy() {
        try {
            return (MessageDigest) sha.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 is cloneable", e);
        }
    }

    private static String hex(MessageDigest d) {
        return HexFormat.of().formatHex(d.digest());
    }
}

package dev.ingest.engine;

/**
 * What every segment of an {@link UploadSession} asks of the engine (conflict handling, an
 * idempotency key, dead-lettering), set on each segment's builder as the session starts it.
 * Called on the session's thread.
 */
public interface SegmentOptions {
    /** Sets the upload's options on a new segment, before any record is added to it. */
    RequestBuilder apply(RequestBuilder segment);

    /** Sets what is known only as a segment is submitted (the fingerprint of the body so far). Default: nothing. */
    default void seal(RequestBuilder segment) {
    }
}

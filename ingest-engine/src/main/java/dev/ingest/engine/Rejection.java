package dev.ingest.engine;

import java.util.Objects;

/**
 * A record that was not written, and why.
 *
 * @param index    0-based position of the record in its request body
 * @param sqlstate the PostgreSQL SQLSTATE of the refusal (also used for refusals the engine makes
 *                 itself before the database sees the record, e.g. {@code 22P02} for a malformed uuid)
 * @param message  a human-readable reason naming the column where one is known
 */
public record Rejection(int index, String sqlstate, String message) {
    public Rejection {
        Objects.requireNonNull(sqlstate, "sqlstate");
        Objects.requireNonNull(message, "message");
    }
}

package dev.ingest.engine;

import java.util.Objects;

/**
 * A value that is already JSON text, destined for a {@code json} or {@code jsonb} column. Decoders
 * hand JSON subtrees over in this form so that the engine never re-parses them.
 *
 * @param json well-formed JSON text (an object, array, string, number, boolean or null literal)
 */
public record JsonText(String json) {
    public JsonText {
        Objects.requireNonNull(json, "json");
    }
}

package dev.ingest.engine;

import java.util.Objects;

/**
 * A JSON number with a fraction or exponent, as the text of the body. JSON's number syntax is
 * valid input for PostgreSQL's numeric and floating-point types, so the text is written as it is
 * (exact digits, no parse) unless an integer column needs it checked.
 *
 * @param text a number in JSON syntax, e.g. {@code -1.25e3}
 */
public record JsonNumber(String text) {
    public JsonNumber {
        Objects.requireNonNull(text, "text");
    }
}

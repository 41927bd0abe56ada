package dev.ingest.engine;

import java.util.Objects;

/**
 * A JSON number with a fraction or exponent, as the text of the body. It is given to PostgreSQL
 * as written (exact digits, no parse), whatever the column's type: the column's input function
 * judges it ({@code 1.0} into an integer column is refused 22P02, as {@code '1.0'::int} is).
 *
 * @param text a number in JSON syntax, e.g. {@code -1.25e3}
 */
public record JsonNumber(String text) {
    public JsonNumber {
        Objects.requireNonNull(text, "text");
    }
}

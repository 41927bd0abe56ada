package dev.ingest.api.config;

import java.time.Duration;
import java.util.Objects;

/** The checks the configuration records share: a value that must be above zero. */
final class Positive {
    private Positive() {
    }

    static void count(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive but was " + value);
        }
    }

    static void duration(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive but was " + value);
        }
    }
}

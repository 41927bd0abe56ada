package dev.ingest.api.config;

import java.util.Locale;

/**
 * When requests need an API key ({@code auth:} in the config file, {@code INGEST_AUTH}).
 * Authentication never switches itself off: only an operator's {@link #OFF} does, and only on
 * loopback.
 */
public enum AuthMode {
    /** Off until the first key is created (listening on loopback only), then on for good. */
    AUTO,
    /** On, even before any key exists (every request is refused until one does). */
    REQUIRED,
    /** Off whatever keys exist; refused when the service listens beyond loopback. */
    OFF;

    public static AuthMode parse(String value) {
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("auth must be auto, required or off, not \"" + value + "\"");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

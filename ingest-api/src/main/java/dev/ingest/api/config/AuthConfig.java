package dev.ingest.api.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Authentication of requests by API key.
 *
 * @param mode               when requests need a key ({@code auth:}, {@code INGEST_AUTH}); default
 *                           {@link AuthMode#AUTO}
 * @param keyRefreshInterval how often a running service reads the keys again, so that a created or
 *                           revoked key takes effect within this; default 2 s (no key in the file)
 */
public record AuthConfig(AuthMode mode, Duration keyRefreshInterval) {

    /** Every default. */
    public static final AuthConfig DEFAULTS = new AuthConfig(AuthMode.AUTO, Duration.ofSeconds(2));

    public AuthConfig {
        Objects.requireNonNull(mode, "mode");
        Positive.duration("keyRefreshInterval", keyRefreshInterval);
    }
}

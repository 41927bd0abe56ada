package dev.ingest.api.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * HTTPS with a PEM certificate (chain) and its PEM private key ({@code --tls-cert}/{@code --tls-key},
 * {@code INGEST_TLS_CERT}/{@code INGEST_TLS_KEY}, {@code tls_cert}/{@code tls_key}). Both are given
 * or neither is; the resolver checks that both files are readable.
 */
public record Tls(Path cert, Path key) {
    public Tls {
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
    }
}

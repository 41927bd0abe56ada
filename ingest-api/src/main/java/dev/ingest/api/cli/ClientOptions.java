package dev.ingest.api.cli;

import dev.ingest.api.config.ClientConfig;
import dev.ingest.api.config.ConfigResolver;
import picocli.CommandLine.Option;

/**
 * The options of every command that talks to a running service ({@code ingest load},
 * {@code ingest imports list|run}), as one picocli mixin: which service, and the token to show it.
 * The environment and defaults are applied by {@link ConfigResolver#client}, not by picocli, so
 * that they are resolved in one place with the rest of the configuration.
 */
final class ClientOptions {
    @Option(names = "--url", paramLabel = "URL",
            description = "The service (env INGEST_URL; default " + ClientConfig.DEFAULT_URL + ").")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Bearer token for the service (env INGEST_TOKEN).")
    String token;

    /** The client's configuration: these flags, else the environment, else the defaults. */
    ClientConfig config() {
        return ConfigResolver.client(url, token, System.getenv());
    }
}

package dev.ingest.api.config;

import java.util.Locale;

/**
 * The network transport of the HTTP server ({@code transport:} in the config file). Which one this
 * machine can give is decided where the server starts ({@code server.VertxTransports}).
 */
public enum NetworkTransport {
    /** epoll where available (Linux), else the JDK's NIO. */
    AUTO,
    EPOLL,
    IO_URING,
    NIO;

    public static NetworkTransport parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("transport must be auto, epoll, io_uring or nio, not \"" + text + "\"");
        }
    }
}

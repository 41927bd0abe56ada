package dev.ingest.api.server;

import io.vertx.core.transport.Transport;
import java.util.Locale;

/** The network transport of the HTTP server ({@code transport:} in the config file). */
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

    /** The Vert.x transport to use: the requested one if this machine supports it, else NIO. */
    Transport resolve() {
        Transport wanted = switch (this) {
            case AUTO, EPOLL -> Transport.EPOLL;
            case IO_URING -> Transport.IO_URING;
            case NIO -> Transport.NIO;
        };
        return wanted.available() ? wanted : Transport.NIO;
    }
}

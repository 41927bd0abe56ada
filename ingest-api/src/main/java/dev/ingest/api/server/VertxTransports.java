package dev.ingest.api.server;

import dev.ingest.api.config.NetworkTransport;
import io.vertx.core.transport.Transport;

/** Maps the configured {@link NetworkTransport} to the Vert.x transport this machine can give. */
final class VertxTransports {
    private VertxTransports() {
    }

    /** The requested transport if this machine supports it, else NIO; AUTO asks for epoll. */
    static Transport resolve(NetworkTransport wanted) {
        Transport transport = switch (wanted) {
            case AUTO, EPOLL -> Transport.EPOLL;
            case IO_URING -> Transport.IO_URING;
            case NIO -> Transport.NIO;
        };
        return transport.available() ? transport : Transport.NIO;
    }
}

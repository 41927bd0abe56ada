package dev.ingest.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** A service is started only on a port nobody listens on, so that no other program is measured in its place. */
class ServiceProcessTest {
    @Test
    void aTakenPortIsSkipped() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();

            int chosen = ServiceProcess.freePortFrom(port);

            assertThat(chosen).isGreaterThan(port);
            try (ServerSocket free = new ServerSocket()) {
                free.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), chosen)); // and it is free indeed
            }
        }
    }
}

package dev.ingest.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** {@code ingest serve} as a separate process, as users run it, with a config written for one scenario. */
final class ServiceProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private ServiceProcess(Process process, URI base) {
        this.process = process;
        this.base = base;
    }

    /** The service's process id, for {@link CpuUse}. */
    long pid() {
        return process.pid();
    }

    /**
     * Starts the service and waits until it is ready.
     *
     * @param jvmOptions options of the service's JVM besides its heap (a profiler agent, say)
     * @param configYaml the config file's text (engine settings of the scenario)
     */
    static ServiceProcess start(Path jar, List<String> jvmOptions, String databaseUrl, String configYaml, int port, String heap,
            Path workDir) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Path config = workDir.resolve("ingest-" + port + ".yaml");
        Files.writeString(config, configYaml);
        List<String> cmd = new ArrayList<>(List.of("java", "-Xms" + heap, "-Xmx" + heap));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar.toString(), "serve",
                "--port", Integer.toString(port), "--database-url", databaseUrl, "--config", config.toString()));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("service.log").toFile()))
                .start();
        ServiceProcess s = new ServiceProcess(p, URI.create("http://127.0.0.1:" + port));
        s.awaitReady();
        return s;
    }

    /**
     * The first port from {@code first} on that nothing listens on at 127.0.0.1. A port already
     * taken would let another program (a service left running by hand, say) answer the readiness
     * check and be measured in place of the one started, which exits on the conflict.
     */
    static int freePortFrom(int first) throws IOException {
        for (int port = first; port < first + 1000; port++) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (BindException taken) {
                // the next one
            }
        }
        throw new IOException("no free port in " + first + "-" + (first + 999) + " on 127.0.0.1");
    }

    URI uri(String path) {
        return base.resolve(path);
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("ingest exited with " + process.exitValue() + "; see service.log");
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri("/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        throw new IllegalStateException("ingest did not become ready in 90 s; see service.log");
    }

    /** The service's {@code GET /v1/stats}. */
    JsonNode stats() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/v1/stats")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    /**
     * The service's live heap: runs a full collection in it ({@code jcmd PID GC.run}) and reads
     * the heap left after it. Disturbs the service for the length of that collection.
     */
    long liveHeapBytes() throws IOException, InterruptedException {
        Process gc = new ProcessBuilder("jcmd", Long.toString(process.pid()), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
            throw new IOException("jcmd GC.run failed for pid " + process.pid());
        }
        return stats().get("heap_used_after_gc_bytes").asLong();
    }

    /** SIGTERM (graceful), then a hard stop if it does not exit in time. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

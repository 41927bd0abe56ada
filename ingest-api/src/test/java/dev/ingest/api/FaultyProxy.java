package dev.ingest.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of a real service that misbehaves on cue, as networks and overloaded
 * services do: each request takes the next scripted {@link Fault}, or is forwarded when the
 * script is empty. The records still reach the real service and its real database; only the
 * path between the client and the service is made unreliable.
 */
final class FaultyProxy implements AutoCloseable {
    enum Fault {
        /** Forward the request and return the service's answer. */
        FORWARD,
        /** Answer 429 with Retry-After: 1, without forwarding. */
        TOO_MANY_REQUESTS,
        /** Cut the connection without forwarding. */
        DROP_BEFORE,
        /** Forward the request (the service commits it), then cut the connection instead of answering. */
        DROP_AFTER
    }

    private static final List<String> FORWARDED_HEADERS = List.of("Content-Type", "Idempotency-Key", "Authorization");

    private final HttpServer server;
    private final URI target;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ConcurrentLinkedDeque<Fault> script = new ConcurrentLinkedDeque<>();
    private volatile Fault otherwise = Fault.FORWARD;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger forwarded = new AtomicInteger();
    /** The Authorization header of the latest request, or null. */
    volatile String authorization;

    FaultyProxy(URI target) throws IOException {
        this.target = target;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "faulty-proxy");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues faults for the next requests, in order. */
    FaultyProxy then(Fault... faults) {
        script.addAll(List.of(faults));
        return this;
    }

    /** What requests get once the script is used up. */
    FaultyProxy otherwise(Fault fault) {
        otherwise = fault;
        return this;
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        authorization = exchange.getRequestHeaders().getFirst("Authorization");
        Fault fault = script.poll();
        if (fault == null) {
            fault = otherwise;
        }
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            switch (fault) {
                case TOO_MANY_REQUESTS -> {
                    exchange.getResponseHeaders().add("Retry-After", "1");
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    byte[] answer = "{\"error\":\"busy\",\"message\":\"injected\"}".getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(429, answer.length);
                    exchange.getResponseBody().write(answer);
                }
                case DROP_BEFORE -> { } // closing without an answer cuts the connection
                case DROP_AFTER -> forward(exchange, body);
                case FORWARD -> {
                    HttpResponse<byte[]> r = forward(exchange, body);
                    r.headers().map().forEach((name, values) -> {
                        if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("connection")
                                && !name.startsWith(":")) {
                            values.forEach(v -> exchange.getResponseHeaders().add(name, v));
                        }
                    });
                    exchange.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
                    exchange.getResponseBody().write(r.body());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                .timeout(Duration.ofMinutes(2))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        for (String h : FORWARDED_HEADERS) {
            String v = exchange.getRequestHeaders().getFirst(h);
            if (v != null) {
                b.header(h, v);
            }
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        forwarded.incrementAndGet();
        return r;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

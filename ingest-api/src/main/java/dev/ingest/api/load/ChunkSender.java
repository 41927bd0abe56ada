package dev.ingest.api.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ingest.api.config.ClientConfig;
import dev.ingest.engine.RequestAnswer;
import dev.ingest.engine.RequestAnswerJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Sends chunks to {@code POST /v1/tables/{table}/records} and gets each one committed, retrying
 * until it is: a chunk's Idempotency-Key stays the same on every attempt, so a retry after a lost
 * answer writes nothing twice (the service answers with what it stored). Honours
 * {@code Retry-After} on 429 and 503, waits out 409 (the same chunk still in progress), and backs
 * off exponentially on connection errors and other 5xx, for at most {@code retryFor} without any
 * answer that lets it go on. Other 4xx answers are failures of the whole load. The timeout of an
 * attempt and the bounds of the backoff are the {@link ClientConfig}'s. Thread-safe.
 */
final class ChunkSender {

    private final HttpClient http;
    private final URI endpoint;
    private final String contentType;
    private final String token;
    private final Duration timeout;
    private final long backoffMinMillis;
    private final long backoffMaxMillis;
    private final Duration retryFor;
    private final Sleeper sleeper;
    private final RefusalAdvice advice;

    /** Waits between attempts; returns early (false) when the load is being stopped. */
    interface Sleeper {
        boolean sleep(long millis);
    }

    /**
     * The service's answer for a committed chunk.
     *
     * @param records  what the chunk's records came to (the refused ones by index in the chunk)
     * @param replayed true when the service answered from what it stored before under the chunk's key
     */
    record Answer(RequestAnswer records, boolean replayed) {
    }

    /** The service refused the chunk as a whole, or could not be reached for {@code retryFor}. */
    static final class LoadFailure extends IOException {
        private final boolean refused;

        LoadFailure(String message, boolean refused) {
            super(message);
            this.refused = refused;
        }

        /**
         * True when the same command cannot succeed until something is fixed (the token, the table,
         * a column, the URL): then the message says what, and resuming is no advice to give.
         */
        boolean refused() {
            return refused;
        }
    }

    /**
     * @param client the service, its token, the timeout of an attempt ({@code chunkTimeout}) and the backoff
     * @param query  extra query parameters, e.g. {@code on_conflict=ignore}, or empty
     */
    ChunkSender(HttpClient http, ClientConfig client, String table, String query, String contentType, Duration retryFor,
            Sleeper sleeper) {
        this.http = http;
        this.endpoint = URI.create(ServiceTables.base(client) + "/v1/tables/"
                + URLEncoder.encode(table, StandardCharsets.UTF_8).replace("+", "%20")
                + "/records" + (query.isEmpty() ? "" : "?" + query));
        this.contentType = contentType;
        this.token = client.token();
        this.timeout = client.chunkTimeout();
        this.backoffMinMillis = client.retryBackoffMin().toMillis();
        this.backoffMaxMillis = client.retryBackoffMax().toMillis();
        this.retryFor = retryFor;
        this.sleeper = sleeper;
        this.advice = new RefusalAdvice(http, client, table);
    }

    /**
     * Sends the chunk until the service has committed it.
     *
     * @param stopping  true once the load is being stopped: the chunk is then given up between attempts
     * @param onRetry   told each time an attempt fails and will be retried, with why
     * @return the answer, or null when given up because the load is stopping
     */
    Answer send(Chunk chunk, String key, BooleanSupplier stopping, Consumer<String> onRetry, LongSupplier clockMillis)
            throws LoadFailure, InterruptedException {
        long backoff = backoffMinMillis;
        long firstFailure = -1;
        while (true) {
            String problem;
            long wait;
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(endpoint)
                        .timeout(timeout)
                        .header("Content-Type", contentType)
                        .header("Idempotency-Key", key)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(chunk.body()));
                if (token != null) {
                    b.header("Authorization", "Bearer " + token);
                }
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                int status = r.statusCode();
                // 422 is an answer for the records only when every one of them was refused; any other
                // 422 (a reused key, a request refused as a whole) is a failure of the load, never
                // a chunk counted as done.
                if (status == 200 || status == 422 && message(r.body()).startsWith("all_rejected:")) {
                    return answer(r);
                }
                String error = error(r.body());
                problem = "HTTP " + status + ": " + message(r.body());
                if (status == 429 || status == 503) {
                    wait = 1000L * r.headers().firstValueAsLong("Retry-After").orElse(1);
                } else if (status == 409) {
                    wait = 1000; // this chunk is still being written by an earlier attempt
                } else if (status >= 500) {
                    wait = backoff;
                    backoff = Math.min(backoffMaxMillis, backoff * 2);
                } else {
                    String what = status == 400 || status == 422 ? "the records at line " + chunk.firstLine() : "the load";
                    String fix = advice.forStatus(status, error);
                    throw new LoadFailure("the service refused " + what + ": " + problem + (fix.isEmpty() ? "" : "; " + fix), true);
                }
            } catch (LoadFailure e) {
                throw e;
            } catch (IOException e) {
                String fatal = RefusalAdvice.unreachable(endpoint, e);
                if (fatal != null) {
                    throw new LoadFailure(fatal, true);
                }
                problem = RefusalAdvice.describe(endpoint, e);
                wait = backoff;
                backoff = Math.min(backoffMaxMillis, backoff * 2);
            }
            long now = clockMillis.getAsLong();
            if (firstFailure < 0) {
                firstFailure = now;
            } else if (now - firstFailure > retryFor.toMillis()) {
                throw new LoadFailure("gave up after retrying for " + retryFor.toSeconds() + " s: " + problem, false);
            }
            if (stopping.getAsBoolean()) {
                return null;
            }
            onRetry.accept(problem + "; retrying in " + wait + " ms");
            if (!sleeper.sleep(wait)) {
                return null;
            }
        }
    }

    private static Answer answer(HttpResponse<String> r) throws LoadFailure {
        try {
            boolean replayed = r.headers().firstValue("Idempotent-Replayed").map("true"::equals).orElse(false);
            return new Answer(RequestAnswerJson.decode(r.body()), replayed);
        } catch (IllegalArgumentException e) {
            throw new LoadFailure("the service's answer is not the JSON expected: " + e.getMessage(), false);
        }
    }

    private static String message(String body) {
        try {
            JsonNode j = TableSampler.JSON.readTree(body);
            return j.path("error").asText("?") + ": " + j.path("message").asText("");
        } catch (IOException | RuntimeException e) {
            return body.length() > 200 ? body.substring(0, 200) + "..." : body;
        }
    }

    private static String error(String body) {
        try {
            return TableSampler.JSON.readTree(body).path("error").asText("");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}

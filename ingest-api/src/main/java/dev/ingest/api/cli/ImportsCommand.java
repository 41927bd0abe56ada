package dev.ingest.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.ingest.api.common.UserError;
import dev.ingest.api.config.ClientConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ingest imports list|run NAME}: the scheduled imports of a running service. */
@Command(
        name = "imports",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {"Show or trigger the scheduled imports of a running service (jobs are defined in its config file).", ""},
        subcommands = {ImportsCommand.ListJobs.class, ImportsCommand.RunJob.class})
public final class ImportsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The requests of the subcommands to the service, as the client's configuration says. */
    static final class Service {
        private final ClientConfig config;

        Service(ClientConfig config) {
            this.config = config;
        }

        HttpResponse<String> send(String method, String path) throws InterruptedException {
            String url = config.url();
            String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            URI uri;
            try {
                uri = URI.create(base + path);
            } catch (IllegalArgumentException e) {
                throw new UserError("--url must be a URL starting with http:// or https://, e.g. http://127.0.0.1:8080 (was \""
                        + url + "\"; env INGEST_URL)");
            }
            if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                throw new UserError("--url must start with http:// or https:// and name a host, e.g. http://127.0.0.1:8080 "
                        + "(was \"" + url + "\"; env INGEST_URL)");
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(config.requestTimeout())
                    .method(method, HttpRequest.BodyPublishers.noBody());
            if (config.token() != null) {
                b.header("Authorization", "Bearer " + config.token());
            }
            try {
                return ServiceHttpClient.builder(url).connectTimeout(config.connectTimeout()).build()
                        .send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException e) {
                throw new UserError("cannot reach the service at " + base + " (connection refused): is 'ingest serve' running "
                        + "there? (--url, INGEST_URL)", e);
            } catch (HttpConnectTimeoutException e) {
                throw new UserError("cannot reach the service at " + base + " (no answer within " + config.connectTimeout().toSeconds()
                        + " s): check --url (INGEST_URL) "
                        + "and that 'ingest serve' runs there", e);
            } catch (IOException e) {
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                if (e.getCause() instanceof UnresolvedAddressException) {
                    why = "unknown host " + uri.getHost();
                }
                throw new UserError("cannot talk to the service at " + base + " (" + why + "): check --url (INGEST_URL) "
                        + "and that 'ingest serve' runs there", e);
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static int failed(PrintStream err, HttpResponse<String> r) {
        String message = r.body();
        try {
            JsonNode j = JSON.readTree(r.body());
            message = j.path("error").asText() + ": " + j.path("message").asText();
        } catch (IOException e) {
            // not JSON: show it as it is
        }
        String advice = switch (r.statusCode()) {
            case 401 -> "; give a token with --token or INGEST_TOKEN (an operator makes one with 'ingest keys create')";
            case 403 -> "; imports need a key granted the job's table (or '*')";
            default -> "";
        };
        err.println("ingest imports: HTTP " + r.statusCode() + ": " + message + advice);
        return 1;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the jobs, their next run and their latest runs.")
    static final class ListJobs implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "Latest runs shown per job (default ${DEFAULT-VALUE}).")
        int runs;

        @Override
        public Integer call() throws Exception {
            HttpResponse<String> r = new Service(client.config()).send("GET", "/v1/imports");
            if (r.statusCode() != 200) {
                return failed(System.err, r);
            }
            PrintStream out = System.out;
            JsonNode jobs = JSON.readTree(r.body()).path("imports");
            if (jobs.isEmpty()) {
                out.println("no import jobs (define them under imports: in the service's config file)");
            }
            for (JsonNode job : jobs) {
                out.printf("%s  cron \"%s\" %s  %s -> %s  next run %s%n", job.path("name").asText(), job.path("cron").asText(),
                        job.path("timezone").asText(), job.path("source").asText(), job.path("table").asText(),
                        job.path("next_run").asText("unknown"));
                int shown = 0;
                for (JsonNode run : job.path("runs")) {
                    if (shown++ >= runs) {
                        break;
                    }
                    out.printf("  run %d  %s  %s  %s  files %d, rows %d accepted, %d rejected%s%n", run.path("id").asLong(),
                            run.path("started_at").asText(), run.path("trigger").asText(), run.path("status").asText(),
                            run.path("files").asInt(), run.path("rows_accepted").asLong(), run.path("rows_rejected").asLong(),
                            run.path("error").isNull() || run.path("error").isMissingNode() ? "" : "  error: " + run.path("error").asText());
                }
            }
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run a job now, on one of the service's instances.",
                "With --wait: wait for that run to end, print its outcome, and exit 0 if it succeeded, 1 if it failed."})
    static final class RunJob implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "NAME", description = "The job.")
        String name;

        @Option(names = "--wait", description = "Wait for the run to end; the exit status says how it ended (0 succeeded, 1 failed).")
        boolean await;

        @Option(names = "--wait-timeout", paramLabel = "SECONDS", defaultValue = "3600",
                description = "With --wait: give up after this long, exit 1 (default ${DEFAULT-VALUE}).")
        long waitTimeoutSeconds;

        @Override
        public Integer call() throws Exception {
            ClientConfig config = client.config();
            Service service = new Service(config);
            long before = 0;
            if (await) {
                HttpResponse<String> list = service.send("GET", "/v1/imports");
                if (list.statusCode() != 200) {
                    return failed(System.err, list);
                }
                before = latestRun(JSON.readTree(list.body())).path("id").asLong(0);
            }
            HttpResponse<String> r = service.send("POST", "/v1/imports/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/run");
            if (r.statusCode() != 202) {
                return failed(System.err, r);
            }
            System.out.println("ingest imports: " + name + ": " + JSON.readTree(r.body()).path("message").asText());
            return await ? awaitRunAfter(service, before, config.waitPollInterval()) : 0;
        }

        /** Polls the job's runs until one newer than {@code before} has ended; its status decides the exit status. */
        private int awaitRunAfter(Service service, long before, Duration pollInterval) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(waitTimeoutSeconds).toNanos();
            while (System.nanoTime() < deadline) {
                HttpResponse<String> list = service.send("GET", "/v1/imports");
                if (list.statusCode() != 200) {
                    return failed(System.err, list);
                }
                JsonNode run = latestRun(JSON.readTree(list.body()));
                if (run.path("id").asLong(0) > before && !run.path("status").asText().equals("running")) {
                    String status = run.path("status").asText();
                    System.out.printf("ingest imports: %s: run %d %s: files %d, rows %d accepted, %d rejected%s%n", name,
                            run.path("id").asLong(), status, run.path("files").asInt(), run.path("rows_accepted").asLong(),
                            run.path("rows_rejected").asLong(), run.path("error").isTextual() ? "; error: " + run.path("error").asText() : "");
                    return status.equals("succeeded") ? 0 : 1;
                }
                Thread.sleep(pollInterval.toMillis()); // polling interval
            }
            System.err.println("ingest imports: " + name + ": no run ended within " + waitTimeoutSeconds + " s (--wait-timeout); "
                    + "see 'ingest imports list'");
            return 1;
        }

        /** The job's newest run (the service lists them newest first), or a missing node. */
        private JsonNode latestRun(JsonNode imports) {
            JsonNode newest = MissingNode.getInstance();
            for (JsonNode job : imports.path("imports")) {
                if (job.path("name").asText().equals(name)) {
                    for (JsonNode run : job.path("runs")) {
                        if (run.path("id").asLong() > newest.path("id").asLong(0)) {
                            newest = run;
                        }
                    }
                }
            }
            return newest;
        }
    }
}

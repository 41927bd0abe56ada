package dev.ingest.api.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ingest.api.common.TableDefinition;
import dev.ingest.api.formats.Format;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;

/**
 * {@code ingest load --create-table} and {@code --print-ddl}: infers the table from the first input
 * ({@link TableSampler}) and prints its DDL, or has the service create it when it has no such table.
 */
final class TableCreator {
    private final Loader.Options options;
    private final HttpClient http;
    private final InputStream stdin;
    private final PrintStream out;
    private final PrintStream err;

    TableCreator(Loader.Options options, HttpClient http, InputStream stdin, PrintStream out, PrintStream err) {
        this.options = options;
        this.http = http;
        this.stdin = stdin;
        this.out = out;
        this.err = err;
    }

    /** Prints or creates the table; returns {@link Loader#OK} to go on, else the exit code. */
    int prepare(String input) {
        if (input.equals("-")) {
            err.println("ingest load: --create-table and --print-ddl read the first records of a file twice: save standard "
                    + "input to a file first");
            return Loader.FAILED;
        }
        TableDefinition table;
        try {
            Source source = Source.of(input, null);
            Format format = options.format() != null ? options.format() : Format.fromFileName(input).orElse(null);
            if (format == null) {
                err.println("ingest load: " + input + ": cannot tell the format from the name; give --format csv, ndjson or json");
                return Loader.FAILED;
            }
            table = TableSampler.sample(source, format, options.table(), options.sampleRows(),
                    options.client().maxSampleBytes(), stdin);
        } catch (IOException | IllegalArgumentException e) {
            err.println("ingest load: " + input + ": cannot infer the table: " + e.getMessage());
            return Loader.FAILED;
        }
        if (options.tableCreation() == Loader.TableCreation.PRINT_DDL) {
            out.println(table.ddl() + ";");
            return Loader.OK;
        }
        return create(table);
    }

    private int create(TableDefinition table) {
        if (ServiceTables.tryFetch(http, options.client()).flatMap(t -> t.find(options.table())).isPresent()) {
            err.println("ingest load: table " + options.table() + " exists; loading into it as it is");
            return Loader.OK;
        }
        try {
            HttpResponse<String> r = ServiceTables.create(http, options.client(), table);
            JsonNode answer = json(r.body());
            String message = answer.path("error").asText("?") + ": " + answer.path("message").asText(r.body());
            switch (r.statusCode()) {
                case 201 -> {
                    err.println("ingest load: created table " + table.qualifiedName() + " (" + table.columns().size() + " columns: "
                            + String.join(", ", table.columns().stream().map(c -> c.name() + " " + c.type()).toList()) + ")");
                    if (!answer.path("ingestible").asBoolean(true)) {
                        err.println("ingest load: " + answer.path("message").asText());
                        return Loader.FAILED;
                    }
                    return Loader.OK;
                }
                case 409 -> {
                    err.println("ingest load: table " + table.qualifiedName() + " exists; loading into it as it is");
                    return Loader.OK;
                }
                default -> {
                    String fix = new RefusalAdvice(http, options.client(), options.table()).forStatus(r.statusCode(),
                            answer.path("error").asText(""));
                    err.println("ingest load: the service did not create table " + table.qualifiedName() + ": HTTP " + r.statusCode()
                            + ": " + message + (r.statusCode() == 403 || fix.isEmpty() ? "" : "; " + fix));
                    return Loader.FAILED;
                }
            }
        } catch (IOException e) {
            String fatal = RefusalAdvice.unreachable(URI.create(options.client().url()), e);
            err.println("ingest load: cannot create table " + table.qualifiedName() + ": "
                    + (fatal != null ? fatal : RefusalAdvice.describe(URI.create(options.client().url()), e)));
            return Loader.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Loader.FAILED;
        }
    }

    private static JsonNode json(String body) {
        try {
            return TableSampler.JSON.readTree(body);
        } catch (IOException e) {
            return TableSampler.JSON.createObjectNode();
        }
    }
}

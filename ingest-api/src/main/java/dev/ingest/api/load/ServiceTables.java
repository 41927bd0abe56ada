package dev.ingest.api.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingest.api.common.TableDefinition;
import dev.ingest.api.config.ClientConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The tables a service lets this caller load ({@code GET /v1/tables}), as the loader's advice and
 * {@code --create-table} need them: their qualified names and writable columns. The requests'
 * timeouts are the {@link ClientConfig}'s ({@code requestTimeout}, {@code createTableTimeout}).
 */
final class ServiceTables {

    /** One ingestible table: {@code schema.name} and the columns a load may write. */
    record Table(String qualifiedName, List<String> writableColumns) {
    }

    private final List<Table> tables;

    private ServiceTables(List<Table> tables) {
        this.tables = tables;
    }

    /** Asks the service; throws when it cannot be reached or does not answer 200 with the listing. */
    static ServiceTables fetch(HttpClient http, ClientConfig client) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(client) + "/v1/tables")).timeout(client.requestTimeout())
                .GET();
        if (client.token() != null) {
            b.header("Authorization", "Bearer " + client.token());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET /v1/tables answered HTTP " + r.statusCode());
        }
        List<Table> tables = new ArrayList<>();
        for (JsonNode t : TableSampler.JSON.readTree(r.body()).path("tables")) {
            List<String> columns = new ArrayList<>();
            for (JsonNode c : t.path("columns")) {
                if (c.path("writable").asBoolean(true)) {
                    columns.add(c.path("name").asText());
                }
            }
            tables.add(new Table(t.path("schema").asText() + "." + t.path("name").asText(), columns));
        }
        return new ServiceTables(tables);
    }

    /** The listing, or empty when it cannot be had (advice is best effort: it never hides the failure it explains). */
    static Optional<ServiceTables> tryFetch(HttpClient http, ClientConfig client) {
        try {
            return Optional.of(fetch(http, client));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Asks the service to create {@code table} ({@code POST /v1/tables}); returns its status and
     * JSON answer (201 created, 409 exists, else refused).
     */
    static HttpResponse<String> create(HttpClient http, ClientConfig client, TableDefinition table)
            throws IOException, InterruptedException {
        ObjectNode body = TableSampler.JSON.createObjectNode();
        // The table as the service parses names: quoted parts, so that dots and quotes in them stay in the name.
        body.put("table", TableDefinition.quote(table.schema()) + "." + TableDefinition.quote(table.name()));
        ArrayNode columns = body.putArray("columns");
        table.columns().forEach(c -> columns.addObject().put("name", c.name()).put("type", c.type()));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(client) + "/v1/tables"))
                .timeout(client.createTableTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TableSampler.JSON.writeValueAsString(body)));
        if (client.token() != null) {
            b.header("Authorization", "Bearer " + client.token());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The service's address without a trailing slash, for paths to follow. */
    static String base(ClientConfig client) {
        String url = client.url();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    List<Table> tables() {
        return tables;
    }

    /** The table {@code name} ({@code schema.name}, or a bare name as the service resolves it: in {@code public}). */
    Optional<Table> find(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        String qualified = n.contains(".") ? n : "public." + n;
        return tables.stream().filter(t -> t.qualifiedName().toLowerCase(Locale.ROOT).equals(qualified)).findFirst();
    }
}

package dev.ingest.api.load;

import dev.ingest.api.config.ClientConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What to tell the user when the service refuses a load as a whole, or cannot be reached: what
 * can fix it (the token, the table, the column, the host), since running the same command again
 * cannot. Each method returns the text that follows the failure on the same line.
 */
final class RefusalAdvice {
    private final HttpClient http;
    private final ClientConfig client;
    private final String table;

    RefusalAdvice(HttpClient http, ClientConfig client, String table) {
        this.http = http;
        this.client = client;
        this.table = table;
    }

    /** Advice for a 4xx answer with its {@code error} code; empty when the service's own message is all there is to say. */
    String forStatus(int status, String error) {
        return switch (status) {
            case 401 -> client.token() == null
                    ? "the service needs an API key: give its token with --token TOKEN or INGEST_TOKEN (an operator makes "
                            + "one with: ingest keys create --name NAME --tables " + table + ")"
                    : "check the token given (--token or INGEST_TOKEN), or have a key made with: "
                            + "ingest keys create --name NAME --tables " + table;
            case 403 -> "use a token whose key is granted it (ingest keys create --name NAME --tables " + table + ")";
            case 404 -> tables();
            case 400 -> "unknown_column".equals(error) || "column_not_writable".equals(error) ? columns() : "";
            default -> "";
        };
    }

    private String tables() {
        return ServiceTables.tryFetch(http, client).map(t -> t.tables().isEmpty()
                ? "this key may load no table there: create " + table + " (or let ingest load --create-table do it)"
                : "tables this key may load: " + names(t.tables()) + " (or create " + table + ", e.g. with --create-table)")
                .orElse("check --table against GET " + ServiceTables.base(client) + "/v1/tables");
    }

    private String columns() {
        return ServiceTables.tryFetch(http, client).flatMap(t -> t.find(table))
                .map(t -> t.qualifiedName() + " has the columns " + String.join(", ", t.writableColumns())
                        + ": rename the file's column, or add it to the table (ALTER TABLE ... ADD COLUMN)")
                .orElse("rename the file's column, or add it to the table (ALTER TABLE ... ADD COLUMN)");
    }

    private static String names(List<ServiceTables.Table> tables) {
        String listed = tables.stream().limit(20).map(ServiceTables.Table::qualifiedName).collect(Collectors.joining(", "));
        return tables.size() > 20 ? listed + " and " + (tables.size() - 20) + " more" : listed;
    }

    /**
     * A connection failure, named: its host and cause. Null when it may pass (connection refused,
     * a timeout: the service may be restarting); else the message of a failure that retrying
     * cannot fix (a host name that does not resolve).
     */
    static String unreachable(URI endpoint, IOException e) {
        if (has(e, UnresolvedAddressException.class) || has(e, UnknownHostException.class)) {
            return "cannot resolve the host \"" + endpoint.getHost() + "\" of --url " + endpoint.getScheme() + "://"
                    + endpoint.getAuthority() + ": check the name (or INGEST_URL)";
        }
        return null;
    }

    /** The cause of a connection failure that may pass, in words. */
    static String describe(URI endpoint, IOException e) {
        String where = endpoint.getScheme() + "://" + endpoint.getAuthority();
        if (e instanceof HttpConnectTimeoutException) {
            return "no connection to " + where + " within the connect timeout";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer from " + where + " in time";
        }
        if (e instanceof ConnectException || has(e, ConnectException.class)) {
            return "cannot connect to " + where + " (connection refused: is the service running there?)";
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String m = root.getMessage() != null ? root.getMessage() : e.getMessage();
        return "cannot reach " + where + ": " + (m != null ? m : root.getClass().getSimpleName());
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}

package dev.ingest.api.server;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The methods the router serves on a path, for the {@code Allow} header a 405 must carry (RFC
 * 9110, section 15.5.6). Read from the router's own routes when asked, so it cannot drift from
 * them; a 405 is rare enough not to need a cache. Thread-safe.
 */
final class AllowedMethods {
    /** The order in which the header lists methods. */
    private static final List<HttpMethod> ORDER = List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT,
            HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS);

    private final Router router;

    AllowedMethods(Router router) {
        this.router = router;
    }

    /** The value of {@code Allow} for {@code path}, e.g. {@code "GET, HEAD"}; empty when no route names methods for it. */
    String on(String path) {
        Set<HttpMethod> allowed = new TreeSet<>((a, b) -> Integer.compare(rank(a), rank(b)));
        for (Route route : router.getRoutes()) {
            Set<HttpMethod> methods = route.methods();
            // Routes for every method (authentication, metrics counting) say nothing of what is
            // allowed; a route of a regular expression (none here) has no path to compare.
            if (methods != null && !methods.isEmpty() && route.getPath() != null
                    && matches(route, path)) {
                allowed.addAll(methods);
            }
        }
        return allowed.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
    }

    private static boolean matches(Route route, String path) {
        // A route path's ":name" segments stand for any one segment; a path ending in "*" for any rest.
        String pattern = Pattern.compile("/").splitAsStream(route.getPath())
                .map(segment -> segment.startsWith(":") ? "[^/]+" : Pattern.quote(segment))
                .collect(Collectors.joining("/"));
        if (route.getPath().endsWith("/")) {
            pattern += "/";
        }
        return route.isExactPath() ? path.matches(pattern) : path.matches(pattern + ".*");
    }

    private static int rank(HttpMethod method) {
        int i = ORDER.indexOf(method);
        return i < 0 ? ORDER.size() + method.name().hashCode() : i;
    }
}

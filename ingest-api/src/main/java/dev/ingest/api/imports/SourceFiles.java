package dev.ingest.api.imports;

import dev.ingest.api.common.Sha256;
import dev.ingest.api.config.ImportJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** Finds the files a job's source offers now: the matches of a directory glob, or one download. */
final class SourceFiles {
    private final HttpClient http;
    private final Duration downloadTimeout;

    /**
     * @param connectTimeout  how long connecting to an http(s) source may take
     * @param downloadTimeout how long one download may take
     */
    SourceFiles(Duration connectTimeout, Duration downloadTimeout) {
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(connectTimeout).build();
        this.downloadTimeout = downloadTimeout;
    }

    /**
     * One file to import.
     *
     * @param name    how history and dead letters name it: the path, or the URL
     * @param path    where to read it (for a URL, a downloaded temporary copy)
     * @param version what besides the content tells versions apart: the modification time, or the
     *                URL's ETag and Last-Modified
     * @param temporary the file is a download, deleted after the run
     */
    record SourceFile(String name, Path path, long size, String version, boolean temporary) {
        /** The identity of this version of the file: name, size, version and content hash. */
        String id(String contentSha256) {
            return Sha256.hex(name + '\0' + size + '\0' + version + '\0' + contentSha256);
        }
    }

    List<SourceFile> list(ImportJob job, Path downloads) throws IOException, InterruptedException {
        return job.fromUrl() ? List.of(download(job.source(), downloads)) : glob(job.source());
    }

    /** The regular files matching the glob in its last path segment (e.g. {@code /data/in/*.csv}), by name. */
    static List<SourceFile> glob(String source) throws IOException {
        Path pattern = Path.of(source);
        Path dir = pattern.getParent() == null ? Path.of(".") : pattern.getParent();
        String glob = pattern.getFileName().toString();
        if (!Files.isDirectory(dir)) {
            throw new IOException("source directory " + dir + " does not exist");
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        List<SourceFile> files = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.sorted().toList()) {
                if (Files.isRegularFile(p) && matcher.matches(p.getFileName())) {
                    files.add(new SourceFile(p.toString(), p, Files.size(p), Long.toString(Files.getLastModifiedTime(p).toMillis()),
                            false));
                }
            }
        }
        return files;
    }

    private SourceFile download(String url, Path downloads) throws IOException, InterruptedException {
        String shown = ImportJob.redacted(url); // the file's name in history, rejects and logs
        Files.createDirectories(downloads);
        Path tmp = Files.createTempFile(downloads, "download-", ".part");
        try {
            HttpResponse<Path> r = http.send(request(URI.create(url)), HttpResponse.BodyHandlers.ofFile(tmp));
            if (r.statusCode() != 200) {
                throw new IOException("GET " + shown + " answered HTTP " + r.statusCode());
            }
            String version = "etag=" + r.headers().firstValue("ETag").orElse("") + ";last-modified="
                    + r.headers().firstValue("Last-Modified").orElse("");
            Path named = tmp.resolveSibling(tmp.getFileName().toString().replace(".part", "") + "-" + fileName(url));
            Files.move(tmp, named, StandardCopyOption.ATOMIC_MOVE);
            return new SourceFile(shown, named, Files.size(named), version, true);
        } catch (IOException | InterruptedException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * A GET of the URL; credentials in it ({@code https://user:password@host/...}) are sent as
     * HTTP Basic authentication, never as part of the request line.
     */
    private HttpRequest request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(downloadTimeout).GET();
        if (uri.getRawUserInfo() == null) {
            return b.uri(uri).build();
        }
        String credentials = URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
        b.header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        try {
            return b.uri(new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getRawPath() == null ? null : uri.getPath(),
                    uri.getQuery(), null)).build();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid source URL " + ImportJob.redacted(uri.toString()), e);
        }
    }

    /** The last path segment of a URL (which carries its format's extension), made safe for a file name. */
    private static String fileName(String url) {
        String path = URI.create(url).getPath();
        String last = path == null || path.isEmpty() ? "download" : path.substring(path.lastIndexOf('/') + 1);
        return last.isEmpty() ? "download" : last.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** The SHA-256 of a file's content, hex. */
    static String contentSha256(Path path) throws IOException {
        MessageDigest sha = Sha256.digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(path), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

}

package dev.ingest.engine.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes, after each test class, what it left in the temporary directory: data directories of
 * stopped PostgreSQL servers, loader state, files written for a test. Registered for every test
 * class of the build (META-INF/services, with {@code junit.jupiter.extensions.autodetection.enabled}
 * set by the parent POM), which also gives the forked test JVMs a temporary directory of their own
 * under {@code target/}: only this build's files are there, so deleting what appeared is safe even
 * while other builds run. What it removes is logged, naming the class, so that a leak is visible.
 * Zonky's extracted binaries ({@code embedded-pg}) and the data directory of the shared test server
 * ({@code epg...}) outlive a class on purpose and are kept.
 */
public final class TemporaryFilesSweeper implements BeforeAllCallback, AfterAllCallback {
    private static final Logger log = LoggerFactory.getLogger(TemporaryFilesSweeper.class);
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TemporaryFilesSweeper.class);

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        Path tmp = tmp();
        Files.createDirectories(tmp); // target/test-tmp does not exist after mvn clean
        context.getStore(NS).put("before", entries(tmp));
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        @SuppressWarnings("unchecked")
        Set<Path> before = context.getStore(NS).get("before", Set.class);
        if (before == null) {
            return;
        }
        Set<Path> left = entries(tmp());
        left.removeAll(before);
        left.removeIf(TemporaryFilesSweeper::kept);
        if (!left.isEmpty()) {
            log.info("{} left {} in {}: removed", context.getRequiredTestClass().getSimpleName(),
                    left.stream().map(p -> p.getFileName().toString()).sorted().toList(), tmp());
            left.forEach(TemporaryFiles::delete);
        }
    }

    private static boolean kept(Path p) {
        String name = p.getFileName().toString();
        return name.equals("embedded-pg") || name.startsWith("epg");
    }

    private static Path tmp() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    private static Set<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new HashSet<>(s.toList());
        }
    }
}

package dev.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile and .dockerignore, read as text (no Docker engine is needed to run the tests):
 * the context leaves out build output and local data, the service runs as a non-root user with a
 * writable data directory, and the container reports readiness.
 */
class DockerfileTest {
    private static final Path ROOT = Path.of("..");

    @Test
    void theBuildContextLeavesOutLocalDataAndBuildOutput() throws Exception {
        List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignored).contains(".ingest/", "**/.ingest/", "target/", "**/target/", ".git/");
    }

    @Test
    void theImageRunsAsNonRootWithADataDirectoryAndAHealthCheck() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve("Dockerfile"));
        List<String> runtime = lines.subList(lastIndexStartingWith(lines, "FROM "), lines.size());
        String user = runtime.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
        assertThat(user.substring(5).strip()).isNotIn("root", "0", "0:0");
        String stage = String.join("\n", runtime);
        assertThat(stage).contains("INGEST_DATA_DIR=/var/lib/ingest").contains("chown ingest:ingest /var/lib/ingest")
                .contains("VOLUME /var/lib/ingest");
        assertThat(stage).containsPattern("HEALTHCHECK [^\\n]*\\\\\\n\\s+CMD .*/health/ready");
        assertThat(stage.indexOf("USER ingest")).as("USER after the root-only setup").isGreaterThan(stage.indexOf("chown"));
    }

    private static int lastIndexStartingWith(List<String> lines, String prefix) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no " + prefix + "line");
    }
}

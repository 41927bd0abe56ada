package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code scripts/ingest} rebuilds the jar when a source file or a pom is newer than it (after a
 * git pull), and only then. Runs a copy of the real script in a scratch checkout whose
 * {@code mvn} and {@code java} are stand-ins that record being called, so no real build runs.
 */
@Timeout(60)
class LauncherRebuildIT {
    @Test
    void aSourceNewerThanTheJarRebuildsItAndAnUnchangedCheckoutDoesNot() throws Exception {
        Path root = Files.createTempDirectory("ingest-launcher");
        Files.createDirectories(root.resolve("scripts"));
        Files.copy(Path.of("..", "scripts", "ingest"), root.resolve("scripts/ingest"));
        Path source = root.resolve("ingest-api/src/main/java/Main.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Main {}");
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Path jar = root.resolve("ingest-api/target/ingest.jar");
        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "jar");
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path log = root.resolve("calls.log");
        stub(bin.resolve("mvn"), "echo mvn >> " + log + "; touch " + jar);
        stub(bin.resolve("java"), "echo java >> " + log);

        Instant now = Instant.now();
        Files.setLastModifiedTime(source, FileTime.from(now.minusSeconds(120)));
        Files.setLastModifiedTime(root.resolve("pom.xml"), FileTime.from(now.minusSeconds(120)));
        Files.setLastModifiedTime(jar, FileTime.from(now.minusSeconds(60)));
        assertThat(run(root, bin)).as("jar newer than every source").doesNotContain("rebuilding");
        assertThat(Files.readAllLines(log)).containsExactly("java");

        Files.setLastModifiedTime(source, FileTime.from(now.minusSeconds(10))); // git pull brought a newer source
        assertThat(run(root, bin)).contains("rebuilding").contains("ingest-api/src/main/java/Main.java");
        assertThat(Files.readAllLines(log)).containsExactly("java", "mvn", "java");

        assertThat(run(root, bin)).as("rebuilt: up to date again").doesNotContain("rebuilding");
        assertThat(Files.readAllLines(log)).containsExactly("java", "mvn", "java", "java");
    }

    private static void stub(Path file, String body) throws Exception {
        Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs {@code scripts/ingest --help} with the stand-ins first on PATH; returns its standard error. */
    private static String run(Path root, Path bin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(root.resolve("scripts/ingest").toString(), "--help");
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().remove("INGEST_JAR");
        Process p = pb.start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        return err;
    }
}

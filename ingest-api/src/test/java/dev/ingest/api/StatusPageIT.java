package dev.ingest.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The status page in a real browser: headless Chromium (the Debian package) loads it while records
 * flow, its charts fill with points, and a screenshot is written to target/status-page.png.
 * Without Chromium this test is skipped, saying so.
 */
@Timeout(180)
class StatusPageIT {
    private static Path chromium() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        for (String dir : dirs) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    private static String browse(Path chromium, String url, String... mode) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--window-size=1280,900", "--virtual-time-budget=6000"));
        command.addAll(List.of(mode));
        command.add(url);
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void thePageDrawsChartsOfLiveIngestion() throws Exception {
        Path chromium = chromium();
        Assumptions.assumeTrue(chromium != null, "chromium is not installed (apt-get install chromium)");
        try (ServiceFixture f = ServiceFixture.start("CREATE TABLE t (v int)")) {
            HttpResponse<String> page = f.get("/");
            assertThat(page.statusCode()).isEqualTo(200);
            Matcher script = Pattern.compile("src=\"(/webjars/chart\\.js/[^\"]+)\"").matcher(page.body());
            assertThat(script.find()).isTrue();
            assertThat(f.get(script.group(1)).statusCode()).isEqualTo(200);

            AtomicBoolean running = new AtomicBoolean(true);
            Thread load = new Thread(() -> {
                while (running.get()) {
                    try {
                        f.postJson("t", "[{\"v\": 1}, {\"v\": 2}]");
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            load.start();
            try {
                String dom = browse(chromium, f.uri("/").toString(), "--dump-dom");
                Matcher body = Pattern.compile("<body data-samples=\"(\\d+)\" data-points=\"(\\d+)\"").matcher(dom);
                assertThat(body.find()).as(dom).isTrue();
                assertThat(Integer.parseInt(body.group(1))).isGreaterThanOrEqualTo(2);
                assertThat(Integer.parseInt(body.group(2))).isGreaterThanOrEqualTo(2);
                assertThat(dom).contains("database reachable");

                Path shot = Path.of("target", "status-page.png").toAbsolutePath();
                Files.deleteIfExists(shot);
                browse(chromium, f.uri("/").toString(), "--screenshot=" + shot);
                assertThat(shot).exists();
                assertThat(Files.size(shot)).isGreaterThan(10_000);
            } finally {
                running.set(false);
                load.join(30_000);
            }
        }
    }
}

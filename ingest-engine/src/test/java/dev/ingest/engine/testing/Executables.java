package dev.ingest.engine.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds the programs of Debian's packages that some tests start (haproxy, pgbouncer, pg_autoctl). */
public final class Executables {
    private Executables() {
    }

    /** {@code name} on the PATH, or in /usr/sbin and /usr/bin (not on every user's PATH); null when not installed. */
    public static Path find(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/usr/bin"));
        for (String d : dirs) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}

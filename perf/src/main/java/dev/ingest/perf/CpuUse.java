package dev.ingest.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time spent during a run, from Linux's {@code /proc}: by the service's process, by every
 * process named {@code postgres} (backends and background workers, and through the postmaster's
 * times of its reaped children, the backends that ended during the run: psql's and pgbench's),
 * and by the whole machine.
 * The rest of the machine is the clients (psql, pgbench, wrk, the harness) and the kernel's own
 * work. Divided by the records of the run, it gives CPU per record: a figure that moves far less
 * than throughput between invocations on a shared machine, and the one the "halve CPU per
 * request" is about. PostgreSQL is counted only when it runs on this machine.
 */
final class CpuUse {
    /** Kernel clock ticks per second for /proc's times; 100 on every Linux this runs on (USER_HZ). */
    private static final double TICKS_PER_SECOND = 100.0;

    /** CPU seconds so far: of the machine (all cores), of one process, of PostgreSQL's processes. */
    record Snapshot(double machine, double service, double postgres) {
    }

    /** CPU per record of one run, in microseconds. */
    record PerRecord(double service, double postgres, double rest) {
        double total() {
            return service + postgres + rest;
        }
    }

    private CpuUse() {
    }

    /** True where /proc can be read (Linux). */
    static boolean available() {
        return Files.isReadable(Path.of("/proc/stat"));
    }

    /** The times now; {@code servicePid} below 0 when no service runs. */
    static Snapshot now(long servicePid) throws IOException {
        return new Snapshot(machineSeconds(), servicePid < 0 ? 0 : processSeconds(Path.of("/proc", Long.toString(servicePid), "stat")),
                postgresSeconds());
    }

    static PerRecord perRecord(Snapshot before, Snapshot after, long records) {
        double micros = 1e6 / Math.max(1, records);
        double service = (after.service() - before.service()) * micros;
        double postgres = (after.postgres() - before.postgres()) * micros;
        double machine = (after.machine() - before.machine()) * micros;
        return new PerRecord(service, postgres, Math.max(0, machine - service - postgres));
    }

    /** The first line of /proc/stat: user nice system idle iowait irq softirq steal; busy is all but idle and iowait. */
    static double machineSeconds() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i <= 8 && i < f.length; i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(f[i]);
            }
        }
        return busy / TICKS_PER_SECOND;
    }

    /** utime + stime of one process (all its threads), or 0 when it has gone. */
    static double processSeconds(Path stat) {
        return times(stat, false);
    }

    /**
     * utime + stime, and with {@code reapedChildren} also cutime + cstime: what the children it
     * waited for spent. Fields after "pid (comm)": state is field 3, utime 14, stime 15, cutime 16,
     * cstime 17 (1-based), so 11 to 14 here.
     */
    private static double times(Path stat, boolean reapedChildren) {
        String[] f = fieldsAfterName(stat);
        if (f == null || f.length < 15) {
            return 0;
        }
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        if (reapedChildren) {
            ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
        }
        return ticks / TICKS_PER_SECOND;
    }

    private static double postgresSeconds() throws IOException {
        double sum = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))::iterator) {
                Path stat = p.resolve("stat");
                if ("postgres".equals(name(stat))) {
                    sum += times(stat, true); // only the postmaster has reaped children
                }
            }
        }
        return sum;
    }

    /** The command name of a /proc/PID/stat, or null when the process has gone. */
    static String name(Path stat) {
        String s = read(stat);
        if (s == null) {
            return null;
        }
        int open = s.indexOf('(');
        int close = s.lastIndexOf(')');
        return open < 0 || close < open ? null : s.substring(open + 1, close);
    }

    private static String[] fieldsAfterName(Path stat) {
        String s = read(stat);
        int close = s == null ? -1 : s.lastIndexOf(')');
        return close < 0 ? null : s.substring(close + 1).trim().split("\\s+");
    }

    private static String read(Path stat) {
        try {
            List<String> lines = Files.readAllLines(stat);
            return lines.isEmpty() ? null : lines.get(0);
        } catch (IOException e) {
            return null; // the process ended between the listing and the read
        }
    }
}

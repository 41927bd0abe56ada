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
 * by this harness's own process (the JVM client of the overload, and of bulk loads without curl), and by the whole
 * machine. Of the service's time, its JIT compiler threads are counted apart: a long-running
 * service pays them once, a run of a few seconds pays them in its measured runs. The rest of the
 * machine is the other clients (psql, pgbench, wrk, curl, {@code ingest load}) and the kernel's own work.
 * Divided by the records of the run, it gives CPU per record: a figure that moves far less
 * than throughput between invocations on a shared machine, and the one the "halve CPU per
 * request" is about. PostgreSQL is counted only when it runs on this machine.
 */
final class CpuUse {
    /** Kernel clock ticks per second for /proc's times; 100 on every Linux this runs on (USER_HZ). */
    private static final double TICKS_PER_SECOND = 100.0;
    /** This harness's own /proc/PID/stat. */
    private static final Path SELF = Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "stat");

    /**
     * CPU seconds so far: of the machine (all cores), of the service's process and of its JIT
     * compiler threads (part of the service's), of PostgreSQL's processes, of this harness.
     */
    record Snapshot(double machine, double service, double serviceJit, double postgres, double harness) {
    }

    /** CPU per record of one run, in microseconds; {@code serviceJit} is part of {@code service}. */
    record PerRecord(double service, double serviceJit, double postgres, double harness, double rest) {
        double total() {
            return service + postgres + harness + rest;
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
        double service = 0;
        double jit = 0;
        if (servicePid >= 0) {
            Path process = Path.of("/proc", Long.toString(servicePid));
            service = processSeconds(process.resolve("stat"));
            jit = jitSeconds(process);
        }
        return new Snapshot(machineSeconds(), service, jit, postgresSeconds(), processSeconds(SELF));
    }

    static PerRecord perRecord(Snapshot before, Snapshot after, long records) {
        double micros = 1e6 / Math.max(1, records);
        double service = (after.service() - before.service()) * micros;
        double jit = (after.serviceJit() - before.serviceJit()) * micros;
        double postgres = (after.postgres() - before.postgres()) * micros;
        double harness = (after.harness() - before.harness()) * micros;
        double machine = (after.machine() - before.machine()) * micros;
        return new PerRecord(service, Math.min(jit, service), postgres, harness, Math.max(0, machine - service - postgres - harness));
    }

    /**
     * utime + stime of a JVM's JIT compiler threads (HotSpot names them "C1 CompilerThread&lt;n&gt;"
     * and "C2 CompilerThread&lt;n&gt;", cut to 15 characters in /proc), from {@code /proc/PID/task}.
     * A compiler thread that ended (HotSpot stops idle ones) takes its time with it: a lower bound.
     */
    static double jitSeconds(Path process) {
        double sum = 0;
        try (Stream<Path> tasks = Files.list(process.resolve("task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                Stat st = Stat.read(t.resolve("stat"));
                if (st != null && st.name().matches("C[12] CompilerThre.*")) {
                    sum += st.seconds(false);
                }
            }
        } catch (IOException e) {
            return 0; // the process has gone
        }
        return sum;
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
        Stat st = Stat.read(stat);
        return st == null ? 0 : st.seconds(false);
    }

    private static double postgresSeconds() throws IOException {
        double sum = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))::iterator) {
                Stat st = Stat.read(p.resolve("stat"));
                if (st != null && st.name().equals("postgres")) {
                    sum += st.seconds(true); // only the postmaster has reaped children
                }
            }
        }
        return sum;
    }

    /** The command name of a /proc/PID/stat, or null when the process has gone. */
    static String name(Path stat) {
        Stat st = Stat.read(stat);
        return st == null ? null : st.name();
    }

    /** One read of a /proc/PID/stat: the command name, and the fields after it (state first). */
    private record Stat(String name, String[] fields) {
        /** The parsed file, or null when the process has gone (or the line is not one). */
        static Stat read(Path stat) {
            String line;
            try {
                List<String> lines = Files.readAllLines(stat);
                line = lines.isEmpty() ? "" : lines.get(0);
            } catch (IOException e) {
                return null; // the process ended between the listing and the read
            }
            int open = line.indexOf('(');
            int close = line.lastIndexOf(')');
            return open < 0 || close < open ? null
                    : new Stat(line.substring(open + 1, close), line.substring(close + 1).trim().split("\\s+"));
        }

        /**
         * utime + stime, and with {@code reapedChildren} also cutime + cstime: what the children it
         * waited for spent. Fields 14 to 17 of the line (1-based), 11 to 14 after the name.
         */
        double seconds(boolean reapedChildren) {
            if (fields.length < 15) {
                return 0;
            }
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            if (reapedChildren) {
                ticks += Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
            }
            return ticks / TICKS_PER_SECOND;
        }
    }
}

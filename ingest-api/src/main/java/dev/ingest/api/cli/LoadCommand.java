package dev.ingest.api.cli;

import dev.ingest.api.config.ClientConfig;
import dev.ingest.api.formats.Format;
import dev.ingest.api.load.Loader;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ingest load}: send files to a running service. */
@Command(
        name = "load",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        exitCodeOnInvalidInput = Loader.FAILED,
        exitCodeOnExecutionException = Loader.FAILED,
        description = {
            "Load files into a table through a running ingest service.",
            "",
            "Each file is cut into chunks of whole records (CSV rows after the header, NDJSON lines, or the elements of "
                    + "a JSON array) that are sent with --concurrency in flight. Every chunk carries an Idempotency-Key "
                    + "made from the file's identity and the chunk's position, and is retried until the service has "
                    + "committed it (Retry-After is honoured), so a retry never writes a record twice. A checkpoint per "
                    + "file and table (under --state-dir) records what is committed: after an interruption, run the same "
                    + "command with --resume to go on from there; a file that was loaded completely is not loaded again.",
            "",
            "On a terminal a progress bar shows the bytes read, rows, rows/s, rejected records and the ETA; otherwise "
                    + "(cron, pipes) a plain line every 5 seconds. A summary ends each file.",
            ""},
        footer = {
            "",
            "Exit status: 0 every record loaded; 2 finished, but some records were rejected (see --rejects); "
                    + "1 failure (the service refused the load, could not be reached for --retry-for, --max-errors was "
                    + "exceeded, the input is unreadable, or the load was interrupted).",
            "",
            "Example (crontab): 15 * * * * ingest load --url http://ingest:8080 --table events --rejects "
                    + "/var/log/ingest/rejects.ndjson /data/exports/*.csv.gz"})
public final class LoadCommand implements Callable<Integer> {
    @Mixin
    ClientOptions service;

    @Option(names = "--table", required = true, paramLabel = "TABLE", description = "The table to load into (name or schema.name).")
    String table;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files to load; - reads standard input. .gz files are "
            + "decompressed.")
    List<String> files;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "csv, ndjson or json (default: from the file name: .csv, .ndjson/.jsonl, .json, each optionally .gz).")
    String format;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4", description = "Chunks in flight (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--chunk-size", paramLabel = "SIZE", defaultValue = "4MiB",
            description = "Bytes of records per request, e.g. 512KiB, 4MiB (default ${DEFAULT-VALUE}). Memory stays "
                    + "within about concurrency + 1 chunks. A resumed load keeps the size it started with.")
    String chunkSize;

    @Option(names = "--resume", description = "Continue an interrupted load from its checkpoint instead of sending the "
            + "file from the start (which is also safe, only slower: the service recognizes chunks it committed).")
    boolean resume;

    @Option(names = "--rejects", paramLabel = "FILE", description = "Append rejected records here, one JSON object per "
            + "line: run (an id of this run), run_started, input, line, sqlstate, message, record (the original text). The "
            + "file is never emptied: each run adds its lines.")
    Path rejects;

    @Option(names = "--max-errors", paramLabel = "N", defaultValue = "-1",
            description = "Stop once more than N records of a file are rejected, counting those of an earlier run it "
                    + "resumes (default: no limit).")
    long maxErrors;

    @Option(names = "--on-conflict", paramLabel = "MODE", description = "error (default), ignore or update: what to do "
            + "with records that collide with existing rows on a unique key.")
    String onConflict;

    @Option(names = "--load-id", paramLabel = "ID", description = "Name the load, instead of the file's path, size and "
            + "modification time: needed to resume standard input; a new ID loads a file again.")
    String loadId;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "${env:INGEST_STATE_DIR}",
            description = "Where checkpoints are kept (env INGEST_STATE_DIR; default ~/.local/state/ingest).")
    Path stateDir;

    @Option(names = "--retry-for", paramLabel = "SECONDS", defaultValue = "900",
            description = "Give up on a chunk the service has not taken for this long (default ${DEFAULT-VALUE}).")
    long retryForSeconds;

    @Option(names = "--no-progress-bar", description = "Plain progress lines even on a terminal.")
    boolean noProgressBar;

    @Option(names = "--create-table", description = "Create the table first when the service has none of that name: column "
            + "names from the CSV header (or the JSON keys), types inferred from the first --sample-rows records of the first "
            + "FILE: bigint, numeric, boolean, uuid, timestamptz (with an offset), jsonb, else text. A later record that does "
            + "not fit is rejected, never cut. Needs a key granted every table (*) when the service has keys.")
    boolean createTable;

    @Option(names = {"--print-ddl", "--dry-run"}, description = "Print the CREATE TABLE that --create-table would run, and "
            + "load nothing (the service is not contacted).")
    boolean printDdl;

    @Option(names = "--sample-rows", paramLabel = "N", defaultValue = "10000",
            description = "Records the column types are inferred from (default ${DEFAULT-VALUE}).")
    int sampleRows;

    @Override
    public Integer call() {
        Loader.Options options;
        ClientConfig client;
        try {
            client = service.config();
            StringBuilder query = new StringBuilder();
            if (onConflict != null) {
                if (!List.of("error", "ignore", "update").contains(onConflict)) {
                    throw new IllegalArgumentException("--on-conflict must be error, ignore or update");
                }
                query.append("on_conflict=").append(onConflict);
            }
            if (retryForSeconds < 0) {
                throw new IllegalArgumentException("--retry-for must not be negative");
            }
            options = new Loader.Options(client, table, format == null ? null : Format.parse(format), concurrency,
                    parseSize(chunkSize), resume, rejects, maxErrors, stateDir(), loadId, query.toString(),
                    Duration.ofSeconds(retryForSeconds), System.console() != null && !noProgressBar,
                    printDdl ? Loader.TableCreation.PRINT_DDL : createTable ? Loader.TableCreation.CREATE : Loader.TableCreation.NONE,
                    sampleRows);
        } catch (IllegalArgumentException e) {
            System.err.println("ingest load: " + e.getMessage());
            return Loader.FAILED;
        }
        HttpClient http = ServiceHttpClient.builder(client.url()).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(client.connectTimeout()).build();
        Loader loader = new Loader(options, http, System.in, System.out, System.err, System::nanoTime);
        return runStoppable(loader, client.stopWait());
    }

    /**
     * Runs the load; SIGINT (Ctrl-C) or SIGTERM stops it cleanly: chunks in flight finish, the
     * checkpoint is written, the way to resume is printed, and the exit status is 1.
     */
    private int runStoppable(Loader loader, Duration stopWait) {
        CountDownLatch finished = new CountDownLatch(1);
        AtomicInteger code = new AtomicInteger(Loader.FAILED);
        Thread hook = new Thread(() -> {
            loader.stop("interrupted");
            try {
                finished.await(stopWait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(code.get());
        }, "ingest-load-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            code.set(loader.run(files));
        } finally {
            finished.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook exits with the code just set.
        }
        return code.get();
    }

    private Path stateDir() {
        if (stateDir != null && !stateDir.toString().isBlank()) {
            return stateDir;
        }
        String xdg = System.getenv("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("ingest");
    }

    /** {@code 4MiB}, {@code 512KiB}, {@code 1048576}: a size in bytes. */
    static int parseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        for (String[] u : new String[][] {{"gib", "1073741824"}, {"mib", "1048576"}, {"kib", "1024"}, {"gb", "1000000000"},
                {"mb", "1000000"}, {"kb", "1000"}, {"b", "1"}}) {
            if (t.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            long bytes = Long.parseLong(t) * unit;
            if (bytes <= 0 || bytes > 256L * 1024 * 1024) {
                throw new IllegalArgumentException("--chunk-size must be between 1 KiB and 256 MiB, not " + text);
            }
            return (int) bytes;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--chunk-size must be a size such as 4MiB or 512KiB, not " + text);
        }
    }
}

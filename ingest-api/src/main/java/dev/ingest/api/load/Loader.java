package dev.ingest.api.load;

import dev.ingest.api.config.ClientConfig;
import dev.ingest.api.formats.Format;
import dev.ingest.engine.Rejection;
import dev.ingest.engine.RequestAnswer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@code ingest load}: sends files to a running service, chunk by chunk, with {@code concurrency}
 * chunks in flight and at most that many (plus the one being cut) in memory, whatever the file
 * size. Each chunk is retried with its own Idempotency-Key until it is committed; a checkpoint
 * per input records the committed prefix, so that an interrupted load can resume and a finished
 * one is not loaded again.
 */
public final class Loader {
    /** The exit codes of {@code ingest load}. */
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int REJECTED = 2;

    /**
     * What to load and how.
     *
     * @param client     the service, its token and the client's tunables: timeouts, retry backoff, the
     *                   checkpoint and progress intervals, and {@code maxChunkRecords}, which must not be more
     *                   than the rejections the service lists in one answer, so that every rejected record
     *                   can be written to the rejects file
     * @param format     null: from each file's name
     * @param rejects    where refused records go, or null
     * @param maxErrors  refused records tolerated before the load stops; negative for no limit
     * @param loadId     names the load instead of the inputs' identity (needed to resume standard input)
     * @param query      query parameters passed on (e.g. {@code on_conflict=ignore}), or empty
     * @param terminal   draw a progress bar (else plain lines)
     * @param tableCreation whether to create the table from the first input first (or only print its DDL)
     * @param sampleRows records of the first input its column types are inferred from
     */
    public record Options(ClientConfig client, String table, Format format, int concurrency, int chunkBytes,
            boolean resume, Path rejects, long maxErrors, Path stateDir, String loadId, String query, Duration retryFor,
            boolean terminal, TableCreation tableCreation, int sampleRows) {
        public Options {
            Objects.requireNonNull(tableCreation, "tableCreation");
            if (tableCreation != TableCreation.NONE && sampleRows < 1) {
                throw new IllegalArgumentException("--sample-rows must be at least 1");
            }
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(table, "table");
            if (concurrency < 1) {
                throw new IllegalArgumentException("--concurrency must be at least 1");
            }
            if (chunkBytes < 1024) {
                throw new IllegalArgumentException("--chunk-size must be at least 1 KiB");
            }
        }
    }

    private final Options options;
    private final HttpClient http;
    private final InputStream stdin;
    private final PrintStream out;
    private final PrintStream err;
    private final LongSupplier nanoClock;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String stopReason;

    public Loader(Options options, HttpClient http, InputStream stdin, PrintStream out, PrintStream err, LongSupplier nanoClock) {
        this.options = options;
        this.http = http;
        this.stdin = stdin;
        this.out = out;
        this.err = err;
        this.nanoClock = nanoClock;
    }

    /** {@code --create-table}, {@code --print-ddl}. */
    public enum TableCreation {
        /** The table exists. */
        NONE,
        /** Create it from the first input when the service has no such table, then load. */
        CREATE,
        /** Print the CREATE TABLE the first input implies; load nothing. */
        PRINT_DDL
    }

    /** Asks the load to stop: no new chunks; those in flight finish; the checkpoint is kept. Any thread. */
    public void stop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
        }
        stopped.countDown();
    }

    private boolean stopping() {
        return stopped.getCount() == 0;
    }

    /** Loads every input in turn; returns the exit code. */
    public int run(List<String> inputs) {
        if (options.tableCreation() != TableCreation.NONE) {
            int code = new TableCreator(options, http, stdin, out, err).prepare(inputs.get(0));
            if (code != OK || options.tableCreation() == TableCreation.PRINT_DDL) {
                return code;
            }
        }
        long started = nanoClock.getAsLong();
        long loaded = 0;
        long rejected = 0;
        int code = OK;
        // Each run names itself in the rejects file it appends to, so that the lines of one cron run can be told apart.
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (RejectsFile rejects = options.rejects() == null ? null
                : new RejectsFile(options.rejects(), run, Instant.now().truncatedTo(ChronoUnit.SECONDS))) {
            for (String input : inputs) {
                if (stopping()) {
                    break;
                }
                Result r = load(input, rejects);
                loaded += r.loaded;
                rejected += r.rejected;
                if (r.failure != null) {
                    err.println("ingest load: " + input + ": " + r.failure);
                    if (r.resumable && !r.refused) {
                        err.println("ingest load: " + r.loaded + " records of " + input + " are committed; run the same command"
                                + " with --resume to continue from line " + r.resumeLine);
                    } else if (r.resumable && r.loaded > 0) {
                        // Refused: the same command would be refused again; once the cause is fixed, resuming skips what is in.
                        err.println("ingest load: " + r.loaded + " records of " + input + " are committed; once that is fixed, add"
                                + " --resume to go on from line " + r.resumeLine);
                    }
                    code = FAILED;
                    break;
                }
                if (r.rejected > 0) {
                    code = REJECTED;
                }
            }
        } catch (IOException e) {
            err.println("ingest load: cannot write the rejects file: " + e.getMessage());
            return FAILED;
        }
        if (inputs.size() > 1) {
            out.println(summary("total", loaded, rejected, nanoClock.getAsLong() - started));
        }
        return code;
    }

    /** The outcome of one input. */
    private static final class Result {
        long loaded;
        long rejected;
        String failure;
        boolean refused; // by the service or the input as a whole: retrying the same command cannot help
        boolean resumable;
        long resumeLine;
    }

    private Result load(String input, RejectsFile rejects) {
        Result result = new Result();
        Source source;
        try {
            source = Source.of(input, options.loadId());
        } catch (IOException e) {
            // The message names the input, as the line printed for a failure does already.
            String m = String.valueOf(e.getMessage());
            result.failure = m.startsWith(input + ": ") ? m.substring(input.length() + 2) : m;
            result.refused = true;
            return result;
        }
        Format format = options.format() != null ? options.format() : Format.fromFileName(input).orElse(null);
        if (format == null) {
            result.failure = "cannot tell the format from the name; give --format csv, ndjson or json";
            return result;
        }
        Path checkpointFile = Checkpoint.file(options.stateDir(), options.client().url(), options.table(), source);
        Checkpoint earlier = Checkpoint.read(checkpointFile);
        if (earlier != null && !earlier.identity().equals(source.identity())) {
            earlier = null;
        }
        if (earlier != null && earlier.complete()) {
            out.println("ingest load: " + input + ": already loaded into " + options.table() + " (" + earlier.loaded() + " rows, "
                    + earlier.rejected() + " rejected); nothing to do. Give it another --load-id to load it again.");
            return result;
        }
        boolean resuming = options.resume() && earlier != null;
        if (options.resume() && earlier == null) {
            err.println("ingest load: " + input + ": no interrupted load to resume; loading from the start");
        } else if (!options.resume() && earlier != null && earlier.loaded() + earlier.rejected() > 0) {
            err.println("ingest load: " + input + ": an earlier load stopped at line " + earlier.line() + "; loading from the "
                    + "start (the service recognizes chunks it committed; --resume skips them)");
        }
        int chunkBytes = earlier != null ? earlier.chunkBytes() : options.chunkBytes();
        FileLoad load = new FileLoad(source, input, format, chunkBytes, checkpointFile, rejects,
                resuming ? earlier : new Checkpoint(source.identity(), format.name(), chunkBytes, 0, 1, 0, 0, false));
        return load.run(result, resuming);
    }

    /** One input being loaded. */
    private final class FileLoad {
        private final Source source;
        private final String input;
        private final Format format;
        private final int chunkBytes;
        private final Path checkpointFile;
        private final RejectsFile rejects;
        private final ArrayDeque<Pending> pending = new ArrayDeque<>(); // in input order
        private final AtomicLong storedBytes = new AtomicLong();
        private final String keyPrefix;
        private Checkpoint committed; // the committed prefix
        private long loaded;   // this run and earlier ones, committed in any order
        private long rejected;
        private long replayed; // records answered from an earlier run's commit
        private String failure;
        private boolean refused;
        private long lastCheckpoint;
        private Progress progress;

        FileLoad(Source source, String input, Format format, int chunkBytes, Path checkpointFile, RejectsFile rejects,
                Checkpoint start) {
            this.source = source;
            this.input = input;
            this.format = format;
            this.chunkBytes = chunkBytes;
            this.checkpointFile = checkpointFile;
            this.rejects = rejects;
            this.committed = start;
            this.loaded = start.loaded();
            this.rejected = start.rejected();
            this.keyPrefix = "ingest-load-" + source.digest() + "-";
        }

        Result run(Result result, boolean resuming) {
            long started = nanoClock.getAsLong();
            ChunkSender sender = new ChunkSender(http, options.client(), options.table(), options.query(),
                    format.sentAs().contentType(), options.retryFor(), this::pause);
            ExecutorService senders = Executors.newFixedThreadPool(options.concurrency(), r -> {
                Thread t = new Thread(r, "ingest-load-sender");
                t.setDaemon(true);
                return t;
            });
            Semaphore inFlight = new Semaphore(options.concurrency());
            progress = Progress.of(options.terminal(), options.client().progressInterval(), input, source.size(), err, nanoClock);
            try (InputStream in = source.open(stdin, storedBytes)) {
                if (resuming) {
                    err.println("ingest load: " + input + ": resuming at line " + committed.line() + " (" + committed.loaded()
                            + " rows committed before)");
                }
                ChunkReader reader = reader(in, resuming);
                Chunk chunk;
                while (!stopping() && failure() == null && (chunk = reader.next()) != null) {
                    inFlight.acquire();
                    if (stopping() || failure() != null) {
                        inFlight.release();
                        break;
                    }
                    Pending p = new Pending(chunk);
                    synchronized (this) {
                        pending.add(p);
                    }
                    Chunk c = chunk;
                    senders.execute(() -> {
                        try {
                            send(sender, p, c);
                        } finally {
                            inFlight.release();
                        }
                    });
                }
            } catch (ChunkReader.MalformedInputException e) {
                fail(e.getMessage(), true);
            } catch (IOException e) {
                fail("cannot read: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop("interrupted");
            } finally {
                senders.shutdown();
                awaitQuietly(senders);
            }
            boolean complete;
            synchronized (this) {
                complete = failure == null && !stopping() && pending.isEmpty();
                if (complete) {
                    committed = new Checkpoint(committed.identity(), committed.format(), chunkBytes, committed.offset(),
                            committed.line(), loaded, rejected, true);
                }
                saveCheckpoint();
                progress.update(storedBytes.get(), loaded, rejected);
                progress.close();
                result.loaded = loaded;
                result.rejected = rejected;
                result.resumeLine = committed.line();
                if (!complete) {
                    result.failure = failure != null ? failure : "stopped: " + stopReason;
                    result.refused = failure != null && refused;
                    result.resumable = !source.isStdin() || options.loadId() != null;
                }
            }
            if (rejects != null) {
                try {
                    rejects.flush();
                } catch (IOException e) {
                    result.failure = "cannot write the rejects file: " + e.getMessage();
                }
            }
            if (complete) {
                String earlier = replayed > 0 ? " (" + replayed + " committed by an earlier run)" : "";
                out.println(summary(input, loaded, rejected, nanoClock.getAsLong() - started) + earlier);
            }
            return result;
        }

        private ChunkReader reader(InputStream in, boolean resuming) throws IOException {
            Chunking.Opened opened = Chunking.open(in, format, chunkBytes, options.client().maxChunkRecords(),
                    resuming ? committed.offset() : 0, resuming ? committed.line() : 1, RecordTap.NONE);
            if (!resuming) {
                // Nothing committed yet: the committed prefix ends where the first record starts.
                committed = new Checkpoint(committed.identity(), committed.format(), chunkBytes, opened.offset(), opened.line(), 0, 0,
                        false);
            }
            return opened.reader();
        }

        private void send(ChunkSender sender, Pending p, Chunk chunk) {
            try {
                ChunkSender.Answer answer = sender.send(chunk, keyPrefix + chunk.offset(), Loader.this::stopping,
                        progress::note, () -> TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong()));
                if (answer != null) {
                    committed(p, chunk, answer);
                }
            } catch (ChunkSender.LoadFailure e) {
                fail(e.getMessage(), e.refused());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
                fail("unexpected error: " + e);
            }
        }

        private void committed(Pending p, Chunk chunk, ChunkSender.Answer answer) throws IOException {
            if (rejects != null) {
                for (Rejection r : answer.records().rejected()) {
                    boolean known = r.index() >= 0 && r.index() < chunk.records();
                    rejects.write(input, known ? chunk.line(r.index()) : -1, r.sqlstate(), r.message(),
                            known ? chunk.record(r.index()) : null);
                }
            }
            RequestAnswer records = answer.records();
            synchronized (this) {
                loaded += records.accepted();
                rejected += records.rejectedCount();
                if (answer.replayed()) {
                    replayed += records.accepted();
                }
                p.done = true;
                p.accepted = records.accepted();
                p.rejected = records.rejectedCount();
                advance();
                if (options.maxErrors() >= 0 && rejected > options.maxErrors()) {
                    fail(rejected + " records rejected, more than --max-errors " + options.maxErrors(), true);
                }
            }
            progress.update(storedBytes.get(), loaded, rejected);
        }

        /** Moves the committed prefix past every finished chunk at its head. Holds the lock. */
        private void advance() {
            boolean moved = false;
            while (!pending.isEmpty() && pending.peek().done) {
                Pending p = pending.poll();
                committed = new Checkpoint(committed.identity(), committed.format(), chunkBytes, p.end, p.endLine,
                        committed.loaded() + p.accepted, committed.rejected() + p.rejected, false);
                moved = true;
            }
            long now = nanoClock.getAsLong();
            if (moved && now - lastCheckpoint >= options.client().checkpointInterval().toNanos()) {
                lastCheckpoint = now;
                saveCheckpoint();
            }
        }

        private void saveCheckpoint() {
            if (source.isStdin() && options.loadId() == null) {
                return; // nothing could find it again
            }
            try {
                committed.write(checkpointFile);
            } catch (IOException e) {
                progress.note("cannot write the checkpoint " + checkpointFile + ": " + e.getMessage());
            }
        }

        private synchronized String failure() {
            return failure;
        }

        private synchronized void fail(String message) {
            fail(message, false);
        }

        private synchronized void fail(String message, boolean refusal) {
            if (failure == null) {
                failure = message;
                refused = refusal;
            }
        }

        /** Waits between retries; false when the load is stopping or has failed. */
        private boolean pause(long millis) {
            try {
                return !stopped.await(millis, TimeUnit.MILLISECONDS) && failure() == null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** A chunk sent or being sent, in input order. */
    private static final class Pending {
        final long end;
        final long endLine;
        boolean done;
        long accepted;
        long rejected;

        Pending(Chunk chunk) {
            this.end = chunk.end();
            this.endLine = chunk.endLine();
        }
    }

    private static void awaitQuietly(ExecutorService senders) {
        try {
            while (!senders.awaitTermination(1, TimeUnit.SECONDS)) {
                // in-flight chunks finish (or give up once stopping); nothing else to do meanwhile
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String summary(String name, long loaded, long rejected, long nanos) {
        double seconds = Math.max(1e-3, nanos / 1e9);
        return String.format(Locale.ROOT, "ingest load: %s: %,d %s loaded, %,d rejected, in %.1f s (%,.0f rows/s)",
                name, loaded, loaded == 1 ? "row" : "rows", rejected, seconds, loaded / seconds);
    }
}

package dev.ingest.api.imports;

import dev.ingest.api.config.ImportJob;
import dev.ingest.api.config.ImportsConfig;
import dev.ingest.api.formats.Format;
import dev.ingest.api.load.Chunk;
import dev.ingest.api.load.ChunkReader;
import dev.ingest.api.load.Chunking;
import dev.ingest.api.load.Source;
import dev.ingest.engine.Admission;
import dev.ingest.engine.IngestEngine;
import dev.ingest.engine.IngestException;
import dev.ingest.engine.IngestRequest;
import dev.ingest.engine.IngestResult;
import dev.ingest.engine.OnConflict;
import dev.ingest.engine.RequestAnswer;
import dev.ingest.engine.RequestAnswerJson;
import dev.ingest.engine.RequestBuilder;
import dev.ingest.engine.Submission;
import dev.ingest.engine.TableSchema;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of an import job: lists its source, and imports every file it has not imported before
 * through the engine, as HTTP records go (same queues, batching, conversion). Each chunk of a file
 * is submitted under an idempotency key made of the job, the file's identity and the chunk's
 * position, claimed in the same transaction as its rows: a file interrupted by a crash is simply
 * imported again by the next run, and its committed chunks write nothing twice. Refused records go
 * to {@code ingest.rejects}, named by job and file. A file is recorded in {@code import_files} once
 * all its chunks are committed, and is then moved or deleted as the job says.
 *
 * <p>Only one instance runs a job at a time: the run holds a PostgreSQL advisory lock on the job
 * for its whole length, taken in a transaction that stays open until the run ends (released by
 * the database if the instance dies). A transaction-scoped lock, not a session one, so that it
 * also holds behind a pooler in transaction mode (PgBouncer), which pins a server connection to a
 * client only for the length of a transaction. A failure ends the run
 * with its error recorded; the next tick tries again.
 */
final class ImportRunner {
    private static final Logger log = LoggerFactory.getLogger(ImportRunner.class);

    private final IngestEngine engine;
    private final ImportHistory history;
    private final SourceFiles sources;
    private final String instance;
    private final Path downloads;
    private final int chunkBytes;
    private final int maxChunkRecords;
    private final int chunksInFlight;
    private final Duration tableLookupTimeout;
    private volatile boolean stopping;

    ImportRunner(IngestEngine engine, ImportHistory history, String instance, Path downloads, ImportsConfig config) {
        this.engine = engine;
        this.history = history;
        this.instance = instance;
        this.downloads = downloads;
        this.sources = new SourceFiles(config.downloadConnectTimeout(), config.downloadTimeout());
        this.chunkBytes = config.chunkBytes();
        this.maxChunkRecords = config.maxChunkRecords();
        this.chunksInFlight = config.chunksInFlight();
        this.tableLookupTimeout = config.tableLookupTimeout();
    }

    /** Runs in progress stop after their current chunk; what they committed stays, the next run goes on. */
    void stop() {
        stopping = true;
    }

    /** Runs the job now, on the calling thread; never throws (the outcome is recorded). */
    void run(ImportJob job, String trigger) {
        long runId;
        try {
            runId = history.start(job.name(), trigger, instance);
        } catch (SQLException e) {
            log.warn("import run not started, database unavailable: job={} message={}", job.name(), e.getMessage());
            return;
        }
        ImportHistory.Counts counts = new ImportHistory.Counts();
        String status = "succeeded";
        String error = null;
        try (Connection lock = engine.dataSource().getConnection()) {
            boolean locked;
            try {
                locked = tryLock(lock, job);
            } catch (SQLException e) {
                unlock(lock);
                throw e;
            }
            if (!locked) {
                unlock(lock);
                status = "skipped";
                error = "another instance is running this job";
            } else {
                try {
                    runLocked(job, runId, counts);
                } finally {
                    unlock(lock);
                }
            }
        } catch (Exception e) {
            status = "failed";
            error = e instanceof IOException || e instanceof ImportFailure ? e.getMessage() : e.toString();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("import run failed: job={} run={} error={}", job.name(), runId, error);
        }
        try {
            history.finish(runId, status, counts, error);
        } catch (SQLException e) {
            log.warn("import run outcome not recorded: job={} run={} status={} message={}", job.name(), runId, status, e.getMessage());
        }
        log.info("import run finished: job={} run={} status={} files={} accepted={} rejected={}", job.name(), runId, status,
                counts.files, counts.accepted, counts.rejected);
    }

    private void runLocked(ImportJob job, long runId, ImportHistory.Counts counts) throws Exception {
        TableSchema table = engine.catalog().resolve(job.table(), false)
                .get(tableLookupTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .orElseThrow(() -> new ImportFailure("no ingestible table \"" + job.table() + "\""));
        for (SourceFiles.SourceFile file : sources.list(job, downloads.resolve(job.name()))) {
            try {
                if (stopping) {
                    throw new ImportFailure("the service is stopping; the next run goes on");
                }
                String sha = SourceFiles.contentSha256(file.path());
                String fileId = file.id(sha);
                if (history.imported(job.name(), fileId)) {
                    after(job, file); // imported before; a crash may have come between the record and the move
                    continue;
                }
                long[] result = importFile(job, table, file, fileId);
                history.fileImported(job.name(), fileId, file, sha, runId, result[0], result[1]);
                counts.files++;
                counts.accepted += result[0];
                counts.rejected += result[1];
                after(job, file);
            } finally {
                if (file.temporary()) {
                    Files.deleteIfExists(file.path());
                }
            }
        }
    }

    /** Imports one file; returns records accepted and rejected (committed by this run or an interrupted one). */
    private long[] importFile(ImportJob job, TableSchema table, SourceFiles.SourceFile file, String fileId) throws Exception {
        Format format = job.format() != null ? job.format() : Format.fromFileName(file.path().getFileName().toString())
                .orElseThrow(() -> new ImportFailure(file.name() + ": cannot tell the format from the name; set the job's format"));
        String keyPrefix = "import-" + job.name() + "-" + fileId.substring(0, 32) + "-";
        String label = "import " + job.name() + ": " + file.name();
        long accepted = 0;
        long rejected = 0;
        ArrayDeque<Pending> inFlight = new ArrayDeque<>();
        Source source = Source.of(file.path().toString(), null);
        ChunkRequests requests = new ChunkRequests(format.sentAs().records(table, Integer.MAX_VALUE),
                () -> IngestRequest.builder(table).deadLetter(true).source(label).onConflict(OnConflict.parse(job.onConflict())));
        try (InputStream in = source.open(InputStream.nullInputStream(), new AtomicLong())) {
            ChunkReader reader = Chunking.open(in, format, chunkBytes, maxChunkRecords, 0, 1, requests).reader();
            for (Chunk chunk = reader.next(); chunk != null; chunk = reader.next()) {
                if (stopping) {
                    throw new ImportFailure("the service is stopping; the next run goes on");
                }
                String key = keyPrefix + chunk.offset();
                IngestRequest request = requests.take().idempotencyKey(SCOPE, key).build();
                inFlight.add(new Pending(submit(request), key));
                while (inFlight.size() >= chunksInFlight) {
                    long[] r = outcome(inFlight.poll(), table);
                    accepted += r[0];
                    rejected += r[1];
                }
            }
        } catch (ChunkReader.MalformedInputException e) {
            throw new ImportFailure(file.name() + ": " + e.getMessage());
        } finally {
            // Whatever happens, wait for what was submitted, so its outcome is known before the next run.
            while (!inFlight.isEmpty()) {
                long[] r = outcomeQuietly(inFlight.poll(), table);
                accepted += r[0];
                rejected += r[1];
            }
        }
        return new long[] {accepted, rejected};
    }

    /**
     * The scope of the imports' idempotency keys: no HTTP caller has it (theirs are an API key's
     * identity or "anonymous"), so no client can pre-empt or replay an import's chunk.
     */
    static final String SCOPE = "import";

    private record Pending(CompletableFuture<IngestResult> result, String key) {
    }

    /**
     * Queues the request, waiting for room in the memory budget or the queues as long as it takes
     * (a second at a time, so that stopping is noticed); its result.
     */
    private CompletableFuture<IngestResult> submit(IngestRequest request) throws Exception {
        while (true) {
            Submission s = engine.submit(request, Duration.ofSeconds(1));
            if (s.accepted()) {
                return s.result();
            }
            if (s.admission() == Admission.CLOSED || stopping) {
                throw new ImportFailure("the service is stopping; the next run goes on");
            }
        }
    }

    private long[] outcome(Pending p, TableSchema table) throws Exception {
        IngestResult r;
        try {
            r = p.result().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IngestException ie) {
                throw new ImportFailure("the database refused the records: " + ie.getMessage() + " (SQLSTATE " + ie.sqlstate() + ")");
            }
            throw e;
        }
        if (r.duplicate()) {
            return stored(table, p.key()); // committed by an earlier, interrupted run
        }
        return new long[] {r.accepted(), r.rejected().size()};
    }

    private long[] outcomeQuietly(Pending p, TableSchema table) {
        try {
            return outcome(p, table);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new long[2];
        } catch (Exception e) {
            return new long[2]; // the run fails on its first error already
        }
    }

    /** The counts stored with a chunk's idempotency key. */
    private long[] stored(TableSchema table, String key) throws SQLException {
        long accepted = 0;
        long rejected = 0;
        try (Connection c = engine.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT result::text FROM ingest.idempotency_keys WHERE scope = ? AND table_name = ? AND key = ?")) {
            c.setAutoCommit(true);
            ps.setString(1, SCOPE);
            ps.setString(2, table.qualifiedName());
            ps.setString(3, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    RequestAnswer stored = RequestAnswerJson.decode(rs.getString(1));
                    accepted += stored.accepted();
                    rejected += stored.rejectedCount();
                }
            }
        }
        return new long[] {accepted, rejected};
    }

    private static void after(ImportJob job, SourceFiles.SourceFile file) throws IOException {
        if (file.temporary() || !Files.exists(file.path())) {
            return;
        }
        switch (job.after()) {
            case KEEP -> { }
            case DELETE -> Files.delete(file.path());
            case MOVE -> {
                Path dir = Optional.ofNullable(job.doneDir()).orElse(file.path().resolveSibling("done"));
                Files.createDirectories(dir);
                Files.move(file.path(), dir.resolve(file.path().getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * Takes the job's lock in a transaction left open (committed by {@link #unlock}); false when
     * another run holds it. The transaction is exempt from {@code idle_in_transaction_session_timeout}:
     * it is idle by design while the run's chunks are written on other connections.
     */
    private static boolean tryLock(Connection c, ImportJob job) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL idle_in_transaction_session_timeout = 0");
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(hashtext('ingest.import'), hashtext(?))")) {
            ps.setString(1, job.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Ends the lock's transaction, which releases the lock; a connection that fails to is dropped. */
    private static void unlock(Connection c) {
        try {
            c.commit();
            c.setAutoCommit(true);
        } catch (SQLException e) {
            // The lock must not stay with a pooled connection: drop the connection, which releases it.
            log.debug("ending the import lock's transaction failed, closing the connection instead: {}", e.getMessage());
            try {
                c.abort(Runnable::run);
            } catch (SQLException ignored) {
                // already gone
            }
        }
    }

    /** A run's failure with a message meant for its history. */
    static final class ImportFailure extends Exception {
        ImportFailure(String message) {
            super(message);
        }
    }
}

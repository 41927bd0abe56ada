package dev.ingest.api.cli;

import dev.ingest.api.formats.Format;
import dev.ingest.api.load.SampleEvents;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ingest sample}: sample rows for the example {@code events} table, to try {@code ingest load} with. */
@Command(
        name = "sample",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        exitCodeOnInvalidInput = 1,
        exitCodeOnExecutionException = 1,
        description = {
            "Write sample rows for the example events table (the one a fresh embedded database has; its DDL is "
                    + "examples/events.sql in the jar) as CSV with a header row or as NDJSON, to standard output or a file.",
            ""},
        footer = {
            "",
            "Example: ingest sample --rows 1000000 --output events.csv.gz && ingest load --table events events.csv.gz"})
public final class SampleCommand implements Callable<Integer> {
    @Option(names = "--rows", paramLabel = "N", defaultValue = "1000", description = "How many rows (default ${DEFAULT-VALUE}).")
    long rows;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "csv or ndjson (default: from the --output name, else csv).")
    String format;

    @Option(names = "--gzip", description = "Compress with gzip (implied by an --output name ending in .gz).")
    boolean gzip;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here instead of standard output (replacing the file).")
    Path output;

    @Option(names = "--seed", paramLabel = "N", description = "The same seed writes the same rows (default: new event ids each "
            + "time, so that every sample loads without duplicate keys).")
    Long seed;

    @Override
    public Integer call() {
        Format f;
        try {
            f = format != null ? Format.parse(format)
                    : output != null ? Format.fromFileName(output.getFileName().toString()).orElse(Format.CSV) : Format.CSV;
            if (f == Format.JSON) {
                throw new IllegalArgumentException("--format must be csv or ndjson");
            }
            if (rows < 0) {
                throw new IllegalArgumentException("--rows must not be negative");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("ingest sample: " + e.getMessage());
            return 1;
        }
        boolean compress = gzip || output != null && output.getFileName().toString().endsWith(".gz");
        try (OutputStream raw = output != null ? Files.newOutputStream(output) : new Unclosed(System.out);
                OutputStream out = compress ? new GZIPOutputStream(new BufferedOutputStream(raw, 1 << 16), 1 << 16)
                        : new BufferedOutputStream(raw, 1 << 16)) {
            new SampleEvents(seed).write(f, rows, out);
        } catch (IOException e) {
            System.err.println("ingest sample: cannot write " + (output != null ? output : "standard output") + ": " + e.getMessage());
            return 1;
        }
        if (output != null) {
            System.err.println("ingest sample: wrote " + rows + " rows to " + output);
        }
        return 0;
    }

    /** Standard output, flushed but left open when the sample is done. */
    private static final class Unclosed extends FilterOutputStream {
        Unclosed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}

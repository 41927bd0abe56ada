package dev.ingest.api.load;

import dev.ingest.api.common.Sha256;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * One input of a load: a file or standard input, decompressed when gzip (by its magic bytes, so a
 * {@code .gz} name is not needed), with a count of the bytes read from it as stored (what a
 * progress bar measures against the file size).
 *
 * @param name     as given on the command line ({@code -} for standard input)
 * @param path     the file, or null for standard input
 * @param size     the stored size in bytes, or -1 when unknown (standard input)
 * @param identity names this input's content across runs: the file's real path, size and
 *                 modification time, or for standard input a {@code --load-id} (else a random one)
 */
public record Source(String name, Path path, long size, String identity) {

    public static Source of(String name, String loadId) throws IOException {
        if (name.equals("-")) {
            return new Source(name, null, -1, "stdin:" + (loadId != null ? loadId : UUID.randomUUID().toString()));
        }
        Path p = Path.of(name);
        if (Files.isDirectory(p)) {
            throw new IOException(name + ": is a directory: give the files in it (e.g. " + p.resolve("*.csv") + ")");
        }
        if (!Files.isRegularFile(p)) {
            throw new IOException(name + (Files.exists(p) ? ": not a regular file" : ": no such file"));
        }
        Path real = p.toRealPath();
        long size = Files.size(real);
        String identity = loadId != null ? "id:" + loadId
                : "file:" + real + ":" + size + ":" + Files.getLastModifiedTime(real).toMillis();
        return new Source(name, real, size, identity);
    }

    public boolean isStdin() {
        return path == null;
    }

    /** A short, stable digest of {@link #identity()} (and what else is given), for file names and keys. */
    public String digest(String... more) {
        MessageDigest sha = Sha256.digest();
        sha.update(identity.getBytes(StandardCharsets.UTF_8));
        for (String m : more) {
            sha.update((byte) 0);
            sha.update(m.getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    /** Opens the input, decompressed; {@code storedBytes} counts what is read of it as stored. */
    public InputStream open(InputStream stdin, AtomicLong storedBytes) throws IOException {
        InputStream raw = new Counting(isStdin() ? stdin : Files.newInputStream(path), storedBytes);
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            return new GZIPInputStream(in, 1 << 16);
        }
        return in;
    }

    private static final class Counting extends FilterInputStream {
        private final AtomicLong count;

        Counting(InputStream in, AtomicLong count) {
            super(in);
            this.count = count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count.incrementAndGet();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count.addAndGet(n);
            }
            return n;
        }
    }
}

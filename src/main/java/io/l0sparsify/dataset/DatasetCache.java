package io.l0sparsify.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A worker's local store of datasets it has read, in their canonical form ({@link CanonicalDatasetCodec}),
 * under {@code l0.datasets.cache-dir}: {@code canonical/KEY.l0ds}, where KEY is a SHA-256 (of the fetched file
 * and the options it was read with, or an uploaded dataset's canonical digest). Every entry is written to a
 * temporary file beside it and renamed into place, so a reader sees a whole entry or none, and two workers
 * filling the same entry at once each rename a complete copy of the same content.
 */
public final class DatasetCache {

    private static final String SUFFIX = ".l0ds";

    /** Temporary files older than this were left by a process that died. */
    private static final Duration STALE_AFTER = Duration.ofDays(1);

    private final AtomicBoolean pruned = new AtomicBoolean();
    private final Path canonicalDir;
    private final Path tempDir;

    public DatasetCache(Path cacheDir) {
        this.canonicalDir = cacheDir.resolve("canonical");
        this.tempDir = cacheDir.resolve("tmp");
    }

    /** The dataset cached under {@code key}; empty when there is none or the entry cannot be read (it is dropped). */
    public Optional<LabelledDataset> get(String key) {
        Path entry = entry(key);
        try (InputStream in = Files.newInputStream(entry)) {
            LabelledDataset dataset = CanonicalDatasetCodec.read(in);
            touch(entry);
            return Optional.of(dataset);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            // a damaged entry is rebuilt from its source rather than trusted or left to fail every job
            deleteQuietly(entry);
            return Optional.empty();
        }
    }

    /** Whether an entry exists for {@code key}, without reading it. */
    public boolean contains(String key) {
        return Files.isRegularFile(entry(key));
    }

    /** Stores {@code dataset} under {@code key}, replacing any entry (of the same content, by the key's nature). */
    public void put(String key, LabelledDataset dataset) throws IOException {
        Path temp = newTempFile();
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                CanonicalDatasetCodec.write(dataset, out);
            }
            moveIntoPlace(temp, entry(key));
        } finally {
            deleteQuietly(temp);
        }
    }

    /**
     * Copies a canonical form from {@code in} into the entry {@code sha256} if its SHA-256 is that; refuses it,
     * keeping nothing, otherwise.
     */
    public void putVerified(String sha256, InputStream in, long maxBytes, String source) throws IOException {
        Path temp = newTempFile();
        try {
            String actual = copyWithDigest(in, temp, maxBytes, source);
            if (!actual.equals(sha256)) {
                throw new DatasetReferenceException(source + ": the stored form's SHA-256 is " + actual
                        + " but " + sha256 + " was recorded when it was ingested; it is damaged");
            }
            moveIntoPlace(temp, entry(sha256));
        } finally {
            deleteQuietly(temp);
        }
    }

    /** A new empty file in the cache's temporary directory, on the same file system as its entries. */
    private Path newTempFile() throws IOException {
        Files.createDirectories(tempDir);
        return Files.createTempFile(tempDir, "part-", ".tmp");
    }

    /**
     * A new empty directory for one download, whose file keeps its original name (readers and their messages
     * go by it); the caller deletes it with {@link #deleteDownload}.
     */
    public Path newDownloadDirectory() throws IOException {
        Files.createDirectories(tempDir);
        if (pruned.compareAndSet(false, true)) {
            pruneStale(STALE_AFTER);
        }
        return Files.createTempDirectory(tempDir, "fetch-");
    }

    /**
     * Deletes what downloads and writes of processes that died left in the temporary directory: whatever is
     * older than {@code age}, far longer than any download of a live worker takes.
     */
    void pruneStale(Duration age) throws IOException {
        Instant cutoff = Instant.now().minus(age);
        try (Stream<Path> leftovers = Files.list(tempDir)) {
            for (Path leftover : leftovers.toList()) {
                if (Files.getLastModifiedTime(leftover).toInstant().isBefore(cutoff)) {
                    if (Files.isDirectory(leftover)) {
                        try (Stream<Path> inside = Files.list(leftover)) {
                            inside.forEach(DatasetCache::deleteQuietly);
                        }
                    }
                    deleteQuietly(leftover);
                }
            }
        }
    }

    /** Deletes a file fetched into a {@link #newDownloadDirectory} and the directory. */
    public static void deleteDownload(Path file) {
        deleteQuietly(file);
        deleteQuietly(file.getParent());
    }

    /**
     * Streams {@code in} to {@code target}, at most {@code maxBytes} of it, and returns its SHA-256 (lower-case
     * hex). A longer stream is refused naming {@code source} and the bound, with nothing past it written.
     */
    public static String copyWithDigest(InputStream in, Path target, long maxBytes, String source)
            throws IOException {
        MessageDigest digest = sha256();
        try (DigestInputStream digesting = new DigestInputStream(in, digest);
                OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            for (int n; (n = digesting.read(buffer)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw new DatasetReferenceException(source + " is larger than " + maxBytes
                            + " bytes (l0.datasets.max-upload-size), the most a fetched dataset may be");
                }
                out.write(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a temporary file left behind is overwritten by nothing and harms nothing
        }
    }

    private Path entry(String key) {
        if (!key.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a cache key is a SHA-256 in hex: " + key);
        }
        return canonicalDir.resolve(key + SUFFIX);
    }

    private void moveIntoPlace(Path temp, Path entry) throws IOException {
        Files.createDirectories(canonicalDir);
        try {
            Files.move(temp, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the dataset cache directory does not support atomic renames: " + canonicalDir, e);
        }
    }

    /** Marks an entry used, so that whoever prunes the cache by age keeps what jobs still read. */
    private static void touch(Path entry) {
        try {
            Files.setLastModifiedTime(entry, FileTime.from(Instant.now()));
        } catch (IOException e) {
            // only the age is lost; the entry itself is sound
        }
    }
}

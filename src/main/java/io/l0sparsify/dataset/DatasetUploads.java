package io.l0sparsify.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * The temporary area uploads arrive in ({@code l0.datasets.upload.dir}): each upload streams into a directory of
 * its own while its SHA-256 is computed, never held whole in memory, and stops at
 * {@code l0.datasets.max-upload-size}; an upload that is refused, or whose ingestion has ended, is removed.
 */
@Component
public class DatasetUploads {

    private static final int BUFFER = 1 << 16;
    /** The longest file name kept from the client. */
    private static final int MAX_FILE_NAME = 100;

    private final Path root;
    private final long maxUploadBytes;

    DatasetUploads(DatasetUploadProperties upload, DatasetProperties datasets) {
        this.root = upload.dir().toAbsolutePath().normalize();
        this.maxUploadBytes = datasets.maxUploadSize().toBytes();
    }

    /** The area's directory (multipart bodies are buffered here too). */
    public Path root() {
        return root;
    }

    public long maxUploadBytes() {
        return maxUploadBytes;
    }

    /**
     * Streams {@code body} into a new temporary file.
     *
     * @param declaredLength the length the client announced, or -1; past the limit the body is refused unread
     * @param clientFileName the name the client gave the file (only its last segment, made safe, is kept), or null
     * @param format names the file when the client gave no name
     * @throws UploadTooLargeException past the limit; nothing is left behind
     */
    public ReceivedUpload receive(InputStream body, long declaredLength, String clientFileName, DatasetFormat format)
            throws IOException {
        if (declaredLength > maxUploadBytes) {
            throw new UploadTooLargeException(maxUploadBytes);
        }
        Files.createDirectories(root);
        Path dir = Files.createDirectory(root.resolve(UUID.randomUUID().toString()));
        Path file = dir.resolve(fileName(clientFileName, format));
        boolean kept = false;
        try {
            MessageDigest sha256 = sha256();
            long size = 0;
            byte[] buffer = new byte[BUFFER];
            try (OutputStream out = Files.newOutputStream(file)) {
                int read;
                while ((read = body.read(buffer)) >= 0) {
                    size += read;
                    if (size > maxUploadBytes) {
                        throw new UploadTooLargeException(maxUploadBytes);
                    }
                    sha256.update(buffer, 0, read);
                    out.write(buffer, 0, read);
                }
            }
            kept = true;
            return new ReceivedUpload(dir, file, HexFormat.of().formatHex(sha256.digest()), size);
        } finally {
            if (!kept) {
                remove(dir);
            }
        }
    }

    /** Removes an upload's directory and everything in it; quietly does nothing when it is gone already. */
    public void remove(Path dir) throws IOException {
        if (!dir.toAbsolutePath().normalize().startsWith(root)) {
            throw new IllegalArgumentException("not an upload directory: " + dir.getFileName());
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                    Files.deleteIfExists(directory);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // removed already
        }
    }

    /**
     * Removes the upload directories left behind by a process that ended while it held them (nothing in them
     * changed for {@code olderThan}); called at start-up, before this process holds any. The area is one
     * process's own; files the container buffered multipart bodies in are its to remove.
     *
     * @return how many were removed
     */
    public int removeAbandoned(Duration olderThan) throws IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        Instant cutoff = Instant.now().minus(olderThan);
        int removed = 0;
        try (Stream<Path> children = Files.list(root)) {
            for (Path dir : children.filter(Files::isDirectory).toList()) {
                if (lastChange(dir).isBefore(cutoff)) {
                    remove(dir);
                    removed++;
                }
            }
        }
        return removed;
    }

    private static Instant lastChange(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            Instant last = Instant.EPOCH;
            for (Path file : files.toList()) {
                Instant changed = Files.getLastModifiedTime(file).toInstant();
                last = changed.isAfter(last) ? changed : last;
            }
            return last;
        }
    }

    /**
     * The client's file name when it is a plain one (its last path segment; characters other than letters, digits,
     * '.', '_' and '-' become '_'), else {@code upload} with the format's usual extension.
     */
    static String fileName(String clientFileName, DatasetFormat format) {
        if (clientFileName != null) {
            String last = clientFileName.substring(Math.max(clientFileName.lastIndexOf('/'),
                    clientFileName.lastIndexOf('\\')) + 1);
            String safe = last.replaceAll("[^A-Za-z0-9._-]", "_");
            if (!safe.isEmpty() && !safe.startsWith(".") && safe.length() <= MAX_FILE_NAME) {
                return safe;
            }
        }
        return "upload." + switch (format) {
            case DatasetFormat.Npz n -> "npz";
            case DatasetFormat.Npy n -> "zip";
            case DatasetFormat.Csv c -> "csv";
            case DatasetFormat.Idx i -> "zip";
            case DatasetFormat.Cifar c -> "tar.gz";
            case DatasetFormat.ImageFolder f -> "zip";
        };
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException("SHA-256 unavailable", e));
        }
    }
}

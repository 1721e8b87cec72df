package io.l0sparsify.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Artifacts as files: {@code <dir>/<jobId>/<name>}, each with a hidden {@code .<name>.sha256} beside it so
 * a listing need not re-hash. Every file is written under a temporary hidden name in the same directory and
 * then renamed, which is atomic on one file system: a reader never sees half a file.
 */
@Component
@ConditionalOnProperty(name = "l0.storage.type", havingValue = StorageProperties.FILE, matchIfMissing = true)
public class FileSystemArtifactStore implements ArtifactStore {

    private final Path root;

    public FileSystemArtifactStore(StorageProperties properties) {
        this.root = properties.dir().toAbsolutePath().normalize();
    }

    @Override
    public ArtifactInfo put(String jobId, String name, byte[] content) throws IOException {
        Path file = fileOf(jobId, name);
        Files.createDirectories(file.getParent());
        String sha256 = sha256(content);
        // The file first, its digest after: a write that fails part-way (a full disk) leaves no digest without
        // its file, and the earlier version's digest is removed before the file is replaced, so a file is never
        // described by a digest that is not its own. A file without a digest is hashed on read.
        Path sidecar = sidecarOf(file);
        Files.deleteIfExists(sidecar);
        writeAtomically(file, content);
        writeAtomically(sidecar, sha256.getBytes(StandardCharsets.US_ASCII));
        return new ArtifactInfo(name, ArtifactStore.mediaTypeOf(name), content.length, sha256);
    }

    @Override
    public List<ArtifactInfo> list(String jobId) throws IOException {
        if (!ArtifactStore.isValidJobId(jobId)) {
            return List.of();
        }
        Path dir = jobDir(jobId);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<ArtifactInfo> infos = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted(Comparator.comparing(Path::getFileName)).toList()) {
                String name = file.getFileName().toString();
                if (ArtifactStore.isValidName(name) && Files.isRegularFile(file)) {
                    info(jobId, name).ifPresent(infos::add);
                }
            }
        }
        return infos;
    }

    @Override
    public Optional<ArtifactInfo> info(String jobId, String name) throws IOException {
        if (!ArtifactStore.isValidName(name) || !ArtifactStore.isValidJobId(jobId)) {
            return Optional.empty();
        }
        Path file = fileOf(jobId, name);
        try {
            long size = Files.size(file);
            Path sidecar = sidecarOf(file);
            String sha256 = Files.isRegularFile(sidecar)
                    ? Files.readString(sidecar, StandardCharsets.US_ASCII).trim()
                    : sha256(Files.readAllBytes(file));
            return Optional.of(new ArtifactInfo(name, ArtifactStore.mediaTypeOf(name), size, sha256));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<InputStream> open(String jobId, String name) throws IOException {
        if (!ArtifactStore.isValidName(name) || !ArtifactStore.isValidJobId(jobId)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.newInputStream(fileOf(jobId, name)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void deleteAll(String jobId) throws IOException {
        Path dir = jobDir(jobId);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(dir);
    }

    private Path jobDir(String jobId) {
        if (!ArtifactStore.isValidJobId(jobId)) {
            throw new IllegalArgumentException("not a job id: " + jobId);
        }
        return root.resolve(jobId);
    }

    private Path fileOf(String jobId, String name) {
        if (!ArtifactStore.isValidName(name)) {
            throw new IllegalArgumentException("not an artifact name: " + name);
        }
        return jobDir(jobId).resolve(name);
    }

    private static Path sidecarOf(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".sha256");
    }

    private static void writeAtomically(Path target, byte[] content) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.write(temp, content);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException("SHA-256 unavailable", e));
        }
    }
}

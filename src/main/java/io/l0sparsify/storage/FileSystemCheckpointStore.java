package io.l0sparsify.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Checkpoints as {@code <l0.storage.dir>/checkpoints/<jobId>.ckpt}. Written to a
 * temporary name and renamed, so a crash mid-write leaves the previous checkpoint intact.
 */
@Component
@ConditionalOnProperty(name = "l0.storage.type", havingValue = StorageProperties.FILE, matchIfMissing = true)
public class FileSystemCheckpointStore implements CheckpointStore {

    private final Path dir;

    public FileSystemCheckpointStore(StorageProperties properties) {
        this.dir = properties.dir().toAbsolutePath().normalize().resolve("checkpoints");
    }

    @Override
    public void put(String jobId, byte[] checkpoint) throws IOException {
        Files.createDirectories(dir);
        Path target = fileOf(jobId);
        Path temp = dir.resolve("." + jobId + ".tmp-" + UUID.randomUUID());
        try {
            Files.write(temp, checkpoint);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Optional<byte[]> get(String jobId) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(fileOf(jobId));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(bytes);
    }

    @Override
    public void delete(String jobId) throws IOException {
        Files.deleteIfExists(fileOf(jobId));
    }

    private Path fileOf(String jobId) {
        if (!ArtifactStore.isValidJobId(jobId)) {
            throw new IllegalArgumentException("not a job id: " + jobId);
        }
        return dir.resolve(jobId + ".ckpt");
    }
}

package io.l0sparsify.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Model files as {@code <l0.storage.dir>/models/<id>.onnx}. Each is copied to a hidden temporary name in the same
 * directory and then renamed, which is atomic on one file system: a reader never sees half a file.
 */
@Component
@ConditionalOnProperty(name = "l0.storage.type", havingValue = StorageProperties.FILE, matchIfMissing = true)
public class FileSystemModelBlobStore implements ModelBlobStore {

    private final Path dir;

    public FileSystemModelBlobStore(StorageProperties properties) {
        this.dir = properties.dir().toAbsolutePath().normalize().resolve("models");
    }

    @Override
    public void put(String modelId, Path file) throws IOException {
        Path target = fileOf(modelId);
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + modelId + ".tmp-" + UUID.randomUUID());
        try {
            Files.copy(file, temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Optional<InputStream> open(String modelId) throws IOException {
        if (!ModelBlobStore.isValidId(modelId)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.newInputStream(fileOf(modelId)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String modelId) throws IOException {
        Files.deleteIfExists(fileOf(modelId));
    }

    private Path fileOf(String modelId) {
        if (!ModelBlobStore.isValidId(modelId)) {
            throw new IllegalArgumentException("not a model id: " + modelId);
        }
        return dir.resolve(modelId + ".onnx");
    }
}

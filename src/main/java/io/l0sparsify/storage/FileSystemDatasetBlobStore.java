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
 * Dataset blobs as files {@code <l0.storage.dir>/datasets/<id>.l0ds}. Each is copied to a hidden temporary name
 * in the same directory and then renamed, which is atomic on one file system: a reader never sees half a blob.
 */
@Component
@ConditionalOnProperty(name = "l0.storage.type", havingValue = StorageProperties.FILE, matchIfMissing = true)
public class FileSystemDatasetBlobStore implements DatasetBlobStore {

    private final Path dir;

    public FileSystemDatasetBlobStore(StorageProperties properties) {
        this.dir = properties.dir().toAbsolutePath().normalize().resolve("datasets");
    }

    @Override
    public void put(String datasetId, Path file) throws IOException {
        Path target = fileOf(datasetId);
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + datasetId + ".tmp-" + UUID.randomUUID());
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
    public Optional<InputStream> open(String datasetId) throws IOException {
        if (!DatasetBlobStore.isValidId(datasetId)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.newInputStream(fileOf(datasetId)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String datasetId) throws IOException {
        Files.deleteIfExists(fileOf(datasetId));
    }

    private Path fileOf(String datasetId) {
        if (!DatasetBlobStore.isValidId(datasetId)) {
            throw new IllegalArgumentException("not a dataset id: " + datasetId);
        }
        return dir.resolve(datasetId + ".l0ds");
    }
}

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

/**
 * Blobs of one {@link BlobStore.Kind} as files {@code <l0.storage.dir>/<folder>/<id><extension>}. Each is copied to
 * a hidden temporary name in the same directory and then renamed, which is atomic on one file system: a reader
 * never sees half a blob.
 */
abstract class FileSystemBlobStore implements BlobStore {

    private final Path dir;
    private final Kind kind;

    FileSystemBlobStore(StorageProperties properties, Kind kind) {
        this.dir = properties.dir().toAbsolutePath().normalize().resolve(kind.folder());
        this.kind = kind;
    }

    @Override
    public void put(String id, Path file) throws IOException {
        Path target = fileOf(id);
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + id + ".tmp-" + UUID.randomUUID());
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
    public Optional<InputStream> open(String id) throws IOException {
        if (!BlobStore.isValidId(id)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.newInputStream(fileOf(id)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String id) throws IOException {
        Files.deleteIfExists(fileOf(id));
    }

    private Path fileOf(String id) {
        return dir.resolve(kind.fileName(id));
    }
}

package io.l0sparsify.storage;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/** Model blobs as files {@code <l0.storage.dir>/models/<id>} ({@link ModelBlobStore#KIND}). */
@Component
@ConditionalOnProperty(name = "l0.storage.type", havingValue = StorageProperties.FILE, matchIfMissing = true)
public class FileSystemModelBlobStore extends FileSystemBlobStore implements ModelBlobStore {

    public FileSystemModelBlobStore(StorageProperties properties) {
        super(properties, KIND);
    }
}

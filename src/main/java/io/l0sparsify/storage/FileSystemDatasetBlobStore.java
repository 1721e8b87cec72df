package io.l0sparsify.storage;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/** Dataset blobs as files {@code <l0.storage.dir>/datasets/<id>} ({@link DatasetBlobStore#KIND}). */
@Component
@ConditionalOnProperty(name = "l0.storage.type", havingValue = StorageProperties.FILE, matchIfMissing = true)
public class FileSystemDatasetBlobStore extends FileSystemBlobStore implements DatasetBlobStore {

    public FileSystemDatasetBlobStore(StorageProperties properties) {
        super(properties, KIND);
    }
}

package io.l0sparsify.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Dataset blobs as objects {@code <prefix>datasets/<id>.l0ds} in the artifacts' S3-compatible bucket. The
 * upload streams from the file; a PUT replaces an object whole, so a reader never sees half a blob. Store
 * errors surface as {@link IOException}s, as the file store's do.
 */
public class S3DatasetBlobStore implements DatasetBlobStore {

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public S3DatasetBlobStore(S3Client s3, StorageProperties.S3 properties) {
        this.s3 = s3;
        this.bucket = properties.bucket();
        this.prefix = properties.prefix();
    }

    @Override
    public void put(String datasetId, Path file) throws IOException {
        String key = keyOf(datasetId);
        S3ArtifactStore.call(() -> s3.putObject(b -> b.bucket(bucket).key(key)
                .contentType("application/octet-stream"), RequestBody.fromFile(file)));
    }

    @Override
    public Optional<InputStream> open(String datasetId) throws IOException {
        if (!DatasetBlobStore.isValidId(datasetId)) {
            return Optional.empty();
        }
        String key = keyOf(datasetId);
        try {
            return Optional.of(S3ArtifactStore.call(() -> s3.getObject(b -> b.bucket(bucket).key(key))));
        } catch (S3ArtifactStore.NotFound e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String datasetId) throws IOException {
        String key = keyOf(datasetId);
        // S3 answers a DELETE of a missing key with success
        S3ArtifactStore.call(() -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
    }

    private String keyOf(String datasetId) {
        if (!DatasetBlobStore.isValidId(datasetId)) {
            throw new IllegalArgumentException("not a dataset id: " + datasetId);
        }
        return prefix + "datasets/" + datasetId + ".l0ds";
    }
}

package io.l0sparsify.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Model files as objects {@code <prefix>models/<id>.onnx} in the artifacts' S3-compatible bucket. The upload
 * streams from the file; a PUT replaces an object whole, so a reader never sees half a file. Store errors surface
 * as {@link IOException}s, as the file store's do.
 */
public class S3ModelBlobStore implements ModelBlobStore {

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public S3ModelBlobStore(S3Client s3, StorageProperties.S3 properties) {
        this.s3 = s3;
        this.bucket = properties.bucket();
        this.prefix = properties.prefix();
    }

    @Override
    public void put(String modelId, Path file) throws IOException {
        String key = keyOf(modelId);
        S3ArtifactStore.call(() -> s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/onnx"),
                RequestBody.fromFile(file)));
    }

    @Override
    public Optional<InputStream> open(String modelId) throws IOException {
        if (!ModelBlobStore.isValidId(modelId)) {
            return Optional.empty();
        }
        String key = keyOf(modelId);
        try {
            return Optional.of(S3ArtifactStore.call(() -> s3.getObject(b -> b.bucket(bucket).key(key))));
        } catch (S3ArtifactStore.NotFound e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String modelId) throws IOException {
        String key = keyOf(modelId);
        // S3 answers a DELETE of a missing key with success
        S3ArtifactStore.call(() -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
    }

    private String keyOf(String modelId) {
        if (!ModelBlobStore.isValidId(modelId)) {
            throw new IllegalArgumentException("not a model id: " + modelId);
        }
        return prefix + "models/" + modelId + ".onnx";
    }
}

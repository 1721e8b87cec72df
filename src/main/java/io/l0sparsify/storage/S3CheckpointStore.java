package io.l0sparsify.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Checkpoints as objects {@code <prefix>checkpoints/<jobId>.ckpt}; a PUT replaces the
 * previous one whole, so a worker dying mid-write leaves it intact.
 */
public class S3CheckpointStore implements CheckpointStore {

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public S3CheckpointStore(S3Client s3, StorageProperties.S3 properties) {
        this.s3 = s3;
        this.bucket = properties.bucket();
        this.prefix = properties.prefix();
    }

    @Override
    public void put(String jobId, byte[] checkpoint) throws IOException {
        String key = keyOf(jobId);
        S3ArtifactStore.call(() -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(checkpoint)));
    }

    @Override
    public Optional<byte[]> get(String jobId) throws IOException {
        String key = keyOf(jobId);
        byte[] bytes;
        try (InputStream in = S3ArtifactStore.call(() -> s3.getObject(b -> b.bucket(bucket).key(key)))) {
            bytes = in.readAllBytes();
        } catch (S3ArtifactStore.NotFound e) {
            return Optional.empty();
        }
        return Optional.of(bytes);
    }

    @Override
    public void delete(String jobId) throws IOException {
        String key = keyOf(jobId);
        S3ArtifactStore.call(() -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
    }

    private String keyOf(String jobId) {
        if (!ArtifactStore.isValidJobId(jobId)) {
            throw new IllegalArgumentException("not a job id: " + jobId);
        }
        return prefix + "checkpoints/" + jobId + ".ckpt";
    }
}

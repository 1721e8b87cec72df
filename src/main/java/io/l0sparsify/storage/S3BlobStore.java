package io.l0sparsify.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Blobs of one {@link BlobStore.Kind} as objects {@code <prefix><folder>/<id><extension>} in the artifacts'
 * S3-compatible bucket. The upload streams from the file; a PUT replaces an object whole, so a reader never sees
 * half a blob. Store errors surface as {@link IOException}s, as the file store's do.
 */
abstract class S3BlobStore implements BlobStore {

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final Kind kind;

    S3BlobStore(S3Client s3, StorageProperties.S3 properties, Kind kind) {
        this.s3 = s3;
        this.bucket = properties.bucket();
        this.prefix = properties.prefix();
        this.kind = kind;
    }

    @Override
    public void put(String id, Path file) throws IOException {
        String key = keyOf(id);
        S3ArtifactStore.call(() -> s3.putObject(b -> b.bucket(bucket).key(key).contentType(kind.contentType()),
                RequestBody.fromFile(file)));
    }

    @Override
    public Optional<InputStream> open(String id) throws IOException {
        if (!BlobStore.isValidId(id)) {
            return Optional.empty();
        }
        String key = keyOf(id);
        try {
            return Optional.of(S3ArtifactStore.call(() -> s3.getObject(b -> b.bucket(bucket).key(key))));
        } catch (S3ArtifactStore.NotFound e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String id) throws IOException {
        String key = keyOf(id);
        // S3 answers a DELETE of a missing key with success
        S3ArtifactStore.call(() -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
    }

    private String keyOf(String id) {
        return prefix + kind.folder() + "/" + kind.fileName(id);
    }
}

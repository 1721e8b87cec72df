package io.l0sparsify.storage;

import software.amazon.awssdk.services.s3.S3Client;

/** Model blobs as objects {@code <prefix>models/<id>} in the artifacts' bucket ({@link ModelBlobStore#KIND}). */
public class S3ModelBlobStore extends S3BlobStore implements ModelBlobStore {

    public S3ModelBlobStore(S3Client s3, StorageProperties.S3 properties) {
        super(s3, properties, KIND);
    }
}

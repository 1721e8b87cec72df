package io.l0sparsify.storage;

import software.amazon.awssdk.services.s3.S3Client;

/** Dataset blobs as objects {@code <prefix>datasets/<id>} in the artifacts' bucket ({@link DatasetBlobStore#KIND}). */
public class S3DatasetBlobStore extends S3BlobStore implements DatasetBlobStore {

    public S3DatasetBlobStore(S3Client s3, StorageProperties.S3 properties) {
        super(s3, properties, KIND);
    }
}

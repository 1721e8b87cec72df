package io.l0sparsify.testing;

import io.l0sparsify.storage.S3Clients;
import io.l0sparsify.storage.StorageProperties;
import java.net.URI;
import java.util.UUID;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3-compatible endpoint tests may use: {@code L0_TEST_S3_ENDPOINT}, credentials "test"/"test". */
public final class TestS3 {

    private TestS3() {}

    /** The endpoint, or null when none is given. */
    public static URI endpoint() {
        String value = System.getenv("L0_TEST_S3_ENDPOINT");
        return value == null || value.isBlank() ? null : URI.create(value);
    }

    /** Settings for a new, empty bucket on the endpoint. */
    public static StorageProperties.S3 freshBucket(String prefix) {
        StorageProperties.S3 s3 = new StorageProperties.S3("l0-test-" + UUID.randomUUID(), prefix, endpoint(), null,
                null, "test", "test");
        try (S3Client admin = S3Clients.create(s3)) {
            admin.createBucket(b -> b.bucket(s3.bucket()));
        }
        return s3;
    }
}

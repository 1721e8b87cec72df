package io.l0sparsify.storage;

import io.l0sparsify.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 model blob store against {@code L0_TEST_S3_ENDPOINT}, in a fresh bucket; skipped, saying so, without it. */
class S3ModelBlobStoreTest extends ModelBlobStoreContract {

    private static S3Client client;
    private static ModelBlobStore models;

    @BeforeAll
    static void connect() {
        Assumptions.assumeTrue(TestS3.endpoint() != null,
                "no S3-compatible endpoint: set L0_TEST_S3_ENDPOINT (e.g. http://127.0.0.1:5055) to run these");
        StorageProperties.S3 properties = TestS3.freshBucket("l0/");
        client = S3Clients.create(properties);
        models = new S3ModelBlobStore(client, properties);
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    @Override
    ModelBlobStore models() {
        return models;
    }
}

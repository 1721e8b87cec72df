package io.l0sparsify.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.testing.TestS3;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 stores against the S3-compatible endpoint in {@code L0_TEST_S3_ENDPOINT} (CI starts one; any store
 * that accepts the access key "test" will do), each run in a fresh bucket. Skipped, saying so, without it.
 */
class S3StoreTest extends StoreContract {

    private static S3Client client;
    private static StorageProperties.S3 properties;
    private static ArtifactStore artifacts;
    private static CheckpointStore checkpoints;
    private static DatasetBlobStore datasetBlobs;

    @BeforeAll
    static void connect() {
        Assumptions.assumeTrue(TestS3.endpoint() != null,
                "no S3-compatible endpoint: set L0_TEST_S3_ENDPOINT (e.g. http://127.0.0.1:5055) to run these");
        properties = TestS3.freshBucket("l0/");
        client = S3Clients.create(properties);
        artifacts = new S3ArtifactStore(client, properties);
        checkpoints = new S3CheckpointStore(client, properties);
        datasetBlobs = new S3DatasetBlobStore(client, properties);
    }

    @Override
    DatasetBlobStore datasetBlobs() {
        return datasetBlobs;
    }

    @Test
    void aDatasetBlobIsAnObjectUnderThePrefix(@org.junit.jupiter.api.io.TempDir java.nio.file.Path source)
            throws IOException {
        datasetBlobs.put("ds-2", randomFile(source, 100, 6));
        var head = client.headObject(b -> b.bucket(properties.bucket()).key("l0/datasets/ds-2.l0ds"));
        assertThat(head.contentLength()).isEqualTo(100);
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    @Override
    ArtifactStore artifacts() {
        return artifacts;
    }

    @Override
    CheckpointStore checkpoints() {
        return checkpoints;
    }

    @Test
    void objectsLiveUnderThePrefixWithTheirDigest() throws IOException {
        artifacts.put("job-6", "weights.json", "[]".getBytes(StandardCharsets.UTF_8));
        var head = client.headObject(b -> b.bucket(properties.bucket()).key("l0/jobs/job-6/weights.json"));
        assertThat(head.contentType()).isEqualTo("application/json");
        assertThat(head.metadata()).containsEntry("sha256",
                "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945");
    }

    @Test
    void anObjectPutThereByHandIsListedAndHashedOnRead() throws IOException {
        client.putObject(b -> b.bucket(properties.bucket()).key("l0/jobs/job-7/model.onnx"),
                RequestBody.fromBytes(new byte[] {1, 2, 3}));
        assertThat(artifacts.list("job-7")).containsExactly(new ArtifactInfo("model.onnx", "application/onnx", 3,
                "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81"));
    }

    @Test
    void aMissingBucketIsAnErrorNotAMissingArtifact() {
        StorageProperties.S3 gone = new StorageProperties.S3("no-such-bucket-" + UUID.randomUUID(), null,
                TestS3.endpoint(), null, null, "test", "test");
        ArtifactStore store = new S3ArtifactStore(client, gone);
        assertThatThrownBy(() -> store.open("job-8", "model.onnx")).isInstanceOf(IOException.class)
                .isNotInstanceOf(S3ArtifactStore.NotFound.class);
        assertThatThrownBy(() -> new S3CheckpointStore(client, gone).get("job-8")).isInstanceOf(IOException.class)
                .isNotInstanceOf(S3ArtifactStore.NotFound.class);
    }

    @Test
    void aMissingBucketStopsStartUpNamingTheSetting() {
        StorageProperties missing = new StorageProperties(StorageProperties.S3_TYPE, null,
                new StorageProperties.S3("no-such-bucket-" + UUID.randomUUID(), null, TestS3.endpoint(), null, null,
                        "test", "test"));
        assertThatThrownBy(() -> new S3StorageConfiguration().s3Client(missing))
                .hasMessageStartingWith("l0.storage.s3.bucket: cannot reach bucket no-such-bucket-");
    }
}

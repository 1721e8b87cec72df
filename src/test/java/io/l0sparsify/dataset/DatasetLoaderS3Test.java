package io.l0sparsify.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.storage.S3Clients;
import io.l0sparsify.storage.StorageProperties;
import io.l0sparsify.testing.TestS3;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code s3://} datasets against the S3-compatible endpoint in {@code L0_TEST_S3_ENDPOINT} (as the store tests),
 * in a fresh bucket; skipped, saying so, without one.
 */
class DatasetLoaderS3Test {

    private static S3Client client;
    private static StorageProperties.S3 bucket;
    private final AtomicInteger reads = new AtomicInteger();

    @BeforeAll
    static void connect() {
        Assumptions.assumeTrue(TestS3.endpoint() != null,
                "no S3-compatible endpoint: set L0_TEST_S3_ENDPOINT (e.g. http://127.0.0.1:5055) to run these");
        bucket = TestS3.freshBucket("");
        client = S3Clients.create(bucket);
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    private DatasetLoader loader(Path base) {
        DatasetProperties properties = new DatasetProperties(base.resolve("builtin"), List.of(base),
                0, 0, base.resolve("cache"), DataSize.ofKilobytes(64), null, null, null, null, null,
                List.of(bucket.bucket()));
        return new DatasetLoader(new DatasetResolver(properties, Optional.empty(), true), properties,
                Optional.empty(), new DatasetFetcher(HttpClient.newHttpClient(), Optional.of(client),
                        properties.maxUploadSize().toBytes()), (format, file, limits) -> {
                    reads.incrementAndGet();
                    assertThat(file.getFileName().toString()).isEqualTo("d.npz");
                    float[] values = new float[4];
                    return new LabelledDataset(InputShape.features(1), List.of("a", "b"),
                            new LabelledDataset.Splits.Unsplit(new Examples("all", InputShape.features(1),
                                    new ExampleValues.Floats(values), new int[] {0, 1, 0, 1})));
                });
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void anObjectIsDownloadedVerifiedAndThenServedFromTheCache() throws Exception {
        Path base = Files.createDirectories(Path.of("target", "test-data", UUID.randomUUID().toString())
                .toAbsolutePath());
        byte[] content = "some dataset bytes".getBytes();
        client.putObject(b -> b.bucket(bucket.bucket()).key("sets/d.npz"), RequestBody.fromBytes(content));
        String uri = "s3://" + bucket.bucket() + "/sets/d.npz";
        DatasetRef withDigest = new DatasetRef(uri, sha256(content), null, null, null);

        assertThat(loader(base).load(DatasetRef.of(uri), 0, 0).sha256()).isEqualTo(sha256(content));
        assertThat(loader(base).load(withDigest, 0, 0).sha256()).isEqualTo(sha256(content));
        assertThat(reads).as("the digest given, the cached form is used").hasValue(1);

        client.deleteObject(b -> b.bucket(bucket.bucket()).key("sets/d.npz"));
        assertThat(loader(base).load(withDigest, 0, 0).sha256()).as("no request needed").isEqualTo(sha256(content));
        assertThatThrownBy(() -> loader(base).load(DatasetRef.of(uri), 0, 0))
                .isInstanceOf(DatasetReferenceException.class).hasMessage(uri + " does not exist");
    }

    @Test
    void aWrongDigestOrAnOversizedObjectIsRefused() throws Exception {
        Path base = Files.createDirectories(Path.of("target", "test-data", UUID.randomUUID().toString())
                .toAbsolutePath());
        byte[] content = "other bytes".getBytes();
        client.putObject(b -> b.bucket(bucket.bucket()).key("d.npz"), RequestBody.fromBytes(content));
        String uri = "s3://" + bucket.bucket() + "/d.npz";
        assertThatThrownBy(() -> loader(base).load(new DatasetRef(uri, "a".repeat(64), null, null, null), 0, 0))
                .isInstanceOf(DatasetReferenceException.class)
                .hasMessageContaining("has SHA-256 " + sha256(content)).hasMessageContaining("a".repeat(64));

        client.putObject(b -> b.bucket(bucket.bucket()).key("big/d.npz"), RequestBody.fromBytes(new byte[70_000]));
        assertThatThrownBy(() -> loader(base).load(DatasetRef.of("s3://" + bucket.bucket() + "/big/d.npz"), 0, 0))
                .hasMessageContaining("70000 bytes, larger than 65536 bytes");
        assertThat(reads).hasValue(0);
    }
}

package io.l0sparsify.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.storage.S3Clients;
import io.l0sparsify.storage.StorageProperties;
import io.l0sparsify.testing.TestS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The whole service with {@code l0.storage.type=s3}: a real job's artifacts and checkpoints go to the bucket,
 * none to the local directory, and are served from it over HTTP. Needs {@code L0_TEST_S3_ENDPOINT}.
 */
@EnabledIfEnvironmentVariable(named = "L0_TEST_S3_ENDPOINT", matches = ".+",
        disabledReason = "no S3-compatible endpoint: set L0_TEST_S3_ENDPOINT to run this")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "l0.datasets.max-train-examples=600", "l0.datasets.max-test-examples=200", "l0.worker.device=cpu",
        "l0.worker.latency.warmup-runs=2", "l0.worker.latency.runs=5", "l0.worker.poll-interval=PT0.2S",
        "spring.datasource.url=jdbc:h2:mem:s3-e2e;DB_CLOSE_DELAY=-1", "l0.storage.type=s3"})
class S3EndToEndTest {

    private static final Path DATASETS = TestDatasets.withMnist();
    private static final Path LOCAL = DATASETS.getParent().resolve("s3-e2e-local");
    private static final StorageProperties.S3 BUCKET = TestS3.endpoint() == null ? null : TestS3.freshBucket("svc/");

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.storage.dir", LOCAL::toString);
        registry.add("l0.storage.s3.bucket", BUCKET::bucket);
        registry.add("l0.storage.s3.prefix", BUCKET::prefix);
        registry.add("l0.storage.s3.endpoint", () -> BUCKET.endpoint().toString());
        registry.add("l0.storage.s3.access-key", BUCKET::accessKey);
        registry.add("l0.storage.s3.secret-key", BUCKET::secretKey);
    }

    @LocalServerPort
    int port;

    @Test
    void aJobsArtifactsGoToTheBucketAndAreServedFromIt() throws Exception {
        ContractHttp http = new ContractHttp(port);
        ContractHttp.Response submitted = http.post("/v1/jobs", EndToEndTest.mlpJob(2));
        assertThat(submitted.status()).isEqualTo(202);
        String id = EndToEndTest.field(submitted, "$.id");
        ContractHttp.Response job = JobPolling.awaitState(http, id, Duration.ofMinutes(5), JobPolling.FINAL_STATES);
        assertThat(EndToEndTest.field(job, "$.state")).as(job.text()).isEqualTo("SUCCEEDED");

        List<Map<String, Object>> items = JsonPath.read(http.get("/v1/jobs/" + id + "/artifacts").text(), "$.items");
        Map<String, Object> onnx = items.stream().filter(i -> i.get("name").equals("model.onnx")).findFirst()
                .orElseThrow();
        ContractHttp.Response model = http.get("/v1/jobs/" + id + "/artifacts/model.onnx");
        assertThat(model.status()).isEqualTo(200);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model.body()));
        assertThat(sha256).isEqualTo(onnx.get("sha256"));
        assertThat(model.header("ETag")).isEqualTo("\"" + sha256 + "\"");
        assertThat(http.get("/v1/jobs/" + id + "/result").status()).isEqualTo(200);

        try (S3Client s3 = S3Clients.create(BUCKET)) {
            // the checkpoint is deleted just after the final state is recorded
            List<String> keys = await("the checkpoint to be deleted").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> keys(s3), all -> all.stream().noneMatch(k -> k.contains("checkpoints/")));
            assertThat(keys).contains("svc/jobs/" + id + "/model.onnx", "svc/jobs/" + id + "/result.json")
                    .hasSize(items.size()).noneMatch(k -> k.contains("checkpoints/"));
        }
        assertThat(Files.exists(LOCAL.resolve(id))).as("nothing in the local directory").isFalse();
    }

    private static List<String> keys(S3Client s3) {
        return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET.bucket())).contents().stream().map(S3Object::key)
                .toList();
    }
}

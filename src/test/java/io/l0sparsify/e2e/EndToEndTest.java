package io.l0sparsify.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.api.OpenApiContract;
import io.l0sparsify.dataset.TestDatasets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service over real HTTP with real training: small MLPs on 600 MNIST training and 200 test images, from
 * POST to the result and the downloaded model, and the two ways to end a running job (stop and cancel).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "l0.datasets.max-train-examples=600", "l0.datasets.max-test-examples=200",
        "l0.worker.progress-every-steps=2", "l0.worker.device=cpu",
        "l0.worker.latency.warmup-runs=2", "l0.worker.latency.runs=5", "l0.worker.poll-interval=PT0.2S",
        "l0.api.events-poll-interval=PT0.1S"})
class EndToEndTest {

    private static final Path DATASETS = TestDatasets.withMnist();
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(5);

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        Path base = DATASETS.getParent();
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + base.resolve("db/e2e") + ";DB_CLOSE_ON_EXIT=FALSE");
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.storage.dir", () -> base.resolve("artifacts").toString());
    }

    @LocalServerPort
    int port;

    ContractHttp http;

    @BeforeEach
    void setUp() {
        http = new ContractHttp(port);
    }

    static String mlpJob(int epochs) {
        return """
                {"name": "e2e-mlp", "model": {"inputShape": [784], "layers": [{"type": "dense", "units": 32},
                 {"type": "relu"}, {"type": "dense", "units": 10}]}, "dataset": {"uri": "builtin:mnist"},
                 "training": {"epochs": %d, "batchSize": 50, "learningRate": 0.01, "ema": 0, "seed": 7,
                 "device": "cpu", "maxRuntime": "PT5M"}}"""
                .formatted(epochs);
    }

    static String field(ContractHttp.Response response, String path) {
        Object value = JsonPath.read(response.text(), path);
        return value == null ? null : value.toString();
    }

    private ContractHttp.Response awaitState(String id, String... states) {
        return JobPolling.awaitState(http, id, JOB_TIMEOUT, List.of(states));
    }

    private ContractHttp.Response awaitProgress(String id) {
        return JobPolling.awaitJob(http, id, JOB_TIMEOUT, "to report progress", job -> {
            if (JsonPath.<Map<String, Object>>read(job.text(), "$").containsKey("progress")) {
                return true;
            }
            // a job that ended without reporting progress never will: fail at once
            assertThat(field(job, "$.state")).as(job.text()).isIn("QUEUED", "RUNNING");
            return false;
        });
    }

    @Test
    void smallMlpJobRunsFromSubmitToResultAndDownloadedModel() throws Exception {
        ContractHttp.Response submitted = http.post("/v1/jobs", mlpJob(1));
        assertThat(submitted.status()).isEqualTo(202);
        String id = field(submitted, "$.id");
        CompletableFuture<List<String[]>> events = CompletableFuture.supplyAsync(() -> {
            try {
                return http.events("/v1/jobs/" + id + "/events", JOB_TIMEOUT);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        ContractHttp.Response done = awaitState(id, "SUCCEEDED", "FAILED", "CANCELLED");
        assertThat(field(done, "$.state")).as(done.text()).isEqualTo("SUCCEEDED");
        assertThat(field(done, "$.stoppedEarly")).isEqualTo("false");
        assertThat(field(done, "$.epochsCompleted")).isEqualTo("1");
        assertThat(field(done, "$.progress.epoch")).isEqualTo("1");
        assertThat(field(done, "$.progress.fraction")).isEqualTo("1.0");

        ContractHttp.Response result = http.get("/v1/jobs/" + id + "/result");
        assertThat(result.status()).isEqualTo(200);
        // dense: 784·32 + 32 + 32·10 + 10 = 25 450 parameters
        assertThat(field(result, "$.parameters.dense")).isEqualTo("25450");
        long pruned = Long.parseLong(field(result, "$.parameters.pruned"));
        assertThat(pruned).isPositive().isLessThanOrEqualTo(25450);
        List<Map<String, Object>> layers = JsonPath.read(result.text(), "$.layers");
        assertThat(layers).hasSize(2);
        assertThat(layers.get(0)).containsEntry("originalUnits", 784).containsEntry("unitKind", "inputs");
        assertThat(layers.get(1)).containsEntry("originalUnits", 32);
        assertThat(field(result, "$.architecture"))
                .isEqualTo(layers.get(0).get("keptUnits") + "-" + layers.get(1).get("keptUnits"));
        assertThat(((List<?>) layers.get(0).get("keptIndices"))).hasSize((Integer) layers.get(0).get("keptUnits"));
        // 12 steps at a high learning rate, no averaging: already far better than chance (0.9).
        assertThat(Double.parseDouble(field(result, "$.testError"))).as(result.text()).isBetween(0.0, 0.5);
        assertThat(field(result, "$.dataset.trainExamples")).isEqualTo("600");
        assertThat(field(result, "$.dataset.testExamples")).isEqualTo("200");
        assertThat(field(result, "$.seed")).isEqualTo("7");
        assertThat(field(result, "$.latency.runs")).isEqualTo("5");
        assertThat(Double.parseDouble(field(result, "$.latency.pruned.batch100.medianMicros"))).isPositive();

        ContractHttp.Response artifacts = http.get("/v1/jobs/" + id + "/artifacts");
        List<Map<String, Object>> items = JsonPath.read(artifacts.text(), "$.items");
        assertThat(items).extracting(i -> i.get("name")).containsExactlyInAnyOrder("gated-model.params", "metrics.csv",
                "model.onnx", "result.json", "spec.json", "weights.json", "training.svg", "layers.svg");
        Map<String, Object> onnx = items.stream().filter(i -> i.get("name").equals("model.onnx")).findFirst().orElseThrow();
        assertThat(field(result, "$.onnxFileBytes.pruned")).isEqualTo(onnx.get("size").toString());

        ContractHttp.Response model = http.get("/v1/jobs/" + id + "/artifacts/model.onnx");
        assertThat(model.status()).isEqualTo(200);
        assertThat(model.header("Content-Type")).isEqualTo("application/onnx");
        assertThat(model.header("Content-Disposition")).isEqualTo("attachment; filename=\"model.onnx\"");
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model.body()));
        assertThat(sha256).isEqualTo(onnx.get("sha256"));
        assertThat(model.header("ETag")).isEqualTo("\"" + sha256 + "\"");
        assertThat((long) model.body().length).isEqualTo(((Number) onnx.get("size")).longValue());

        OpenApiContract contract = OpenApiContract.instance();
        assertThat(contract.schemaViolations("WeightsFile", http.get("/v1/jobs/" + id + "/artifacts/weights.json").text()))
                .isEmpty();
        assertThat(contract.schemaViolations("SpecFile", http.get("/v1/jobs/" + id + "/artifacts/spec.json").text()))
                .isEmpty();
        assertThat(http.get("/v1/jobs/" + id + "/artifacts/result.json").text()).isEqualTo(result.text());

        ContractHttp.Response metrics = http.get("/v1/jobs/" + id + "/artifacts/metrics.csv");
        assertThat(metrics.text().lines()).hasSize(2).first().asString().startsWith("epoch,step,train_loss");

        List<String[]> stream = events.get(1, TimeUnit.MINUTES);
        assertThat(stream).isNotEmpty();
        String[] last = stream.get(stream.size() - 1);
        assertThat(last[0]).isEqualTo("state");
        assertThat(last[1]).contains("\"state\":\"SUCCEEDED\"");
        assertThat(stream).anySatisfy(e -> assertThat(e[0]).isEqualTo("progress"));

        ContractHttp.Response prometheus = http.get("/actuator/prometheus");
        assertThat(prometheus.text()).contains("l0_jobs{state=\"SUCCEEDED\"}");
    }

    @Test
    void stoppedJobKeepsItsWorkAndSucceedsEarly() throws Exception {
        String id = field(http.post("/v1/jobs", mlpJob(200)), "$.id");
        awaitProgress(id);
        ContractHttp.Response stop = http.post("/v1/jobs/" + id + "/stop", null);
        assertThat(stop.status()).isIn(200, 202);
        ContractHttp.Response done = awaitState(id, "SUCCEEDED", "FAILED", "CANCELLED");
        assertThat(field(done, "$.state")).as(done.text()).isEqualTo("SUCCEEDED");
        assertThat(field(done, "$.stoppedEarly")).isEqualTo("true");
        assertThat(Integer.parseInt(field(done, "$.epochsCompleted"))).isLessThan(200);
        ContractHttp.Response result = http.get("/v1/jobs/" + id + "/result");
        assertThat(field(result, "$.stoppedEarly")).isEqualTo("true");
        assertThat(http.get("/v1/jobs/" + id + "/artifacts/model.onnx").status()).isEqualTo(200);
    }

    @Test
    void cancelledRunningJobEndsCancelledWithoutAResult() throws Exception {
        String id = field(http.post("/v1/jobs", mlpJob(200)), "$.id");
        awaitProgress(id);
        ContractHttp.Response cancel = http.post("/v1/jobs/" + id + "/cancel", null);
        assertThat(cancel.status()).isIn(200, 202);
        ContractHttp.Response done = awaitState(id, "SUCCEEDED", "FAILED", "CANCELLED");
        assertThat(field(done, "$.state")).isEqualTo("CANCELLED");
        assertThat(http.get("/v1/jobs/" + id + "/result").status()).isEqualTo(409);
        assertThat(http.post("/v1/jobs/" + id + "/cancel", null).status()).isEqualTo(409);
    }
}

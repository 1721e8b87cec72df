package io.l0sparsify.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.dataset.TestDatasets;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A user's own trained model over real HTTP: upload an ONNX file PyTorch exported (a residual CNN trained on the
 * colours data, Softmax at its output, input "image", output "probabilities"), upload the data, fine-tune with a
 * FLOP budget, download model.onnx and evaluate it with ONNX Runtime here, on test examples read here: it takes
 * and gives what the upload did (names, shapes, probabilities), is smaller, and its accuracy is the one reported.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "l0.worker.progress-every-steps=5", "l0.worker.device=cpu",
        "l0.worker.latency.warmup-runs=1", "l0.worker.latency.runs=2", "l0.worker.poll-interval=PT0.2S",
        "l0.api.events-poll-interval=PT0.1S"})
class FineTuneEndToEndTest {

    private static final Path DATASETS = TestDatasets.withMnist();
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final double SCALE = 1 / 255.0;

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        Path base = DATASETS.getParent();
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + base.resolve("db/finetune") + ";DB_CLOSE_ON_EXIT=FALSE");
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.datasets.cache-dir", () -> base.resolve("cache").toString());
        registry.add("l0.datasets.upload.dir", () -> base.resolve("uploads").toString());
        registry.add("l0.models.upload-dir", () -> base.resolve("model-uploads").toString());
        registry.add("l0.storage.dir", () -> base.resolve("artifacts").toString());
    }

    @LocalServerPort
    int port;

    ContractHttp http;

    @BeforeEach
    void setUp() {
        http = new ContractHttp(port);
    }

    @Test
    void anUploadedModelIsFineTunedIntoASmallerDropInReplacement() throws Exception {
        byte[] upload = resource("/models/import/colours_resnet.onnx");
        ContractHttp.Response model = http.postBinary("/v1/models?name=colours-resnet", upload);
        assertThat(model.status()).as(model.text()).isEqualTo(201);
        String modelId = read(model, "$.id").toString();
        ContractHttp.Response dataset = http.postBinary("/v1/datasets?wait=true&name=colours&format=npz"
                + "&filename=colours.npz", resource("/e2e/colours.npz"));
        assertThat(dataset.status()).as(dataset.text()).isEqualTo(201);
        String datasetId = read(dataset, "$.id").toString();

        ContractHttp.Response submitted = http.post("/v1/jobs", """
                {"name": "fine-tune", "model": {"uri": "model:%s", "preprocessing": {"scale": %s}},
                 "dataset": {"uri": "dataset:%s"},
                 "training": {"epochs": 4, "batchSize": 20, "learningRate": 0.005, "ema": 0, "seed": 3,
                 "target": {"flops": 0.5}, "device": "cpu", "maxRuntime": "PT5M"}}"""
                .formatted(modelId, SCALE, datasetId));
        assertThat(submitted.status()).as(submitted.text()).isEqualTo(202);
        // the job shows the network the upload was imported as, and the fine-tuning defaults
        assertThat(read(submitted, "$.model.uri")).isEqualTo("model:" + modelId);
        assertThat(read(submitted, "$.model.layers[0].type")).isEqualTo("conv2d");
        assertThat(read(submitted, "$.training.initialDropRate").toString()).isEqualTo("0.05");
        String job = read(submitted, "$.id").toString();
        // a model a queued or running job needs is not deleted (four epochs outlast this request by far)
        ContractHttp.Response inUse = http.delete("/v1/models/" + modelId);
        assertThat(inUse.status()).as(inUse.text()).isEqualTo(409);
        assertThat(inUse.text()).contains(job);
        ContractHttp.Response done = JobPolling.awaitState(http, job, JOB_TIMEOUT, JobPolling.FINAL_STATES);
        assertThat(read(done, "$.state")).as(done.text()).isEqualTo("SUCCEEDED");

        ContractHttp.Response result = http.get("/v1/jobs/" + job + "/result");
        assertThat(result.status()).isEqualTo(200);
        JsonNode facts = JSON.readTree(resource("/models/import/import.json")).get("colours_resnet");
        JsonNode original = JSON.readTree(result.text()).get("original");
        // the service's evaluation of the upload on the test split is PyTorch's
        assertThat(original.get("original").get("testError").asDouble())
                .isCloseTo(1 - facts.get("testAccuracy").asDouble(), within(1e-9));
        assertThat(original.get("original").get("onnxFileBytes").asLong()).isEqualTo(upload.length);
        long originalFlops = original.get("original").get("flops").asLong();
        long prunedFlops = original.get("pruned").get("flops").asLong();
        assertThat(prunedFlops).isLessThanOrEqualTo(originalFlops / 2);
        assertThat(original.get("pruned").get("parameters").asLong())
                .isLessThan(original.get("original").get("parameters").asLong());
        double reportedError = original.get("pruned").get("testError").asDouble();
        assertThat(reportedError).isEqualTo(Double.parseDouble(read(result, "$.testError").toString()));

        byte[] pruned = http.get("/v1/jobs/" + job + "/artifacts/model.onnx").body();
        assertSameInterface(upload, pruned);
        byte[] x = resource("/e2e/colours_test_x.raw");
        byte[] y = resource("/e2e/colours_test_y.raw");
        float[][] probabilities = run(pruned, x, y.length);
        int correct = 0;
        for (int n = 0; n < y.length; n++) {
            float sum = 0;
            int best = 0;
            for (int c = 0; c < probabilities[n].length; c++) {
                sum += probabilities[n][c];
                best = probabilities[n][c] > probabilities[n][best] ? c : best;
            }
            assertThat(sum).as("softmax output of example " + n).isCloseTo(1f, within(1e-5f));
            correct += best == y[n] ? 1 : 0;
        }
        double accuracy = correct / (double) y.length;
        assertThat(accuracy).isCloseTo(1 - reportedError, within(1.0 / y.length + 1e-9));
        assertThat(accuracy).isGreaterThanOrEqualTo(0.9);

        // once no job needs it, the model can be deleted
        assertThat(http.delete("/v1/models/" + modelId).status()).isEqualTo(204);
    }

    @Test
    void aModelFineTuningCannotTakeIsRefusedNamingTheNodeAndQueuesNothing() throws Exception {
        String modelId = read(http.postBinary("/v1/models?name=rect",
                resource("/models/import/refused_rect_kernel.onnx")), "$.id").toString();
        int before = JsonPath.<List<?>>read(http.get("/v1/jobs").text(), "$.items").size();
        ContractHttp.Response refused = http.post("/v1/jobs", """
                {"model": {"uri": "model:%s"}, "dataset": {"uri": "builtin:mnist"}}""".formatted(modelId));
        assertThat(refused.status()).as(refused.text()).isEqualTo(422);
        assertThat(refused.text()).contains("model.uri").contains("kernel").contains("/conv/Conv");
        ContractHttp.Response unknown = http.post("/v1/jobs", """
                {"model": {"uri": "model:0b5f6f1e-6f0c-4d51-9d3b-2c7e8f1a2b3c"}, "dataset": {"uri": "builtin:mnist"}}""");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.text()).contains("model.uri").contains("names no uploaded model");
        // a model whose input the dataset's examples do not have: refused at submission, not by the worker
        String lenet = read(http.postBinary("/v1/models?name=lenet", resource("/models/import/lenet_bn_kept.onnx")),
                "$.id").toString();
        ContractHttp.Response mismatch = http.post("/v1/jobs",
                "{\"model\": {\"uri\": \"model:" + lenet + "\"}, \"dataset\": {\"uri\": \"builtin:mnist\"}}");
        assertThat(mismatch.status()).isEqualTo(422);
        assertThat(mismatch.text()).contains("model.uri").contains("the uploaded model takes [1, 12, 12]")
                .contains("[1, 28, 28]");
        assertThat(JsonPath.<List<?>>read(http.get("/v1/jobs").text(), "$.items")).hasSize(before);
    }

    /** The pruned model takes and gives what the upload does: one input and one output, same names and shapes. */
    private static void assertSameInterface(byte[] upload, byte[] pruned) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession a = env.createSession(upload, new OrtSession.SessionOptions());
                OrtSession b = env.createSession(pruned, new OrtSession.SessionOptions())) {
            assertThat(b.getInputNames()).containsExactlyElementsOf(a.getInputNames()).containsExactly("image");
            assertThat(b.getOutputNames()).containsExactlyElementsOf(a.getOutputNames())
                    .containsExactly("probabilities");
            assertThat(shape(b.getInputInfo())).isEqualTo(shape(a.getInputInfo())).containsExactly(-1L, 3L, 8L, 8L);
            assertThat(shape(b.getOutputInfo())).isEqualTo(shape(a.getOutputInfo())).containsExactly(-1L, 3L);
        }
    }

    private static List<Long> shape(Map<String, NodeInfo> info) {
        long[] dims = ((TensorInfo) info.values().iterator().next().getInfo()).getShape();
        return java.util.Arrays.stream(dims).boxed().toList();
    }

    /** The model's output for the NHWC bytes of {@code count} images, fed as the upload was trained: x/255, NCHW. */
    private static float[][] run(byte[] model, byte[] nhwc, int count) throws Exception {
        float[] input = new float[count * 3 * 8 * 8];
        for (int n = 0; n < count; n++) {
            for (int h = 0; h < 8; h++) {
                for (int w = 0; w < 8; w++) {
                    for (int c = 0; c < 3; c++) {
                        input[n * 192 + c * 64 + h * 8 + w] = (float) ((nhwc[n * 192 + (h * 8 + w) * 3 + c] & 0xFF)
                                * SCALE);
                    }
                }
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {count, 3, 8, 8});
                OrtSession.Result out = session.run(Map.of("image", tensor))) {
            return (float[][]) out.get(0).getValue();
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = FineTuneEndToEndTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object read(ContractHttp.Response response, String path) {
        return JsonPath.read(response.text(), path);
    }
}

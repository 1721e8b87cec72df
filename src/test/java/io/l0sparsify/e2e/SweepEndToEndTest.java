package io.l0sparsify.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.api.OpenApiContract;
import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.export.OnnxRuntimeRunner;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.w3c.dom.Document;

/**
 * A sweep over FLOP budgets over real HTTP with real training (a small MLP on 600 MNIST training and 200 test
 * images): every point's artifacts, the Pareto report consistent with the points, and the selected point as the
 * job's main model.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "l0.datasets.max-train-examples=600", "l0.datasets.max-test-examples=200",
        "l0.worker.progress-every-steps=2", "l0.worker.device=cpu",
        "l0.worker.latency.warmup-runs=2", "l0.worker.latency.runs=5", "l0.worker.poll-interval=PT0.2S",
        "l0.api.events-poll-interval=PT0.1S"})
class SweepEndToEndTest {

    private static final Path DATASETS = TestDatasets.withMnist();
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(5);
    private static final double MAX_ERROR_INCREASE = 0.05;

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        Path base = DATASETS.getParent();
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + base.resolve("db/e2e-sweep")
                + ";DB_CLOSE_ON_EXIT=FALSE");
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.storage.dir", () -> base.resolve("artifacts-sweep").toString());
    }

    @LocalServerPort
    int port;

    ContractHttp http;

    @BeforeEach
    void setUp() {
        http = new ContractHttp(port);
    }

    private static final String SWEEP_JOB = """
            {"name": "e2e-sweep", "model": {"inputShape": [784], "layers": [{"type": "dense", "units": 32},
             {"type": "relu"}, {"type": "dense", "units": 10}]}, "dataset": {"uri": "builtin:mnist"},
             "training": {"epochs": 3, "batchSize": 50, "learningRate": 0.01, "ema": 0, "seed": 7,
             "device": "cpu", "maxRuntime": "PT5M"},
             "sweep": {"metric": "flops", "targets": [0.1, 0.5, 0.25]},
             "select": {"maxErrorIncrease": %s}}""".formatted(MAX_ERROR_INCREASE);

    private static <T> T read(ContractHttp.Response response, String path) {
        return JsonPath.read(response.text(), path);
    }

    private static double number(ContractHttp.Response response, String path) {
        return ((Number) JsonPath.read(response.text(), path)).doubleValue();
    }

    @Test
    void aSweepPublishesEveryPointTheFrontAndTheSelectedPoint() throws Exception {
        ContractHttp.Response submitted = http.post("/v1/jobs", SWEEP_JOB);
        assertThat(submitted.status()).as(submitted.text()).isEqualTo(202);
        String id = read(submitted, "$.id");
        assertThat(read(submitted, "$.sweep.targets").toString()).as("in run order: densest first")
                .isEqualTo("[0.5,0.25,0.1]");
        ContractHttp.Response done = JobPolling.awaitState(http, id, JOB_TIMEOUT,
                List.of("SUCCEEDED", "FAILED", "CANCELLED"));
        assertThat((String) read(done, "$.state")).as(done.text()).isEqualTo("SUCCEEDED");
        assertThat((Double) read(done, "$.select.maxErrorIncrease")).isEqualTo(MAX_ERROR_INCREASE);
        assertThat((Integer) read(done, "$.progress.sweep.point")).as("the last point trained").isEqualTo(2);
        assertThat((Integer) read(done, "$.progress.sweep.points")).isEqualTo(3);

        List<Map<String, Object>> items = read(http.get("/v1/jobs/" + id + "/artifacts"), "$.items");
        List<String> names = items.stream().map(i -> (String) i.get("name")).toList();
        assertThat(names).contains("model.onnx", "weights.json", "result.json", "pareto.json", "pareto.csv",
                "pareto.svg", "training.svg", "layers.svg");
        OpenApiContract contract = OpenApiContract.instance();
        double[] targets = {0.5, 0.25, 0.1};
        List<ContractHttp.Response> results = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            String prefix = "/v1/jobs/" + id + "/artifacts/points-" + n + "-";
            assertThat(names).contains("points-" + n + "-model.onnx", "points-" + n + "-weights.json",
                    "points-" + n + "-result.json", "points-" + n + "-training.svg", "points-" + n + "-layers.svg");
            ContractHttp.Response result = http.get(prefix + "result.json");
            assertThat(contract.schemaViolations("Result", result.text())).as(result.text()).isEmpty();
            assertThat((Integer) read(result, "$.sweep.point")).isEqualTo(n);
            assertThat(number(result, "$.sweep.target")).isEqualTo(targets[n]);
            assertThat(number(result, "$.budget.target")).isEqualTo(targets[n]);
            assertThat((String) read(result, "$.artifacts['points-" + n + "-model.onnx']"))
                    .isEqualTo(prefix + "model.onnx");
            // the delivered network keeps its budget
            assertThat(number(result, "$.flops.pruned")).isLessThanOrEqualTo(targets[n] * number(result, "$.flops.dense"));
            results.add(result);

            byte[] onnx = http.get(prefix + "model.onnx").body();
            float[][] logits = OnnxRuntimeRunner.run(onnx, new float[784], 1);
            assertThat(logits).hasDimensions(1, 10);
            assertThat(contract.schemaViolations("WeightsFile", http.get(prefix + "weights.json").text())).isEmpty();
        }
        for (int n = 1; n < 3; n++) {
            assertThat(number(results.get(n), "$.flops.pruned")).as("point " + n)
                    .isLessThanOrEqualTo(number(results.get(n - 1), "$.flops.pruned"));
            assertThat(number(results.get(n), "$.parameters.pruned")).as("point " + n)
                    .isLessThanOrEqualTo(number(results.get(n - 1), "$.parameters.pruned"));
        }

        // select: the smallest point by FLOPs within MAX_ERROR_INCREASE of the densest point's error
        double limit = number(results.get(0), "$.testError") + MAX_ERROR_INCREASE;
        int expected = 0;
        for (int n = 0; n < 3; n++) {
            if (number(results.get(n), "$.testError") <= limit
                    && number(results.get(n), "$.flops.pruned") < number(results.get(expected), "$.flops.pruned")) {
                expected = n;
            }
        }
        ContractHttp.Response main = http.get("/v1/jobs/" + id + "/result");
        assertThat(contract.schemaViolations("Result", main.text())).as(main.text()).isEmpty();
        assertThat((Integer) read(main, "$.sweep.point")).as(main.text()).isEqualTo(expected);
        assertThat((Integer) read(main, "$.sweep.pointsCompleted")).isEqualTo(3);
        assertThat((String) read(main, "$.sweep.selection")).contains("maxErrorIncrease");
        assertThat(number(main, "$.testError")).isEqualTo(number(results.get(expected), "$.testError"));
        assertThat((String) read(main, "$.artifacts['model.onnx']")).isEqualTo("/v1/jobs/" + id + "/artifacts/model.onnx");
        assertThat(http.get("/v1/jobs/" + id + "/artifacts/model.onnx").body())
                .isEqualTo(http.get("/v1/jobs/" + id + "/artifacts/points-" + expected + "-model.onnx").body());
        assertThat(http.get("/v1/jobs/" + id + "/artifacts/weights.json").body())
                .isEqualTo(http.get("/v1/jobs/" + id + "/artifacts/points-" + expected + "-weights.json").body());

        ContractHttp.Response pareto = http.get("/v1/jobs/" + id + "/artifacts/pareto.json");
        assertThat((Integer) read(pareto, "$.selectedPoint")).isEqualTo(expected);
        assertThat((String) read(pareto, "$.metric")).isEqualTo("flops");
        List<Map<String, Object>> points = read(pareto, "$.points");
        assertThat(points).hasSize(3);
        List<String> csv = http.get("/v1/jobs/" + id + "/artifacts/pareto.csv").text().lines().toList();
        assertThat(csv).hasSize(4);
        assertThat(csv.getFirst()).startsWith("point,target,test_error,parameters,flops,");
        for (int n = 0; n < 3; n++) {
            Map<String, Object> p = points.get(n);
            ContractHttp.Response r = results.get(n);
            assertThat(((Number) p.get("testError")).doubleValue()).isEqualTo(number(r, "$.testError"));
            assertThat(((Number) p.get("flops")).longValue()).isEqualTo((long) number(r, "$.flops.pruned"));
            assertThat(((Number) p.get("parameters")).longValue()).isEqualTo((long) number(r, "$.parameters.pruned"));
            assertThat(((Number) p.get("latencyBatch1Micros")).doubleValue())
                    .isEqualTo(number(r, "$.latency.pruned.batch1.medianMicros"));
            assertThat(p.get("architecture")).isEqualTo(read(r, "$.architecture"));
            assertThat(p.get("selected")).isEqualTo(n == expected);
            String[] row = csv.get(n + 1).split(",");
            assertThat(Integer.parseInt(row[0])).isEqualTo(n);
            assertThat(Double.parseDouble(row[1])).isEqualTo(targets[n]);
            assertThat(Double.parseDouble(row[2])).isEqualTo(number(r, "$.testError"));
            assertThat(Long.parseLong(row[3])).isEqualTo((long) number(r, "$.parameters.pruned"));
            assertThat(Long.parseLong(row[4])).isEqualTo((long) number(r, "$.flops.pruned"));
        }

        ContractHttp.Response svg = http.get("/v1/jobs/" + id + "/artifacts/pareto.svg");
        assertThat(svg.status()).isEqualTo(200);
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document document = factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.body()));
        assertThat(document.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(document.getDoctype()).isNull();
        // the panels' axes, and the title naming the selected point (the rotated error axis is drawn as outlines)
        assertThat(svg.text()).contains(">FLOPs<", ">parameters<", ">latency, batch 1 (µs)<",
                "(point " + expected + " selected)");
        // each of the three panels marks the three points and circles the selected one
        assertThat(document.getElementsByTagNameNS("*", "path").getLength()).isGreaterThanOrEqualTo(3 * (3 + 1));
    }

    private static String longSweep() {
        return SWEEP_JOB.replace("\"epochs\": 3", "\"epochs\": 200");
    }

    /** The job once it reports progress: its first point is training. */
    private void awaitProgress(String id) {
        JobPolling.awaitJob(http, id, JOB_TIMEOUT, "to report progress", job -> {
            if (JsonPath.<Map<String, Object>>read(job.text(), "$").containsKey("progress")) {
                return true;
            }
            assertThat((String) read(job, "$.state")).as(job.text()).isIn("QUEUED", "RUNNING");
            return false;
        });
    }

    @Test
    void stopEndsTheCurrentPointEarlyAndTheSweepWithThePointsDone() throws Exception {
        String id = read(http.post("/v1/jobs", longSweep()), "$.id");
        awaitProgress(id);
        assertThat(http.post("/v1/jobs/" + id + "/stop", null).status()).isIn(200, 202);
        ContractHttp.Response done = JobPolling.awaitState(http, id, JOB_TIMEOUT, JobPolling.FINAL_STATES);
        assertThat((String) read(done, "$.state")).as(done.text()).isEqualTo("SUCCEEDED");
        assertThat((Boolean) read(done, "$.stoppedEarly")).isTrue();
        ContractHttp.Response main = http.get("/v1/jobs/" + id + "/result");
        assertThat((Integer) read(main, "$.sweep.pointsCompleted")).isEqualTo(1);
        assertThat((Integer) read(main, "$.sweep.point")).isZero();
        assertThat((Boolean) read(main, "$.stoppedEarly")).isTrue();
        List<Map<String, Object>> items = read(http.get("/v1/jobs/" + id + "/artifacts"), "$.items");
        assertThat(items).extracting(i -> (String) i.get("name")).contains("points-0-result.json", "pareto.json")
                .noneMatch(name -> name.startsWith("points-1-") || name.startsWith("points-2-"));
        assertThat((List<?>) read(http.get("/v1/jobs/" + id + "/artifacts/pareto.json"), "$.points")).hasSize(1);
    }

    @Test
    void cancelEndsTheWholeSweepWithoutArtifacts() throws Exception {
        String id = read(http.post("/v1/jobs", longSweep()), "$.id");
        awaitProgress(id);
        assertThat(http.post("/v1/jobs/" + id + "/cancel", null).status()).isIn(200, 202);
        ContractHttp.Response done = JobPolling.awaitState(http, id, JOB_TIMEOUT, JobPolling.FINAL_STATES);
        assertThat((String) read(done, "$.state")).isEqualTo("CANCELLED");
        assertThat(http.get("/v1/jobs/" + id + "/result").status()).isEqualTo(409);
        assertThat((List<?>) read(http.get("/v1/jobs/" + id + "/artifacts"), "$.items")).isEmpty();
    }
}

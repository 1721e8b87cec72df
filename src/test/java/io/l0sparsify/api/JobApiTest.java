package io.l0sparsify.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.SettableClock;
import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.job.JobState;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.storage.ArtifactStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The API over the whole application (real job service, database and dataset checks) with the worker off, so
 * jobs stay where the test puts them. Every exchange is checked against openapi.yaml.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:jobapi;DB_CLOSE_DELAY=-1",
        "l0.worker.enabled=false"})
@AutoConfigureMockMvc
@Import(SettableClock.InContext.class)
class JobApiTest {

    private static final Path DATASETS = TestDatasets.withMnist();
    private static final Path ROOT = DATASETS.getParent().resolve("roots");
    private static final Path OUTSIDE = DATASETS.getParent().resolve("outside");

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) throws Exception {
        TestDatasets.linkMnistInto(ROOT.resolve("digits"));
        TestDatasets.linkMnistInto(OUTSIDE.resolve("private"));
        Files.createSymbolicLink(ROOT.resolve("link-out"), OUTSIDE.resolve("private"));
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.datasets.allowed-roots", ROOT::toString);
        registry.add("l0.storage.dir", () -> DATASETS.getParent().resolve("artifacts").toString());
    }

    private static final String MLP_JOB = """
            {"name": "small", "model": {"inputShape": [784], "layers": [{"type": "dense", "units": 32},
             {"type": "relu"}, {"type": "dense", "units": 10}]}, "dataset": {"uri": "builtin:mnist"},
             "training": {"epochs": 1, "device": "cpu"}}""";

    @Autowired
    MockMvc mockMvc;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    JobStore store;

    @Autowired
    ArtifactStore artifacts;

    @Autowired
    SettableClock clock;

    ContractMvc api;

    @BeforeEach
    void setUp() {
        api = new ContractMvc(mockMvc);
        jdbc.sql("delete from job").update();
    }

    private long storedJobs() {
        return jdbc.sql("select count(*) from job").query(Long.class).single();
    }

    private MockHttpServletResponse submit(String body) throws Exception {
        return api.valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private MockHttpServletResponse submitAny(String body) throws Exception {
        return api.any(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private static String json(MockHttpServletResponse response, String path) throws Exception {
        Object value = JsonPath.read(response.getContentAsString(StandardCharsets.UTF_8), path);
        return value == null ? null : value.toString();
    }

    @Test
    void submittedJobIsAcceptedQueuedAndReadable() throws Exception {
        MockHttpServletResponse response = submit(MLP_JOB);
        assertThat(response.getStatus()).isEqualTo(202);
        String id = json(response, "$.id");
        assertThat(response.getHeader("Location")).isEqualTo("/v1/jobs/" + id);
        assertThat(json(response, "$.state")).isEqualTo("QUEUED");
        assertThat(json(response, "$.training.lambda")).isEqualTo("0.1");
        assertThat(json(response, "$.training.batchSize")).isEqualTo("100");
        assertThat(json(response, "$.maxRuntime")).isEqualTo("PT24H");

        MockHttpServletResponse read = api.valid(get("/v1/jobs/" + id));
        assertThat(read.getStatus()).isEqualTo(200);
        assertThat(json(read, "$.name")).isEqualTo("small");
        assertThat(json(read, "$.attempt")).isEqualTo("0");
        assertThat(storedJobs()).isEqualTo(1);
    }

    @Test
    void presetJobIsAccepted() throws Exception {
        MockHttpServletResponse response = submit("{\"model\": {\"preset\": \"lenet5-caffe\"}, \"dataset\": "
                + "{\"uri\": \"builtin:mnist\"}, \"training\": {\"epochs\": 2, \"lambda\": [10, 0.5, 0.1, 0.1]}}");
        assertThat(response.getStatus()).isEqualTo(202);
        assertThat(json(response, "$.model.preset")).isEqualTo("lenet5-caffe");
    }

    @Test
    void thePapersWrnRecipeIsAcceptedAndReadBackWithEveryDefault() throws Exception {
        MockHttpServletResponse response = submit("{\"model\": {\"preset\": \"lenet5-caffe\"}, \"dataset\": "
                + "{\"uri\": \"builtin:mnist\"}, \"training\": {\"epochs\": 2, \"batchSize\": 128, \"ema\": 0.99,"
                + " \"optimizer\": {\"type\": \"sgd\"}, \"schedule\": {\"type\": \"step\"}, \"augmentation\": {}}}");
        assertThat(response.getStatus()).isEqualTo(202);
        MockHttpServletResponse read = api.valid(get("/v1/jobs/" + json(response, "$.id")));
        assertThat(json(read, "$.training.learningRate")).isEqualTo("0.1");
        assertThat(json(read, "$.training.optimizer")).isEqualTo("{type=sgd, momentum=0.9, nesterov=true}");
        assertThat(json(read, "$.training.schedule")).isEqualTo("{type=step, milestones=[0.3,0.6,0.8], factor=0.2}");
        assertThat(json(read, "$.training.augmentation")).isEqualTo("{padding=4, flip=true}");
    }

    @Test
    void retriedSubmitWithTheSameIdempotencyKeyReturnsTheSameJob() throws Exception {
        MockHttpServletResponse first = api.valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", "k-123").content(MLP_JOB));
        MockHttpServletResponse again = api.valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", "k-123").content(MLP_JOB));
        assertThat(json(again, "$.id")).isEqualTo(json(first, "$.id"));
        assertThat(first.getHeader("Idempotent-Replayed")).isEqualTo("false");
        assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(storedJobs()).isEqualTo(1);
    }

    @Test
    void reusedIdempotencyKeyWithAnotherBodyIsRefused() throws Exception {
        MockHttpServletResponse first = api.valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", "k-9").content(MLP_JOB));
        MockHttpServletResponse other = api.any(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", "k-9").content(MLP_JOB.replace("\"epochs\": 1", "\"epochs\": 2")));
        assertThat(other.getStatus()).isEqualTo(422);
        assertThat(json(other, "$.type")).isEqualTo("urn:l0-sparsify:problem:idempotency-key-reused");
        assertThat(json(other, "$.jobId")).isEqualTo(json(first, "$.id"));
        assertThat(storedJobs()).isEqualTo(1);
    }

    @Test
    void unknownBuiltinDatasetIsRefusedAndNothingStored() throws Exception {
        assertDatasetRefused("builtin:cifar10", "available: builtin:mnist");
    }

    @Test
    void fileDatasetUnderAnAllowedRootIsAccepted() throws Exception {
        MockHttpServletResponse response = submit(MLP_JOB.replace("builtin:mnist", "file:" + ROOT.resolve("digits")));
        assertThat(response.getStatus()).isEqualTo(202);
    }

    @Test
    void aDatasetFileWithItsOptionsIsAcceptedAndEchoed() throws Exception {
        Path file = ROOT.resolve("table-" + java.util.UUID.randomUUID() + ".csv");
        Files.writeString(file, "a,b,label\n1,2,x\n");
        String dataset = "{\"uri\": \"file:" + file + "\", \"format\": {\"format\": \"csv\", \"labelColumn\":"
                + " \"label\"}, \"testFraction\": 0.3, \"standardize\": true}";
        MockHttpServletResponse response = submit(MLP_JOB.replace("{\"uri\": \"builtin:mnist\"}", dataset));
        assertThat(response.getStatus()).isEqualTo(202);
        assertThat(json(response, "$.dataset.format.labelColumn")).isEqualTo("label");
        assertThat(json(response, "$.dataset.testFraction")).isEqualTo("0.3");
        assertThat(json(response, "$.dataset.standardize")).isEqualTo("true");
    }

    @Test
    void aCsvFileWithoutItsLabelColumnIsRefusedNamingIt() throws Exception {
        Path file = ROOT.resolve("unlabelled.csv");
        Files.writeString(file, "a,b\n1,2\n");
        MockHttpServletResponse response = submitAny(MLP_JOB.replace("builtin:mnist", "file:" + file));
        assertThat(response.getStatus()).isEqualTo(422);
        assertThat(json(response, "$.errors[0].field")).isEqualTo("dataset.format.labelColumn");
        assertThat(storedJobs()).isZero();
    }

    @Test
    void fileDatasetOutsideTheRootsIsRefused() throws Exception {
        assertDatasetRefused("file:" + OUTSIDE.resolve("private"), "is not a dataset this service may read");
    }

    @Test
    void fileDatasetWithDotDotIsRefused() throws Exception {
        assertDatasetRefused("file:" + ROOT + "/../outside/private", "'..'");
    }

    @Test
    void fileDatasetThroughASymlinkLeadingOutIsRefused() throws Exception {
        assertDatasetRefused("file:" + ROOT.resolve("link-out"), "is not a dataset this service may read");
    }

    @Test
    void modelThatDoesNotFitTheImagesIsRefused() throws Exception {
        MockHttpServletResponse response = submitAny(MLP_JOB.replace("[784]", "[100]"));
        assertThat(response.getStatus()).isEqualTo(422);
        assertThat(json(response, "$.errors[0].field")).isEqualTo("model.inputShape");
        assertThat(json(response, "$.errors[0].message")).contains("takes [100] (model.inputShape)",
                "shape [1, 28, 28] (dataset shape)");
        assertThat(storedJobs()).isZero();
    }

    private void assertDatasetRefused(String uri, String messagePart) throws Exception {
        MockHttpServletResponse response = submitAny(MLP_JOB.replace("builtin:mnist", uri));
        assertThat(response.getStatus()).isEqualTo(422);
        assertThat(json(response, "$.errors[0].field")).isEqualTo("dataset.uri");
        assertThat(json(response, "$.errors[0].message")).contains(messagePart);
        assertThat(storedJobs()).isZero();
    }

    @Test
    void listIsNewestFirstPagedAndFilteredByState() throws Exception {
        String a = json(submit(MLP_JOB), "$.id");
        String b = json(submit(MLP_JOB), "$.id");
        String c = json(submit(MLP_JOB), "$.id");
        api.valid(post("/v1/jobs/" + b + "/cancel"));

        MockHttpServletResponse page1 = api.valid(get("/v1/jobs").param("pageSize", "2"));
        assertThat((List<String>) JsonPath.read(page1.getContentAsString(), "$.items[*].id")).containsExactly(c, b);
        String token = json(page1, "$.nextPageToken");
        assertThat(token).isNotBlank();
        MockHttpServletResponse page2 = api.valid(get("/v1/jobs").param("pageSize", "2").param("pageToken", token));
        assertThat((List<String>) JsonPath.read(page2.getContentAsString(), "$.items[*].id")).containsExactly(a);
        assertThat(json(page2, "$.nextPageToken")).isNull();

        MockHttpServletResponse cancelled = api.valid(get("/v1/jobs").param("state", "CANCELLED"));
        assertThat((List<String>) JsonPath.read(cancelled.getContentAsString(), "$.items[*].id")).containsExactly(b);
        MockHttpServletResponse none = api.valid(get("/v1/jobs").param("state", "FAILED"));
        assertThat(none.getStatus()).isEqualTo(200);
        assertThat((List<?>) JsonPath.read(none.getContentAsString(), "$.items")).isEmpty();
    }

    @Test
    void forgedPageTokenIsAValidationError() throws Exception {
        MockHttpServletResponse response = api.any(get("/v1/jobs").param("pageToken", "not-a-token"));
        assertThat(response.getStatus()).isEqualTo(422);
        assertThat(json(response, "$.errors[0].field")).isEqualTo("pageToken");
    }

    @Test
    void queuedJobIsCancelledAtOnceAndCannotBeCancelledAgain() throws Exception {
        String id = json(submit(MLP_JOB), "$.id");
        MockHttpServletResponse cancelled = api.valid(post("/v1/jobs/" + id + "/cancel"));
        assertThat(cancelled.getStatus()).isEqualTo(200);
        assertThat(json(cancelled, "$.state")).isEqualTo("CANCELLED");
        MockHttpServletResponse again = api.valid(post("/v1/jobs/" + id + "/cancel"));
        assertThat(again.getStatus()).isEqualTo(409);
        assertThat(json(again, "$.type")).isEqualTo("urn:l0-sparsify:problem:job-state-conflict");
        assertThat(json(again, "$.state")).isEqualTo("CANCELLED");
    }

    @Test
    void runningJobIsAskedToCancelAndFinishedJobCannotBe() throws Exception {
        String id = json(submit(MLP_JOB), "$.id");
        store.claimNext("test-worker", Duration.ofSeconds(30));
        MockHttpServletResponse asked = api.valid(post("/v1/jobs/" + id + "/cancel"));
        assertThat(asked.getStatus()).isEqualTo(202);
        assertThat(json(asked, "$.state")).isEqualTo("RUNNING");
        assertThat(json(asked, "$.cancelRequested")).isEqualTo("true");
        store.markCancelled(id, "test-worker");
        assertThat(api.valid(post("/v1/jobs/" + id + "/cancel")).getStatus()).isEqualTo(409);
    }

    @Test
    void aJobShowsItsWorkerAndTheHistoryOfItsAttempts() throws Exception {
        String id = json(submit(MLP_JOB), "$.id");
        assertThat(json(api.valid(get("/v1/jobs/" + id)), "$.attempts")).isEqualTo("[]");
        store.claimNext("worker-a", Duration.ofSeconds(30));
        store.recordStart(store.find(id).orElseThrow(), 1, 0, "cpu");
        clock.advance(Duration.ofSeconds(31));
        store.claimNext("worker-b", Duration.ofSeconds(30));
        store.recordStart(store.find(id).orElseThrow(), 2, 1, "gpu:1");
        MockHttpServletResponse response = api.valid(get("/v1/jobs/" + id));
        assertThat(json(response, "$.attempt")).isEqualTo("2");
        assertThat(json(response, "$.worker")).isEqualTo("worker-b");
        assertThat(json(response, "$.attempts[*].worker")).isEqualTo("[\"worker-a\",\"worker-b\"]");
        assertThat(json(response, "$.attempts[*].resumedAfterEpoch")).isEqualTo("[0,1]");
        assertThat(json(response, "$.attempts[*].device")).isEqualTo("[\"cpu\",\"gpu:1\"]");
        assertThat(api.valid(get("/v1/jobs")).getContentAsString(StandardCharsets.UTF_8)).as("lists leave it out")
                .contains(id).doesNotContain("\"attempts\"");
    }

    @Test
    void cancelOfSucceededJobIsRejected() throws Exception {
        String id = json(submit(MLP_JOB), "$.id");
        store.claimNext("test-worker", Duration.ofSeconds(30));
        store.markSucceeded(id, "test-worker", false, 1);
        MockHttpServletResponse response = api.valid(post("/v1/jobs/" + id + "/cancel"));
        assertThat(response.getStatus()).isEqualTo(409);
        assertThat(json(response, "$.detail")).contains("SUCCEEDED").contains("CANCELLED");
    }

    @Test
    void stopReachesARunningJobButNotAQueuedOne() throws Exception {
        String id = json(submit(MLP_JOB), "$.id");
        MockHttpServletResponse queued = api.valid(post("/v1/jobs/" + id + "/stop"));
        assertThat(queued.getStatus()).isEqualTo(409);
        store.claimNext("test-worker", Duration.ofSeconds(30));
        MockHttpServletResponse running = api.valid(post("/v1/jobs/" + id + "/stop"));
        assertThat(running.getStatus()).isEqualTo(202);
        assertThat(json(running, "$.stopRequested")).isEqualTo("true");
        assertThat(store.controlOf(id, "test-worker")).contains("STOP_EARLY");
    }

    @Test
    void stopOfAFinishedJobAnswers200AndChangesNothing() throws Exception {
        String succeeded = json(submit(MLP_JOB), "$.id");
        store.claimNext("test-worker", Duration.ofSeconds(30));
        store.markSucceeded(succeeded, "test-worker", false, 1);
        String before = api.valid(get("/v1/jobs/" + succeeded)).getContentAsString(StandardCharsets.UTF_8);
        MockHttpServletResponse stop = api.valid(post("/v1/jobs/" + succeeded + "/stop"));
        assertThat(stop.getStatus()).isEqualTo(200);
        assertThat(json(stop, "$.state")).isEqualTo("SUCCEEDED");
        assertThat(json(stop, "$.stoppedEarly")).isEqualTo("false");
        assertThat(api.valid(get("/v1/jobs/" + succeeded)).getContentAsString(StandardCharsets.UTF_8))
                .as("nothing changed").isEqualTo(before);

        String cancelled = json(submit(MLP_JOB), "$.id");
        assertThat(api.valid(post("/v1/jobs/" + cancelled + "/cancel")).getStatus()).isEqualTo(200);
        MockHttpServletResponse stopCancelled = api.valid(post("/v1/jobs/" + cancelled + "/stop"));
        assertThat(stopCancelled.getStatus()).isEqualTo(200);
        assertThat(json(stopCancelled, "$.state")).isEqualTo("CANCELLED");
    }

    @Test
    void resultOfAnUnfinishedJobIsAConflict() throws Exception {
        String id = json(submit(MLP_JOB), "$.id");
        MockHttpServletResponse response = api.valid(get("/v1/jobs/" + id + "/result"));
        assertThat(response.getStatus()).isEqualTo(409);
        assertThat(json(response, "$.detail")).contains("QUEUED");
    }

    @Test
    void artifactsAreListedAndDownloadedWithDispositionEtagAndDigest() throws Exception {
        String id = json(submit(MLP_JOB), "$.id");
        assertThat((List<?>) JsonPath.read(api.valid(get("/v1/jobs/" + id + "/artifacts")).getContentAsString(),
                "$.items")).isEmpty();
        artifacts.put(id, "metrics.csv", "epoch,step\n1,6\n".getBytes(StandardCharsets.UTF_8));
        // files of a job that has not SUCCEEDED (a crash mid-export) are neither listed nor served
        assertThat((List<?>) JsonPath.read(api.valid(get("/v1/jobs/" + id + "/artifacts")).getContentAsString(),
                "$.items")).isEmpty();
        assertThat(api.valid(get("/v1/jobs/" + id + "/artifacts/metrics.csv")).getStatus()).isEqualTo(404);
        store.claimNext("test-worker", Duration.ofSeconds(30));
        assertThat(store.markSucceeded(id, "test-worker", false, 1)).isTrue();
        MockHttpServletResponse list = api.valid(get("/v1/jobs/" + id + "/artifacts"));
        List<Map<String, Object>> items = JsonPath.read(list.getContentAsString(), "$.items");
        assertThat(items).singleElement().satisfies(item -> {
            assertThat(item.get("name")).isEqualTo("metrics.csv");
            assertThat(item.get("mediaType")).isEqualTo("text/csv");
            assertThat(item.get("size")).isEqualTo(15);
        });
        String sha = (String) items.get(0).get("sha256");

        MockHttpServletResponse file = api.valid(get("/v1/jobs/" + id + "/artifacts/metrics.csv"));
        assertThat(file.getStatus()).isEqualTo(200);
        assertThat(file.getContentAsString()).isEqualTo("epoch,step\n1,6\n");
        assertThat(file.getHeader("Content-Disposition")).isEqualTo("attachment; filename=\"metrics.csv\"");
        assertThat(file.getHeader("ETag")).isEqualTo("\"" + sha + "\"");
        assertThat(file.getHeader("Repr-Digest")).startsWith("sha-256=:");

        MockHttpServletResponse unchanged = api.valid(get("/v1/jobs/" + id + "/artifacts/metrics.csv")
                .header("If-None-Match", "\"" + sha + "\""));
        assertThat(unchanged.getStatus()).isEqualTo(304);

        MockHttpServletResponse missing = api.valid(get("/v1/jobs/" + id + "/artifacts/model.onnx"));
        assertThat(missing.getStatus()).isEqualTo(404);
        assertThat(json(missing, "$.type")).isEqualTo("urn:l0-sparsify:problem:artifact-not-found");
    }

    @Test
    void everyJobEndpointAnswers404ForAnUnknownJob() throws Exception {
        for (String path : List.of("/v1/jobs/nope", "/v1/jobs/nope/result", "/v1/jobs/nope/artifacts",
                "/v1/jobs/nope/artifacts/model.onnx", "/v1/jobs/nope/events")) {
            MockHttpServletResponse response = api.any(get(path));
            assertThat(response.getStatus()).as(path).isEqualTo(404);
            assertThat(json(response, "$.type")).as(path).isEqualTo("urn:l0-sparsify:problem:job-not-found");
        }
        for (String path : List.of("/v1/jobs/nope/cancel", "/v1/jobs/nope/stop")) {
            assertThat(api.valid(post(path)).getStatus()).as(path).isEqualTo(404);
        }
    }

    @Test
    void builtinDatasetsAreListedWithTheirShapeAndNoServerPath() throws Exception {
        MockHttpServletResponse response = api.valid(get("/v1/datasets/builtin"));
        assertThat(json(response, "$.items[0].uri")).isEqualTo("builtin:mnist");
        assertThat(json(response, "$.items[0].inputShape")).isEqualTo("[1,28,28]");
        assertThat(response.getContentAsString()).doesNotContain(ROOT.toString()).doesNotContain(DATASETS.toString());
    }

    @Test
    void contractIsServedAndSwaggerUiPointsAtIt() throws Exception {
        MockHttpServletResponse contract = api.valid(get("/openapi.yaml"));
        assertThat(contract.getStatus()).isEqualTo(200);
        assertThat(contract.getContentAsString()).startsWith("openapi: 3.1.0");
        MockHttpServletResponse ui = mockMvc.perform(get("/v3/api-docs/swagger-config")).andReturn().getResponse();
        assertThat(ui.getContentAsString()).contains("/openapi.yaml");
    }

    @Test
    void healthProbesAndJobMetricsAreExposed() throws Exception {
        submit(MLP_JOB);
        assertThat(api.valid(get("/actuator/health/liveness")).getContentAsString()).contains("UP");
        assertThat(api.valid(get("/actuator/health/readiness")).getContentAsString()).contains("UP");
        String metrics = api.valid(get("/actuator/prometheus")).getContentAsString();
        assertThat(metrics).contains("l0_queue_depth 1.0").contains("l0_jobs{state=\"QUEUED\"} 1.0")
                .contains("l0_training_examples_per_second");
        assertThat(JobState.values()).allSatisfy(s -> assertThat(metrics).contains("state=\"" + s + "\""));
    }
}

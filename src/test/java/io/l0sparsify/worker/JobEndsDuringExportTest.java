package io.l0sparsify.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.api.ContractMvc;
import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobState;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.storage.ArtifactStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import org.springframework.test.web.servlet.MockMvc;

/**
 * What a job ends as when something happens after its training, while the worker exports it: a real run of a
 * small MLP, the real publisher, and an artifact store that can be held or made to fail at one file. A cancel
 * accepted then wins (also after a stop), and a failed export leaves nothing to download. Every exchange is
 * checked against openapi.yaml.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:export-endings;DB_CLOSE_DELAY=-1",
        "l0.worker.poll-interval=PT0.2S", "l0.datasets.max-train-examples=1000", "l0.datasets.max-test-examples=200",
        "l0.worker.device=cpu", "l0.worker.latency.warmup-runs=1", "l0.worker.latency.runs=2"})
@AutoConfigureMockMvc
class JobEndsDuringExportTest {

    private static final Path DATASETS = TestDatasets.withMnist();
    private static final Path ARTIFACTS = DATASETS.getParent().resolve("artifacts");
    private static final Duration GENEROUS = Duration.ofMinutes(3);
    /** Trained enough to beat chance (a model that does not is never exported), small enough to be quick. */
    private static final String JOB = """
            {"model": {"inputShape": [784], "layers": [{"type": "dense", "units": 8}, {"type": "relu"},
             {"type": "dense", "units": 10}]}, "dataset": {"uri": "builtin:mnist"},
             "training": {"epochs": 2, "learningRate": 0.01, "device": "cpu", "maxRuntime": "PT2M"}}""";

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.storage.dir", ARTIFACTS::toString);
    }

    @MockitoSpyBean
    ArtifactStore artifacts;

    @Autowired
    MockMvc mockMvc;

    @Autowired
    JobStore store;

    ContractMvc api;
    /** Completed when the publisher writes its first file; the export then waits for {@link #release}. */
    final CompletableFuture<Void> exporting = new CompletableFuture<>();
    final CompletableFuture<Void> release = new CompletableFuture<>();

    @BeforeEach
    void setUp() {
        api = new ContractMvc(mockMvc);
    }

    @AfterEach
    void letAnyHeldExportGo() {
        release.complete(null);
    }

    /** Holds the export at its first file (model.onnx) until the test releases it. */
    private void holdTheExport() throws IOException {
        doAnswer(invocation -> {
            exporting.complete(null);
            release.get(GENEROUS.toSeconds(), TimeUnit.SECONDS);
            return invocation.callRealMethod();
        }).when(artifacts).put(anyString(), eq("model.onnx"), any());
    }

    private String submit() throws Exception {
        MockHttpServletResponse response = api.valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .content(JOB));
        assertThat(response.getStatus()).isEqualTo(202);
        return json(response, "$.id");
    }

    private Job awaitFinal(String id) {
        return TestJobs.await(store, id, job -> job.state().isFinal(), GENEROUS);
    }

    @Test
    void aCancelAcceptedWhileTheRunIsExportedEndsItCancelledWithoutArtifacts() throws Exception {
        holdTheExport();
        String id = submit();
        exporting.get(GENEROUS.toSeconds(), TimeUnit.SECONDS);

        MockHttpServletResponse cancel = api.valid(post("/v1/jobs/" + id + "/cancel"));
        assertThat(cancel.getStatus()).isEqualTo(202);
        assertThat(json(cancel, "$.cancelRequested")).isEqualTo("true");
        release.complete(null);

        assertThat(awaitFinal(id).state()).isEqualTo(JobState.CANCELLED);
        assertThat(artifactNames(id)).isEmpty();
        assertThat(filesOf(id)).isEmpty();
        assertThat(api.valid(get("/v1/jobs/" + id + "/result")).getStatus()).isEqualTo(409);
    }

    @Test
    void aCancelAfterAStopWinsAndAStopAfterTheCancelIsRefused() throws Exception {
        holdTheExport();
        String id = submit();
        exporting.get(GENEROUS.toSeconds(), TimeUnit.SECONDS);

        assertThat(api.valid(post("/v1/jobs/" + id + "/stop")).getStatus()).isEqualTo(202);
        assertThat(api.valid(post("/v1/jobs/" + id + "/cancel")).getStatus()).isEqualTo(202);
        MockHttpServletResponse stopAgain = api.valid(post("/v1/jobs/" + id + "/stop"));
        assertThat(stopAgain.getStatus()).isEqualTo(409);
        assertThat(json(stopAgain, "$.state")).isEqualTo("RUNNING");
        assertThat(json(stopAgain, "$.detail")).contains("being cancelled");
        release.complete(null);

        assertThat(awaitFinal(id).state()).isEqualTo(JobState.CANCELLED);
        assertThat(artifactNames(id)).isEmpty();
    }

    @Test
    void anExportThatFailsPartWayLeavesNoArtifactsToDownload() throws Exception {
        // The last file cannot be written, as on a full disk: model.onnx and the others are already there.
        doThrow(new IOException("No space left on device")).when(artifacts).put(anyString(), eq("result.json"),
                any());
        String id = submit();

        Job failed = awaitFinal(id);
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.errorCode()).isEqualTo("export_failed");
        assertThat(failed.errorMessage()).contains("No space left on device");
        assertThat(artifactNames(id)).isEmpty();
        assertThat(filesOf(id)).as("no file and no orphan digest").isEmpty();
    }

    private List<String> artifactNames(String id) throws Exception {
        return JsonPath.read(api.valid(get("/v1/jobs/" + id + "/artifacts")).getContentAsString(
                StandardCharsets.UTF_8), "$.items[*].name");
    }

    /** Everything on disk for the job, hidden digests and temporaries included. */
    private static List<String> filesOf(String id) throws IOException {
        Path dir = ARTIFACTS.resolve(id);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static String json(MockHttpServletResponse response, String path) throws Exception {
        Object value = JsonPath.read(response.getContentAsString(StandardCharsets.UTF_8), path);
        return value == null ? null : value.toString();
    }
}

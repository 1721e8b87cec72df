package io.l0sparsify.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.L0SparsifyApplication;
import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.job.JobStore;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Jobs survive a restart: the first process accepts two jobs and stops (one still queued, one interrupted
 * while RUNNING under this instance's worker id); the second process, on the same database, puts the
 * interrupted job back in the queue and runs both to SUCCEEDED.
 */
class RestartTest {

    private static final String WORKER_ID = "restart-test-worker";

    @Test
    void jobsQueuedOrInterruptedBeforeARestartCompleteAfterIt() throws Exception {
        Path datasets = TestDatasets.withMnist();
        Path base = datasets.getParent();
        String[] properties = {"--server.port=0", "--spring.datasource.url=jdbc:h2:file:" + base.resolve("db/restart")
                + ";DB_CLOSE_ON_EXIT=FALSE", "--l0.datasets.dir=" + datasets,
                "--l0.storage.dir=" + base.resolve("artifacts"), "--l0.datasets.max-train-examples=600",
                "--l0.datasets.max-test-examples=200", "--l0.worker.device=cpu", "--l0.worker.id=" + WORKER_ID,
                "--l0.worker.latency.warmup-runs=1",
                "--l0.worker.latency.runs=3", "--l0.worker.poll-interval=PT0.2S"};

        String interrupted;
        String queued;
        try (ConfigurableApplicationContext first = start(properties, "--l0.worker.enabled=false")) {
            ContractHttp http = new ContractHttp(port(first));
            interrupted = JsonPath.read(http.post("/v1/jobs", EndToEndTest.mlpJob(1)).text(), "$.id");
            // As if this instance died while training it: RUNNING under its worker id.
            assertThat(first.getBean(JobStore.class).claimNext(WORKER_ID, Duration.ofSeconds(30)))
                    .hasValueSatisfying(job -> assertThat(job.id()).isEqualTo(interrupted));
            queued = JsonPath.read(http.post("/v1/jobs", EndToEndTest.mlpJob(1)).text(), "$.id");
            assertThat(EndToEndTest.field(http.get("/v1/jobs/" + queued), "$.state")).isEqualTo("QUEUED");
        }

        try (ConfigurableApplicationContext second = start(properties, "--l0.worker.enabled=true")) {
            ContractHttp http = new ContractHttp(port(second));
            for (String id : new String[] {interrupted, queued}) {
                ContractHttp.Response job = JobPolling.awaitState(http, id, Duration.ofMinutes(5),
                        JobPolling.FINAL_STATES);
                assertThat(EndToEndTest.field(job, "$.state")).as(job.text()).isEqualTo("SUCCEEDED");
                assertThat(http.get("/v1/jobs/" + id + "/result").status()).isEqualTo(200);
            }
            assertThat(EndToEndTest.field(http.get("/v1/jobs/" + interrupted), "$.attempt")).isEqualTo("2");
            assertThat(EndToEndTest.field(http.get("/v1/jobs/" + queued), "$.attempt")).isEqualTo("1");
        }
    }

    private static ConfigurableApplicationContext start(String[] properties, String workerSwitch) {
        String[] args = java.util.Arrays.copyOf(properties, properties.length + 1);
        args[properties.length] = workerSwitch;
        return new SpringApplicationBuilder(L0SparsifyApplication.class).run(args);
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }
}

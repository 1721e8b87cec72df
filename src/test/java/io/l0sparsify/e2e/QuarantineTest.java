package io.l0sparsify.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.L0SparsifyApplication;
import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.storage.CheckpointStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A job that kills its worker does not kill the service after every restart: the first process records, on one
 * database, a job this instance's worker was running when it died, was given back to at start-up, claimed again
 * and died with once more (what a job whose steps exhaust memory does). The next start of the instance fails the
 * job as {@code quarantined} instead of running it a third time, and serves requests.
 */
class QuarantineTest {

    private static final String WORKER_ID = "quarantine-test-worker";
    private static final Duration LEASE = Duration.ofSeconds(30);

    @Test
    void aJobThatDiedTwiceWithThisWorkerIsQuarantinedAtTheNextStart() throws Exception {
        Path datasets = TestDatasets.withMnist();
        String[] properties = properties(datasets, "quarantine");

        String poison;
        try (ConfigurableApplicationContext first = start(properties, "--l0.worker.enabled=false")) {
            ContractHttp http = new ContractHttp(port(first));
            poison = JsonPath.read(http.post("/v1/jobs", EndToEndTest.mlpJob(1)).text(), "$.id");
            JobStore store = first.getBean(JobStore.class);
            // attempt 1 dies with the process; the restart gives it back and claims it again; attempt 2 dies too
            assertThat(store.claimNext(WORKER_ID, LEASE)).isPresent();
            assertThat(store.recover(WORKER_ID)).isOne();
            assertThat(store.claimNext(WORKER_ID, LEASE)).hasValueSatisfying(j -> assertThat(j.attempt()).isEqualTo(2));
            first.getBean(CheckpointStore.class).put(poison, new byte[] {1, 2, 3});
        }

        try (ConfigurableApplicationContext second = start(properties, "--l0.worker.enabled=true")) {
            ContractHttp http = new ContractHttp(port(second));
            ContractHttp.Response job = JobPolling.awaitState(http, poison, Duration.ofMinutes(2),
                    JobPolling.FINAL_STATES);
            assertThat(EndToEndTest.field(job, "$.state")).as(job.text()).isEqualTo("FAILED");
            assertThat(EndToEndTest.field(job, "$.error.code")).isEqualTo("quarantined");
            assertThat(EndToEndTest.field(job, "$.error.message")).contains("attempt 2", "attempt 1");
            // never claimed a third time
            assertThat(EndToEndTest.field(job, "$.attempt")).isEqualTo("2");
            // a final job keeps no checkpoint
            assertThat(second.getBean(CheckpointStore.class).get(poison)).isEmpty();
        }
    }

    @Test
    void aJobReleasedOnShutdownThatThenDiedOnceIsResumedNotQuarantined() throws Exception {
        Path datasets = TestDatasets.withMnist();
        String[] properties = properties(datasets, "quarantine-released");

        String job;
        try (ConfigurableApplicationContext first = start(properties, "--l0.worker.enabled=false")) {
            ContractHttp http = new ContractHttp(port(first));
            job = JsonPath.read(http.post("/v1/jobs", EndToEndTest.mlpJob(1)).text(), "$.id");
            JobStore store = first.getBean(JobStore.class);
            // attempt 1 is given back by a clean shutdown; attempt 2, on the same worker, dies with its process
            assertThat(store.claimNext(WORKER_ID, LEASE)).isPresent();
            store.release(job, WORKER_ID);
            assertThat(store.claimNext(WORKER_ID, LEASE)).hasValueSatisfying(j -> assertThat(j.attempt()).isEqualTo(2));
        }

        try (ConfigurableApplicationContext second = start(properties, "--l0.worker.enabled=true")) {
            ContractHttp http = new ContractHttp(port(second));
            ContractHttp.Response ended = JobPolling.awaitState(http, job, Duration.ofMinutes(3),
                    JobPolling.FINAL_STATES);
            // one death is not a pattern: the job runs a third time
            assertThat(EndToEndTest.field(ended, "$.attempt")).as(ended.text()).isEqualTo("3");
            assertThat(ended.text()).doesNotContain("quarantined");
        }
    }

    /** Both processes of a test: one file database of its own, the same worker identity. */
    private static String[] properties(Path datasets, String database) {
        Path base = datasets.getParent();
        return new String[] {"--server.port=0", "--spring.datasource.url=jdbc:h2:file:" + base.resolve("db/" + database)
                + ";DB_CLOSE_ON_EXIT=FALSE", "--l0.datasets.dir=" + datasets,
                "--l0.storage.dir=" + base.resolve("artifacts"), "--l0.datasets.max-train-examples=600",
                "--l0.datasets.max-test-examples=200", "--l0.worker.device=cpu", "--l0.worker.id=" + WORKER_ID,
                "--l0.worker.poll-interval=PT0.2S"};
    }

    private static ConfigurableApplicationContext start(String[] properties, String workerSwitch) {
        String[] args = Arrays.copyOf(properties, properties.length + 1);
        args[properties.length] = workerSwitch;
        return new SpringApplicationBuilder(L0SparsifyApplication.class).run(args);
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }
}

package io.l0sparsify.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.dataset.TestDatasets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the service acknowledged is kept even when the process is killed with SIGKILL right after the replies:
 * on the embedded H2 database, a submit answered 202 and a cancel answered 200 are on disk before the answer
 * leaves, so the restarted service still knows every job, and the cancelled ones stay CANCELLED.
 */
class KillNineTest {

    private static final int JOBS = 6;

    @Test
    void jobsAndCancelsAcknowledgedJustBeforeAKillNineSurviveTheRestart() throws Exception {
        Path datasets = TestDatasets.withMnist();
        Path base = datasets.getParent();
        // The worker is off: the queued jobs must stay exactly as acknowledged.
        List<String> args = List.of("--spring.datasource.url=jdbc:h2:file:" + base.resolve("db/kill-nine")
                + ";DB_CLOSE_ON_EXIT=FALSE", "--l0.datasets.dir=" + datasets,
                "--l0.storage.dir=" + base.resolve("artifacts"), "--l0.worker.enabled=false");

        List<String> queued = new ArrayList<>();
        List<String> cancelled = new ArrayList<>();
        ServiceProcess first = ServiceProcess.start(base.resolve("first.log"), args).awaitReady(Duration.ofMinutes(3));
        try {
            ContractHttp http = new ContractHttp(first.port());
            for (int i = 0; i < JOBS; i++) {
                ContractHttp.Response submitted = http.post("/v1/jobs", EndToEndTest.mlpJob(1));
                assertThat(submitted.status()).as(submitted.text()).isEqualTo(202);
                String id = JsonPath.read(submitted.text(), "$.id");
                if (i % 2 == 0) {
                    queued.add(id);
                } else {
                    ContractHttp.Response cancel = http.post("/v1/jobs/" + id + "/cancel", null);
                    assertThat(cancel.status()).as(cancel.text()).isEqualTo(200);
                    cancelled.add(id);
                }
            }
        } finally {
            // At once, while the last replies are milliseconds old.
            first.kill();
        }

        try (ServiceProcess second = ServiceProcess.start(base.resolve("second.log"), args)
                .awaitReady(Duration.ofMinutes(3))) {
            ContractHttp http = new ContractHttp(second.port());
            for (String id : queued) {
                ContractHttp.Response job = http.get("/v1/jobs/" + id);
                assertThat(job.status()).as("acknowledged job " + id + second.logTail()).isEqualTo(200);
                assertThat(EndToEndTest.field(job, "$.state")).as(job.text()).isEqualTo("QUEUED");
            }
            for (String id : cancelled) {
                ContractHttp.Response job = http.get("/v1/jobs/" + id);
                assertThat(job.status()).as("acknowledged job " + id).isEqualTo(200);
                assertThat(EndToEndTest.field(job, "$.state")).as(job.text()).isEqualTo("CANCELLED");
            }
        }
    }
}

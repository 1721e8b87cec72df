package io.l0sparsify.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;

import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobService;
import io.l0sparsify.job.JobState;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.l0.TrainingAbortedException;
import io.l0sparsify.l0.TrainingOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.convention.TestBean;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * A worker on a machine with two GPUs (pretended: only the count is faked, the trainer is scripted) runs one
 * loop per GPU and gives two jobs that leave the device to it one GPU each, at the same time.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "spring.datasource.url=jdbc:h2:mem:gpu-worker;DB_CLOSE_DELAY=-1", "l0.worker.poll-interval=PT0.2S",
        "l0.worker.device=auto", "l0.datasets.max-train-examples=100", "l0.datasets.max-test-examples=50"})
class GpuWorkerTest {

    private static final Path DATASETS = TestDatasets.withMnist();

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.storage.dir", () -> DATASETS.getParent().resolve("gpu-artifacts").toString());
    }

    @TestBean
    VisibleGpus visibleGpus;

    static VisibleGpus visibleGpus() {
        return () -> 2;
    }

    @MockitoBean
    Training training;

    @Autowired
    JobService jobs;

    @Autowired
    JobStore store;

    @Autowired
    GpuPool gpus;

    @Autowired
    MeterRegistry registry;

    @Test
    void twoJobsRunAtOnceOneOnEachGpuAndNamedDevicesAreHonoured() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        Map<String, String> deviceOf = new ConcurrentHashMap<>();
        Map<String, Double> gaugeOf = new ConcurrentHashMap<>();
        when(training.train(any(), any(), any(), any(), any(), any())).thenAnswer(invocation -> {
            TrainingOptions config = invocation.getArgument(1);
            deviceOf.put(config.seed() + "", config.device());
            if (config.device().matches("gpu:\\d")) {
                gaugeOf.put(config.device(), registry.get("l0.worker.gpu.jobs").tag("gpu", config.device().substring(4))
                        .gauge().value());
            }
            bothRunning.countDown();
            // ends only when the other job runs too: one loop per GPU, both busy at once
            boolean together = bothRunning.await(20, TimeUnit.SECONDS);
            throw new TrainingAbortedException(TrainingAbortedException.Reason.DIVERGED,
                    together ? "ran together" : "ran alone");
        });
        Job first = submit(null, 1);
        Job second = submit(null, 2);
        for (Job job : new Job[] {first, second}) {
            Job done = awaitJob(job.id(), j -> j.state().isFinal());
            assertThat(done.errorMessage()).isEqualTo("ran together");
        }
        assertThat(deviceOf).containsOnlyKeys("1", "2");
        assertThat(deviceOf.values()).containsExactlyInAnyOrder("gpu:0", "gpu:1");
        assertThat(gpus.busy()).containsExactly(0, 0);
        assertThat(gaugeOf).containsEntry("gpu:0", 1.0).containsEntry("gpu:1", 1.0);
        assertThat(registry.get("l0.worker.gpu.jobs").tag("gpu", "0").gauge().value()).isZero();
        assertThat(List.of(first, second)).extracting(j -> store.attempts(j).get(0).device())
                .containsExactly(deviceOf.get("1"), deviceOf.get("2"));

        Job across = awaitJob(submit("gpu:all", 3).id(), j -> j.state().isFinal());
        assertThat(across.errorCode()).isEqualTo("diverged");
        assertThat(deviceOf).containsEntry("3", "gpu:0,1");

        Job missing = awaitJob(submit("gpu:2", 4).id(), j -> j.state().isFinal());
        assertThat(missing.state()).isEqualTo(JobState.FAILED);
        assertThat(missing.errorCode()).isEqualTo("device_unavailable");
        assertThat(missing.errorMessage()).isEqualTo("gpu:2 requested but only 2 GPU(s) are visible");
    }

    private Job submit(String device, long seed) {
        String deviceField = device == null ? "" : ", \"device\": \"" + device + "\"";
        return TestJobs.submit(jobs, "{\"epochs\": 1, \"seed\": " + seed + deviceField + "}");
    }

    private Job awaitJob(String id, Predicate<Job> condition) throws InterruptedException {
        return TestJobs.await(store, id, condition, Duration.ofSeconds(40));
    }
}

package io.l0sparsify.worker;

import io.l0sparsify.security.Caller;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;

import io.l0sparsify.SettableClock;
import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobDefinition;
import io.l0sparsify.job.JobDefinitionJson;
import io.l0sparsify.job.JobJson;
import io.l0sparsify.job.JobLimits;
import io.l0sparsify.job.JobService;
import io.l0sparsify.job.JobState;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.l0.L0Trainer;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingCheckpoint;
import io.l0sparsify.l0.TrainingControl;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingProgress;
import io.l0sparsify.l0.TrainingResult;
import io.l0sparsify.storage.ArtifactInfo;
import io.l0sparsify.storage.ArtifactStore;
import io.l0sparsify.storage.CheckpointStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * A sweep interrupted at its last point (this worker shuts down after the point's first epoch checkpoint, which
 * leaves the job as a killed worker's lapsed lease does: queued, with its checkpoints and exported points stored)
 * resumes at that point, from that checkpoint, on the next claim, and ends with every point's artifacts. The
 * trainer is the real one; the test only watches its calls and plays the shutdown. The worker loop is off and the
 * runner is called as the loop would.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "spring.datasource.url=jdbc:h2:mem:sweep-resume;DB_CLOSE_DELAY=-1", "l0.worker.enabled=false",
        "l0.worker.id=survivor", "l0.datasets.max-train-examples=600", "l0.datasets.max-test-examples=200",
        "l0.worker.latency.warmup-runs=1", "l0.worker.latency.runs=2"})
@Import(SettableClock.InContext.class)
class SweepResumeTest {

    private static final Path DATASETS = TestDatasets.withMnist();
    private static final Duration LEASE = Duration.ofSeconds(60);

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.storage.dir", () -> DATASETS.getParent().resolve("artifacts-sweep-resume").toString());
    }

    @MockitoBean
    Training training;

    @Autowired
    JobService jobs;

    @Autowired
    SettableClock clock;

    @Autowired
    JobStore store;

    @Autowired
    JobRunner runner;

    @Autowired
    CheckpointStore checkpoints;

    @Autowired
    ArtifactStore artifacts;

    /** One call of the trainer: the point's target, where it started, its last checkpoint and what it delivered. */
    record Call(double target, TrainingCheckpoint start, List<float[]> lastParameters, TrainingCheckpoint delivered) {}

    @Test
    void aSweepInterruptedAtAPointResumesThereAndEndsWithEveryPointsArtifacts() throws Exception {
        Job job = submit();
        L0Trainer real = new L0Trainer();
        List<Call> calls = new CopyOnWriteArrayList<>();
        AtomicBoolean shuttingDown = new AtomicBoolean();
        when(training.train(any(), any(), any(), any(), any(), any())).thenAnswer(invocation -> {
            TrainingOptions config = invocation.getArgument(1);
            RunListener listener = invocation.getArgument(3);
            TrainingCheckpoint start = invocation.getArgument(4);
            double target = config.target().fraction();
            List<List<float[]>> seen = new CopyOnWriteArrayList<>();
            RunListener watching = new RunListener() {
                @Override
                public void onProgress(TrainingProgress progress) {
                    listener.onProgress(progress);
                }

                @Override
                public TrainingControl control() {
                    return listener.control();
                }

                @Override
                public void onCheckpoint(TrainingCheckpoint checkpoint) {
                    listener.onCheckpoint(checkpoint);
                    seen.add(checkpoint.parameters());
                    // the last point's first epoch is stored: this worker goes down
                    if (target == 0.2 && calls.stream().noneMatch(c -> c.target() == 0.2)) {
                        shuttingDown.set(true);
                    }
                }
            };
            TrainingResult result = null;
            try {
                result = real.train(invocation.getArgument(0), config, invocation.getArgument(2), watching, start);
                return result;
            } finally {
                calls.add(new Call(target, start, seen.isEmpty() ? List.of() : seen.getLast(),
                        result == null ? null : result.delivered()));
            }
        });

        runner.run(store.claimNext("survivor", LEASE).orElseThrow(), shuttingDown::get);

        Job interrupted = store.find(job.id()).orElseThrow();
        assertThat(interrupted.state()).isEqualTo(JobState.QUEUED);
        assertThat(calls).extracting(Call::target).containsExactly(0.5, 0.3, 0.2);
        assertThat(calls.get(0).start()).as("the densest point starts afresh").isNull();
        // point 1 starts at epoch 0 from the network point 0 delivered: after the guarantee's fine-tuning epoch,
        // not training's last checkpoint
        TrainingCheckpoint warm = calls.get(1).start();
        assertThat(warm.epochsCompleted()).isZero();
        assertThat(warm.optimizer()).isEqualTo(TrainingCheckpoint.AdamMoments.NONE);
        List<float[]> delivered = calls.get(0).delivered().parameters();
        assertThat(warm.parameters()).hasSameSizeAs(delivered).hasSameSizeAs(calls.get(0).lastParameters());
        boolean differsFromTraining = false;
        for (int i = 0; i < warm.parameters().size(); i++) {
            assertThat(warm.parameters().get(i)).containsExactly(delivered.get(i));
            differsFromTraining |= !Arrays.equals(warm.parameters().get(i), calls.get(0).lastParameters().get(i));
        }
        assertThat(differsFromTraining).as("the fine-tuning moved the weights").isTrue();
        Map<String, String> before = digests(job.id());
        assertThat(before).containsKeys("points-0-result.json", "points-1-result.json")
                .doesNotContainKeys("points-2-result.json", "result.json", "pareto.json");
        assertThat(checkpoints.get(SweepRunner.checkpointKey(job.id(), 2))).as("the point in progress").isPresent();

        shuttingDown.set(false);
        runner.run(store.claimNext("survivor", LEASE).orElseThrow(), () -> false);

        Job done = store.find(job.id()).orElseThrow();
        assertThat(done.state()).as(done.errorMessage()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.attempt()).isEqualTo(2);
        assertThat(calls).extracting(Call::target).as("only the interrupted point runs again")
                .containsExactly(0.5, 0.3, 0.2, 0.2);
        assertThat(calls.get(3).start().epochsCompleted()).as("resumed from its own checkpoint").isEqualTo(1);
        Map<String, String> after = digests(job.id());
        for (String name : before.keySet()) {
            if (name.startsWith("points-0-") || name.startsWith("points-1-")) {
                assertThat(after.get(name)).as(name + " kept from the first attempt").isEqualTo(before.get(name));
            }
        }
        for (int point = 0; point < 3; point++) {
            assertThat(after).containsKeys("points-" + point + "-model.onnx", "points-" + point + "-weights.json",
                    "points-" + point + "-result.json");
        }
        assertThat(after).containsKeys("model.onnx", "weights.json", "result.json", "pareto.json", "pareto.csv",
                "pareto.svg");
        for (int point = 0; point < 3; point++) {
            assertThat(checkpoints.get(SweepRunner.checkpointKey(job.id(), point))).as("deleted at the end").isEmpty();
        }
        String paretoCsv = new String(artifacts.read(job.id(), "pareto.csv").orElseThrow());
        assertThat(paretoCsv.lines()).hasSize(4);
    }

    @Test
    void thePointsShareTheJobsMaxRuntime() throws Exception {
        Job job = jobs.submit(definition("""
                "training": {"epochs": 1, "batchSize": 50, "learningRate": 0.01, "ema": 0, "seed": 3,
                 "device": "cpu", "maxRuntime": "PT3S"},
                 "sweep": {"metric": "flops", "targets": [0.5, 0.3]}"""), null, Caller.LOCAL).job();
        L0Trainer real = new L0Trainer();
        List<Duration> budgets = new CopyOnWriteArrayList<>();
        when(training.train(any(), any(), any(), any(), any(), any())).thenAnswer(invocation -> {
            TrainingOptions config = invocation.getArgument(1);
            budgets.add(config.maxRuntime());
            // the first point spends the whole attempt's budget before training (briefly) for real
            clock.advance(Duration.ofMillis(3100));
            return real.train(invocation.getArgument(0), config, invocation.getArgument(2),
                    invocation.getArgument(3), invocation.getArgument(4));
        });

        runner.run(store.claimNext("survivor", LEASE).orElseThrow(), () -> false);

        Job failed = store.find(job.id()).orElseThrow();
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.errorCode()).isEqualTo("max_runtime_exceeded");
        assertThat(failed.errorMessage()).contains("before point 1 of 2");
        assertThat(budgets).singleElement().satisfies(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(3)));
        assertThat(artifacts.list(job.id())).as("a failed job serves nothing").isEmpty();
    }

    private Map<String, String> digests(String id) throws Exception {
        return artifacts.list(id).stream().collect(Collectors.toMap(ArtifactInfo::name, ArtifactInfo::sha256));
    }

    private Job submit() {
        return jobs.submit(definition("""
                "training": {"epochs": 3, "batchSize": 50, "learningRate": 0.01, "ema": 0, "seed": 3,
                 "device": "cpu", "maxRuntime": "PT5M"},
                 "sweep": {"metric": "parameters", "targets": [0.2, 0.5, 0.3]}"""), null, Caller.LOCAL).job();
    }

    /** A 784-16-10 MLP on builtin:mnist with the given training and sweep members. */
    private static JobDefinition definition(String members) {
        return JobDefinitionJson.parse(JobJson.MAPPER.readTree("""
                {"model": {"inputShape": [784], "layers": [{"type": "dense", "units": 16}, {"type": "relu"},
                 {"type": "dense", "units": 10}]}, "dataset": {"uri": "builtin:mnist"}, %s}""".formatted(members)),
                new JobLimits(null, null, null, null, null, null, null, null));
    }
}

package io.l0sparsify.worker;

import io.l0sparsify.security.Caller;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.l0sparsify.SettableClock;
import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobService;
import io.l0sparsify.job.JobState;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingAbortedException;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingControl;
import io.l0sparsify.l0.TrainingProgress;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * The worker loop around the trainer: whatever a run does (diverge, overrun, throw, get cancelled), the job
 * ends in the right state with a code and message, and the worker goes on to the next job. The trainer is
 * scripted here; the real one runs in the end-to-end tests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "spring.datasource.url=jdbc:h2:mem:worker;DB_CLOSE_DELAY=-1", "l0.worker.poll-interval=PT0.2S",
        "l0.worker.control-poll-interval=PT0.05S", "l0.datasets.max-train-examples=100",
        "l0.datasets.max-test-examples=50", "l0.queue.lease-duration=PT0.3S"})
@Import(SettableClock.InContext.class)
class JobWorkerTest {

    private static final Path DATASETS = TestDatasets.withMnist();
    private static final Duration LEASE = Duration.ofMillis(300);

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.storage.dir", () -> DATASETS.getParent().resolve("artifacts").toString());
    }

    @MockitoBean
    Training training;

    @Autowired
    JobService jobs;

    @Autowired
    JobStore store;

    @Autowired
    SettableClock clock;

    private Job submit() {
        return submit("cpu");
    }

    private Job submit(String device) {
        return TestJobs.submit(jobs, "{\"epochs\": 3, \"device\": \"" + device + "\", \"maxRuntime\": \"PT1M\"}");
    }

    private Job awaitJob(String id, Predicate<Job> condition) {
        return TestJobs.await(store, id, condition, Duration.ofSeconds(30));
    }

    /**
     * A scripted run's steps: it asks {@code listener} before each one, every 10 ms on the run's own thread as the
     * real trainer does, until the answer meets {@code expected}, which it returns.
     */
    private static TrainingControl untilTheRunIsTold(RunListener listener, Predicate<TrainingControl> expected,
            Duration timeout) {
        return await("the run to be told to stop").atMost(timeout).pollInSameThread()
                .pollInterval(Duration.ofMillis(10)).until(listener::control, expected);
    }

    private static TrainingProgress progress(int epoch) {
        return new TrainingProgress(epoch, 3, epoch * 2L, 2, true, 0.7, 0.01, 0.2, 5000, 90000, List.of(700, 8), 1.0,
                400.0, -1);
    }

    @Test
    void jobOnAGpuThisWorkerDoesNotHaveEndsFailedWithDeviceUnavailable() throws Exception {
        Job job = awaitJob(submit("gpu:99").id(), j -> j.state().isFinal());
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.errorCode()).isEqualTo("device_unavailable");
        assertThat(job.errorMessage()).contains("gpu:99");
        verifyNoInteractions(training);
    }

    @Test
    void aJobWhoseUploadedModelIsNoLongerStoredEndsFailedWithModelUnavailable() throws Exception {
        // accepted while the model was there; this worker's model store has never held it
        String uri = "model:3f6c1b2e-8d4a-4c7e-9b1f-2a5d6e7f8091";
        Job job = awaitJob(TestJobs.submitFineTuning(jobs, uri).id(), j -> j.state().isFinal());
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.errorCode()).isEqualTo("model_unavailable");
        assertThat(job.errorMessage()).isEqualTo(uri + " is no longer stored");
        assertThat(job.attempt()).isEqualTo(1);
        verifyNoInteractions(training);
    }

    @Test
    void divergedRunEndsFailedWithCodeDiverged() throws Exception {
        when(training.train(any(), any(), any(), any(), any(), any())).thenThrow(new TrainingAbortedException(
                TrainingAbortedException.Reason.DIVERGED, "the loss became NaN at step 4; lower the learning rate"));
        Job job = awaitJob(submit().id(), j -> j.state().isFinal());
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.errorCode()).isEqualTo("diverged");
        assertThat(job.errorMessage()).contains("NaN at step 4");
        assertThat(job.attempt()).isEqualTo(1);
    }

    @Test
    void runOverItsTimeBudgetEndsFailedWithMaxRuntimeExceeded() throws Exception {
        when(training.train(any(), any(), any(), any(), any(), any())).thenAnswer(invocation -> {
            assertThat(invocation.<TrainingOptions>getArgument(1).maxRuntime())
                    .isEqualTo(Duration.ofMinutes(1));
            throw new TrainingAbortedException(TrainingAbortedException.Reason.MAX_RUNTIME_EXCEEDED,
                    "training ran past its budget of PT1M");
        });
        Job job = awaitJob(submit().id(), j -> j.state().isFinal());
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.errorCode()).isEqualTo("max_runtime_exceeded");
    }

    @Test
    void unexpectedErrorEndsFailedAndTheWorkerTakesTheNextJob() throws Exception {
        when(training.train(any(), any(), any(), any(), any(), any()))
                .thenThrow(new IllegalStateException("native allocation failed"))
                .thenThrow(new OutOfMemoryError("Java heap space"));
        Job first = awaitJob(submit().id(), j -> j.state().isFinal());
        assertThat(first.state()).isEqualTo(JobState.FAILED);
        assertThat(first.errorCode()).isEqualTo("training_failed");
        assertThat(first.errorMessage()).isEqualTo("training failed: native allocation failed");
        Job second = awaitJob(submit().id(), j -> j.state().isFinal());
        assertThat(second.state()).isEqualTo(JobState.FAILED);
        assertThat(second.errorCode()).isEqualTo("internal_error");
        assertThat(second.errorMessage()).doesNotContain("OutOfMemoryError").contains("Java heap space");
    }

    @Autowired
    JdbcClient jdbc;

    @Test
    void theLeaseIsRenewedWhileARunWritesNoProgress() throws Exception {
        List<Instant> leases = new CopyOnWriteArrayList<>();
        CompletableFuture<String> id = new CompletableFuture<>();
        when(training.train(any(), any(), any(), any(), any(), any())).thenAnswer(invocation -> {
            String jobId = id.get(10, TimeUnit.SECONDS);
            // Four lease lengths pass without a progress write, as in a long epoch or a slow export; after each,
            // the heartbeat has renewed the lease beyond the new time.
            for (int i = 0; i < 4; i++) {
                clock.advance(LEASE);
                Instant now = clock.instant();
                leases.add(await("the heartbeat to renew the lease beyond " + now).atMost(Duration.ofSeconds(10))
                        .until(() -> store.find(jobId).orElseThrow().leaseExpiresAt(), lease -> lease.isAfter(now)));
            }
            throw new TrainingAbortedException(TrainingAbortedException.Reason.DIVERGED, "scripted end");
        });
        id.complete(submit().id());
        Job job = awaitJob(id.get(), j -> j.state().isFinal());
        assertThat(job.errorMessage()).as("still ours when the run ended").isEqualTo("scripted end");
        assertThat(leases).hasSize(4);
        assertThat(leases.get(3)).as("renewed by the heartbeat").isAfter(leases.get(0).plus(LEASE.multipliedBy(2)));
    }

    @Test
    void aRunWhoseJobWasTakenOverStopsAndRecordsNothing() throws Exception {
        List<TrainingControl> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<String> id = new CompletableFuture<>();
        when(training.train(any(), any(), any(), any(), any(), any())).thenAnswer(invocation -> {
            RunListener listener = invocation.getArgument(3);
            // Another worker re-claims the job (as after this worker's lease ran out during a pause).
            jdbc.sql("update job set worker_id = 'other-worker', lease_expires_at = ? where id = ?")
                    .params(Timestamp.from(Instant.now().plusSeconds(600)), id.get(10, TimeUnit.SECONDS)).update();
            seen.add(untilTheRunIsTold(listener, control -> control != TrainingControl.CONTINUE, Duration.ofSeconds(3)));
            throw new TrainingAbortedException(TrainingAbortedException.Reason.CANCELLED, "stopped");
        });
        id.complete(submit().id());
        awaitJob(id.get(), j -> !seen.isEmpty());
        // Nothing lands afterwards: the job stays with its new holder.
        Job job = await("the job to stay with its new holder").during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(5)).until(() -> store.find(id.get()).orElseThrow(),
                        j -> j.state() == JobState.RUNNING && "other-worker".equals(j.workerId()));
        assertThat(seen).containsExactly(TrainingControl.CANCEL);
        assertThat(job.state()).as("left to its new holder, neither finished nor re-queued")
                .isEqualTo(JobState.RUNNING);
        assertThat(job.workerId()).isEqualTo("other-worker");
        assertThat(job.error()).isEmpty();
        jdbc.sql("update job set state = 'CANCELLED' where id = ?").param(id.get()).update();
    }

    @Test
    void progressIsStoredAndCancelReachesTheRunAtItsNextStep() throws Exception {
        when(training.train(any(), any(), any(), any(), any(), any())).thenAnswer(invocation -> {
            RunListener listener = invocation.getArgument(3);
            listener.onProgress(progress(1));
            untilTheRunIsTold(listener, control -> control == TrainingControl.CANCEL, Duration.ofSeconds(30));
            throw new TrainingAbortedException(TrainingAbortedException.Reason.CANCELLED, "cancelled");
        });
        String id = submit().id();
        Job running = awaitJob(id, j -> j.progress().isPresent());
        assertThat(running.state()).isEqualTo(JobState.RUNNING);
        assertThat(running.progress().orElseThrow().keptUnits()).containsExactly(700, 8);
        assertThat(running.progress().orElseThrow().testError()).isEqualTo(0.2);
        assertThat(running.leaseExpiresAt()).isAfter(Instant.now());

        jobs.cancel(id, Caller.LOCAL);
        Job cancelled = awaitJob(id, j -> j.state().isFinal());
        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    }
}

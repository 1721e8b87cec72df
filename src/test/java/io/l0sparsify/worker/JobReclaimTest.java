package io.l0sparsify.worker;

import io.l0sparsify.security.Caller;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.l0sparsify.SettableClock;
import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobAttempt;
import io.l0sparsify.job.JobService;
import io.l0sparsify.job.JobState;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingAbortedException;
import io.l0sparsify.l0.TrainingCheckpoint;
import io.l0sparsify.l0.TrainingControl;
import io.l0sparsify.storage.CheckpointStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * A job whose worker died (its lease ran out) as the next worker runs it: resumed from the checkpoint the dead
 * worker stored, cancelled if the user asked while nobody was running it, failed once it has used up its
 * attempts. The dead workers are played by claims whose lease the test clock then runs past; the worker loop is
 * off and the runner is called directly, as the loop would, which also lets a test play this worker's shutdown.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "spring.datasource.url=jdbc:h2:mem:reclaim;DB_CLOSE_DELAY=-1", "l0.worker.enabled=false",
        "l0.worker.id=survivor", "l0.worker.max-attempts=3", "l0.datasets.max-train-examples=100",
        "l0.datasets.max-test-examples=50"})
@Import(SettableClock.InContext.class)
class JobReclaimTest {

    private static final Path DATASETS = TestDatasets.withMnist();
    private static final Duration LEASE = Duration.ofSeconds(30);

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.storage.dir", () -> DATASETS.getParent().resolve("artifacts-reclaim").toString());
    }

    @MockitoBean
    Training training;

    @Autowired
    JobService jobs;

    @Autowired
    JobStore store;

    @Autowired
    JobRunner runner;

    @Autowired
    CheckpointStore checkpoints;

    @Autowired
    SettableClock clock;

    private Job submit() {
        return TestJobs.submit(jobs, "{\"epochs\": 3, \"device\": \"cpu\", \"maxRuntime\": \"PT1M\"}");
    }

    /** A worker claims the job and dies: nothing renews its lease, which runs out. */
    private void claimAndDie(Job job, String worker) {
        assertThat(store.claimNext(worker, LEASE)).map(Job::id).contains(job.id());
        clock.advance(LEASE.plusMillis(1));
    }

    @Test
    void aJobWhoseWorkerDiedResumesOnTheNextWorkerFromItsCheckpoint() throws Exception {
        Job job = submit();
        claimAndDie(job, "dead-1");
        checkpoints.put(job.id(), new TrainingCheckpoint(2, 40, List.of(new float[] {7f}),
                TrainingCheckpoint.Average.NONE, TrainingCheckpoint.AdamMoments.NONE,
                TrainingCheckpoint.History.NONE).encode());
        List<TrainingCheckpoint> resumedFrom = new CopyOnWriteArrayList<>();
        when(training.train(any(), any(), any(), any(), any(), any())).thenAnswer(invocation -> {
            resumedFrom.add(invocation.getArgument(4));
            throw new TrainingAbortedException(TrainingAbortedException.Reason.DIVERGED, "scripted end");
        });

        Job reclaimed = store.claimNext("survivor", LEASE).orElseThrow();
        runner.run(reclaimed, () -> false);

        assertThat(resumedFrom).singleElement().satisfies(c -> {
            assertThat(c.epochsCompleted()).isEqualTo(2);
            assertThat(c.step()).isEqualTo(40);
            assertThat(c.parameters()).singleElement().satisfies(p -> assertThat(p).containsExactly(7f));
        });
        Job done = store.find(job.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(JobState.FAILED);
        assertThat(done.errorMessage()).isEqualTo("scripted end");
        assertThat(store.attempts(done))
                .extracting(JobAttempt::attempt, JobAttempt::workerId, JobAttempt::resumedAfterEpoch)
                .containsExactly(tuple(1, "dead-1", null), tuple(2, "survivor", 2));
    }

    @Test
    void aJobThatKeepsKillingItsWorkersEndsFailedNamingThem() throws Exception {
        Job job = submit();
        claimAndDie(job, "dead-1");
        claimAndDie(job, "dead-2");
        claimAndDie(job, "dead-3");

        Job fourth = store.claimNext("survivor", LEASE).orElseThrow();
        assertThat(fourth.attempt()).isEqualTo(4);
        runner.run(fourth, () -> false);

        Job failed = store.find(job.id()).orElseThrow();
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.errorCode()).isEqualTo("max_attempts_exceeded");
        assertThat(failed.errorMessage()).contains("started 3 times", "at most 3",
                "dead-1 (attempt 1), dead-2 (attempt 2), dead-3 (attempt 3)");
        verifyNoInteractions(training);
    }

    @Test
    void aJobCancelledWhileItsWorkerWasDeadEndsCancelledWithoutTraining() throws Exception {
        Job job = submit();
        claimAndDie(job, "dead-1");
        jobs.cancel(job.id(), Caller.LOCAL);

        runner.run(store.claimNext("survivor", LEASE).orElseThrow(), () -> false);

        assertThat(store.find(job.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        verifyNoInteractions(training);
    }

    /** A scripted trainer that asks before each "step", as the real one does, and obeys a CANCEL. */
    private static Object runUntilAbandoned(RunListener listener) {
        await("the run is told to stop").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .pollInSameThread().until(() -> listener.control() == TrainingControl.CANCEL);
        throw new TrainingAbortedException(TrainingAbortedException.Reason.CANCELLED, "stopped");
    }

    @Test
    void aRunInterruptedByThisWorkersShutdownGoesBackToTheQueueAndResumesFromItsCheckpoint() throws Exception {
        Job job = submit();
        List<TrainingCheckpoint> resumedFrom = new CopyOnWriteArrayList<>();
        when(training.train(any(), any(), any(), any(), any(), any())).thenAnswer(invocation -> {
            RunListener listener = invocation.getArgument(3);
            listener.onCheckpoint(new TrainingCheckpoint(1, 2, List.of(new float[] {4f, 2f}),
                    TrainingCheckpoint.Average.NONE, TrainingCheckpoint.AdamMoments.NONE,
                    TrainingCheckpoint.History.NONE));
            return runUntilAbandoned(listener);
        }).thenAnswer(invocation -> {
            resumedFrom.add(invocation.getArgument(4));
            throw new TrainingAbortedException(TrainingAbortedException.Reason.DIVERGED, "diverged after resuming");
        });

        runner.run(store.claimNext("survivor", LEASE).orElseThrow(), () -> true);

        Job requeued = store.find(job.id()).orElseThrow();
        assertThat(requeued.state()).isEqualTo(JobState.QUEUED);
        assertThat(requeued.error()).isEmpty();
        assertThat(checkpoints.get(job.id())).as("kept for the next attempt").isPresent();

        runner.run(store.claimNext("survivor", LEASE).orElseThrow(), () -> false);

        Job done = store.find(job.id()).orElseThrow();
        assertThat(done.attempt()).isEqualTo(2);
        assertThat(done.state()).isEqualTo(JobState.FAILED);
        assertThat(done.errorMessage()).isEqualTo("diverged after resuming");
        assertThat(resumedFrom).singleElement().satisfies(c -> {
            assertThat(c.epochsCompleted()).isEqualTo(1);
            assertThat(c.step()).isEqualTo(2);
            assertThat(c.parameters()).singleElement().satisfies(p -> assertThat(p).containsExactly(4f, 2f));
        });
        assertThat(checkpoints.get(job.id())).as("deleted once the job is final").isEmpty();
    }

    @Test
    void aJobCancelledAsThisWorkerShutsDownEndsCancelledRatherThanQueued() throws Exception {
        Job job = submit();
        Job claimed = store.claimNext("survivor", LEASE).orElseThrow();
        jobs.cancel(job.id(), Caller.LOCAL);
        when(training.train(any(), any(), any(), any(), any(), any()))
                .thenAnswer(invocation -> runUntilAbandoned(invocation.getArgument(3)));

        runner.run(claimed, () -> true);

        assertThat(store.find(job.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void aTrainerThatAbandonsARunNobodyAskedToStopEndsItFailedAsAnInternalError() throws Exception {
        Job job = submit();
        when(training.train(any(), any(), any(), any(), any(), any()))
                .thenThrow(new TrainingAbortedException(TrainingAbortedException.Reason.CANCELLED, "stopped"));

        runner.run(store.claimNext("survivor", LEASE).orElseThrow(), () -> false);

        Job failed = store.find(job.id()).orElseThrow();
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.errorCode()).isEqualTo("internal_error");
        assertThat(failed.errorMessage()).contains("never asked");
    }
}

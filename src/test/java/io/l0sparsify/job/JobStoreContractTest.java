package io.l0sparsify.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.dataset.DatasetRef;
import io.l0sparsify.SettableClock;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.spec.Presets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DuplicateKeyException;

/**
 * What the job table must guarantee on every supported database: subclasses bind it to H2 and PostgreSQL.
 * The migrations run for real (Flyway) and every statement is the one production uses. Leases run out on a
 * {@link SettableClock}, not by waiting.
 */
@Import(SettableClock.InContext.class)
abstract class JobStoreContractTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    @Autowired
    JobStore store;

    @Autowired
    JobRepository repository;

    @Autowired
    SettableClock clock;

    @BeforeEach
    void emptyTable() {
        repository.deleteAll();
    }

    static JobDefinition definition(String name) {
        TrainingOptions training = TrainingOptions.builder().optEpochs(3).optLambdas(List.of(0.1, 0.05, 0.1))
                .optSeed(42).optDevice("cpu").optMaxRuntime(Duration.ofMinutes(5)).build();
        return new JobDefinition(name, "mlp", Presets.MLP, DatasetRef.of("builtin:mnist"), training);
    }

    @Test
    void insertedJobIsQueuedAndReadsBackTheSameDefinition() {
        Job job = store.insert(definition("first"), null, "alice");
        Job read = store.find(job.id()).orElseThrow();
        assertThat(read.state()).isEqualTo(JobState.QUEUED);
        assertThat(read.attempt()).isZero();
        assertThat(read.definition()).isEqualTo(definition("first"));
        assertThat(read.createdAt()).as("timestamps read back exactly as written").isEqualTo(job.createdAt());
        assertThat(read.maxRuntime()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aFineTuningRecordsItsUploadedModelUntilItFinishes() {
        String model = "7c1e2d9a-4b5f-4e8a-9c3d-1f2e3a4b5c6d";
        JobDefinition fineTuning = new JobDefinition("fine", null, Presets.MLP, DatasetRef.of("builtin:mnist"),
                definition("fine").training(), null, new UploadedModelRef("model:" + model, null));
        Job queued = store.insert(fineTuning, null, "alice");
        Job other = store.insert(definition("scratch"), null, "alice");
        assertThat(store.find(queued.id()).orElseThrow().definition()).isEqualTo(fineTuning);
        assertThat(store.unfinishedJobsUsingModel(model)).containsExactly(queued.id());
        assertThat(store.unfinishedJobsUsingModel(model.substring(0, 8))).isEmpty();
        assertThat(store.cancelQueued(queued.id())).isTrue();
        assertThat(store.unfinishedJobsUsingModel(model)).isEmpty();
        assertThat(other.id()).isNotEqualTo(queued.id());
    }

    @Test
    void unknownIdReadsAsEmpty() {
        assertThat(store.find("no-such-job")).isEmpty();
    }

    @Test
    void claimTakesTheOldestQueuedJobAndCountsTheAttempt() {
        Job older = store.insert(definition("older"), null, "alice");
        store.insert(definition("newer"), null, "alice");
        Job claimed = store.claimNext("w1", LEASE).orElseThrow();
        assertThat(claimed.id()).isEqualTo(older.id());
        assertThat(claimed.state()).isEqualTo(JobState.RUNNING);
        assertThat(claimed.workerId()).isEqualTo("w1");
        assertThat(claimed.attempt()).isEqualTo(1);
        assertThat(claimed.startedAt()).isNotNull();
        assertThat(claimed.leaseExpiresAt()).isAfter(claimed.startedAt());
    }

    @Test
    void claimOnAnEmptyQueueFindsNothing() {
        assertThat(store.claimNext("w1", LEASE)).isEmpty();
    }

    @Test
    void concurrentClaimsNeverHandOutAJobTwice() throws Exception {
        for (int i = 0; i < 20; i++) {
            store.insert(definition("job" + i), null, "alice");
        }
        List<String> claims = claimUntilEmpty(4);
        Set<String> claimed = new java.util.HashSet<>(claims);
        assertThat(claims).doesNotHaveDuplicates();
        assertThat(claimed).hasSize(20);
        assertThat(store.count(JobState.RUNNING)).isEqualTo(20);
    }

    @Test
    void concurrentClaimersTakeQueuedAndExpiredJobsEachExactlyOnce() throws Exception {
        for (int i = 0; i < 10; i++) {
            store.insert(definition("expired" + i), null, "alice");
        }
        for (int i = 0; i < 10; i++) {
            // Claimed by a worker that dies at once: its lease has run out by the time the others look.
            assertThat(store.claimNext("dead-worker", Duration.ofSeconds(1))).isPresent();
        }
        for (int i = 0; i < 20; i++) {
            store.insert(definition("queued" + i), null, "alice");
        }
        clock.advance(Duration.ofMillis(1100));
        List<String> claims = claimUntilEmpty(8);
        Set<String> claimed = new java.util.HashSet<>(claims);
        assertThat(claims).doesNotHaveDuplicates();
        assertThat(claimed).hasSize(30);
        for (String id : claimed) {
            Job job = store.find(id).orElseThrow();
            assertThat(job.workerId()).startsWith("w");
            List<JobAttempt> history = store.attempts(job);
            assertThat(history).extracting(JobAttempt::attempt).as("one row per claim")
                    .containsExactlyElementsOf(job.name().startsWith("expired") ? List.of(1, 2) : List.of(1));
            assertThat(history.get(history.size() - 1).workerId()).isEqualTo(job.workerId());
        }
    }

    @Test
    void anExpiredLeaseIsReclaimedByAnotherWorkerWithTheAttemptCounted() {
        Job job = store.insert(definition("expiring"), null, "alice");
        store.claimNext("w1", LEASE);
        store.recordStart(job, 1, 0, "cpu");
        assertThat(store.countClaimable()).as("held while its lease runs").isZero();
        clock.advance(LEASE.plusMillis(1));
        // a job whose worker died waits for a worker again: the queue depth counts it
        assertThat(store.countClaimable()).isEqualTo(1);
        Job reclaimed = store.claimNext("w2", LEASE).orElseThrow();
        assertThat(store.countClaimable()).isZero();
        assertThat(reclaimed.id()).isEqualTo(job.id());
        assertThat(reclaimed.state()).isEqualTo(JobState.RUNNING);
        assertThat(reclaimed.workerId()).isEqualTo("w2");
        assertThat(reclaimed.attempt()).isEqualTo(2);
        store.recordStart(reclaimed, 2, 3, "gpu:0,1");
        assertThat(store.attempts(reclaimed))
                .extracting(JobAttempt::attempt, JobAttempt::workerId, JobAttempt::resumedAfterEpoch,
                        JobAttempt::device)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "w1", 0, "cpu"),
                        org.assertj.core.groups.Tuple.tuple(2, "w2", 3, "gpu:0,1"));
        // The first worker's writes no longer land: its claim is gone.
        assertThat(store.renewLease(job.id(), "w1", LEASE)).isFalse();
        assertThatThrownBy(() -> store.markSucceeded(job.id(), "w1", false, 3))
                .isInstanceOf(IllegalTransitionException.class);
        assertThat(store.renewLease(job.id(), "w2", LEASE)).isTrue();
    }

    @Test
    void aLiveLeaseIsNotReclaimed() {
        Job job = store.insert(definition("live"), null, "alice");
        store.claimNext("w1", LEASE);
        assertThat(store.claimNext("w2", LEASE)).isEmpty();
        assertThat(store.find(job.id()).orElseThrow().workerId()).isEqualTo("w1");
        assertThat(store.attempts(job)).singleElement().satisfies(a -> {
            assertThat(a.workerId()).isEqualTo("w1");
            assertThat(a.resumedAfterEpoch()).as("unknown until the worker has read the checkpoint").isNull();
        });
    }

    @Test
    void aRenewedLeaseKeepsTheJob() {
        Job job = store.insert(definition("renewed"), null, "alice");
        store.claimNext("w1", Duration.ofMillis(300));
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMillis(100));
            assertThat(store.renewLease(job.id(), "w1", Duration.ofMillis(300))).isTrue();
        }
        assertThat(store.claimNext("w2", LEASE)).as("500 ms after a 300 ms claim, renewed").isEmpty();
        clock.advance(Duration.ofMillis(301));
        assertThat(store.claimNext("w2", LEASE)).as("no longer renewed, its lease runs out").map(Job::id)
                .contains(job.id());
    }

    @Test
    void progressIsStoredOnlyForTheWorkerHoldingTheJob() {
        Job job = store.insert(definition("p"), null, "alice");
        store.claimNext("w1", LEASE);
        JobProgress progress = new JobProgress(1, 3, 6, 0.33, 0.5, 0.12, 1234.5, List.of(700, 250, 90), 950.0, 2.5,
                5.0);
        assertThat(store.recordProgress(job.id(), "w2", progress, LEASE)).isFalse();
        assertThat(store.find(job.id()).orElseThrow().progress()).isEmpty();
        assertThat(store.recordProgress(job.id(), "w1", progress, LEASE)).isTrue();
        assertThat(store.find(job.id()).orElseThrow().progress()).contains(progress);
    }

    @Test
    void succeededJobRecordsHowItEnded() {
        Job job = store.insert(definition("s"), null, "alice");
        store.claimNext("w1", LEASE);
        assertThat(store.markSucceeded(job.id(), "w1", true, 2)).isTrue();
        Job done = store.find(job.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.stoppedEarly()).isTrue();
        assertThat(done.epochsCompleted()).isEqualTo(2);
        assertThat(done.finishedAt()).isNotNull();
    }

    @Test
    void aResultIsNotRecordedOverAPendingCancelAndACancelIsNotStoredOverARecordedResult() {
        Job cancelled = store.insert(definition("c"), null, "alice");
        store.claimNext("w1", LEASE);
        store.requestControl(cancelled.id(), "STOP_EARLY");
        assertThat(store.requestControl(cancelled.id(), "CANCEL")).isTrue();
        assertThat(store.markSucceeded(cancelled.id(), "w1", true, 2)).as("the cancel was first").isFalse();
        assertThat(store.find(cancelled.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        store.markCancelled(cancelled.id(), "w1");
        assertThat(store.find(cancelled.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);

        Job succeeded = store.insert(definition("s"), null, "alice");
        store.claimNext("w1", LEASE);
        assertThat(store.markSucceeded(succeeded.id(), "w1", false, 3)).isTrue();
        assertThat(store.requestControl(succeeded.id(), "CANCEL")).as("the result was first").isFalse();
        assertThat(store.find(succeeded.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void failedJobKeepsCodeAndMessage() {
        Job job = store.insert(definition("f"), null, "alice");
        store.claimNext("w1", LEASE);
        store.markFailed(job.id(), "w1", new JobError(JobError.DIVERGED, "loss became NaN at step 12"));
        Job failed = store.find(job.id()).orElseThrow();
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.error()).contains(new JobError("diverged", "loss became NaN at step 12"));
    }

    @Test
    void finishingAJobThisWorkerDoesNotHoldIsAnIllegalTransition() {
        Job job = store.insert(definition("x"), null, "alice");
        store.claimNext("w1", LEASE);
        store.markSucceeded(job.id(), "w1", false, 3);
        assertThatThrownBy(() -> store.markFailed(job.id(), "w1", new JobError("internal_error", "late")))
                .isInstanceOfSatisfying(IllegalTransitionException.class, e -> {
                    assertThat(e.from()).isEqualTo(JobState.SUCCEEDED);
                    assertThat(e.to()).isEqualTo(JobState.FAILED);
                });
        assertThat(store.find(job.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void onlyAQueuedJobIsCancelledAtOnce() {
        Job queued = store.insert(definition("q"), null, "alice");
        assertThat(store.cancelQueued(queued.id())).isTrue();
        assertThat(store.find(queued.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(store.cancelQueued(queued.id())).isFalse();
        Job running = store.insert(definition("r"), null, "alice");
        store.claimNext("w1", LEASE);
        assertThat(store.cancelQueued(running.id())).isFalse();
        assertThat(store.requestControl(running.id(), "CANCEL")).isTrue();
        assertThat(store.controlOf(running.id(), "w1")).contains("CANCEL");
    }

    @Test
    void aCancelRequestIsNotDowngradedToAStop() {
        Job job = store.insert(definition("c"), null, "alice");
        store.claimNext("w1", LEASE);
        assertThat(store.requestControl(job.id(), "CANCEL")).isTrue();
        assertThat(store.requestControl(job.id(), "STOP_EARLY")).isFalse();
        assertThat(store.find(job.id()).orElseThrow().control()).isEqualTo("CANCEL");
    }

    @Test
    void recoveryRequeuesOnlyThisWorkersRunningJobs() {
        Job mine = store.insert(definition("mine"), null, "alice");
        Job cancelled = store.insert(definition("mine-cancelled"), null, "alice");
        Job theirs = store.insert(definition("theirs"), null, "alice");
        store.claimNext("me", LEASE);
        store.claimNext("me", LEASE);
        store.claimNext("other", LEASE);
        store.requestControl(cancelled.id(), "CANCEL");
        assertThat(store.recover("me")).isEqualTo(1);
        assertThat(store.find(mine.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(store.find(mine.id()).orElseThrow().workerId()).isNull();
        assertThat(store.find(cancelled.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(store.find(theirs.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        Job again = store.claimNext("me", LEASE).orElseThrow();
        assertThat(again.id()).isEqualTo(mine.id());
        assertThat(again.attempt()).isEqualTo(2);
    }

    @Test
    void releasedJobGoesBackToTheQueue() {
        Job job = store.insert(definition("r"), null, "alice");
        store.claimNext("w1", LEASE);
        store.release(job.id(), "w1");
        assertThat(store.find(job.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void pagesAreNewestFirstAndFilterByState() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(store.insert(definition("j" + i), null, "alice").id());
        }
        store.cancelQueued(ids.get(1));
        List<Job> first = store.page(null, Long.MAX_VALUE, 2);
        assertThat(first).extracting(Job::id).containsExactly(ids.get(4), ids.get(3));
        List<Job> second = store.page(null, first.get(1).seq(), 2);
        assertThat(second).extracting(Job::id).containsExactly(ids.get(2), ids.get(1));
        assertThat(store.page(JobState.CANCELLED, Long.MAX_VALUE, 10)).extracting(Job::id).containsExactly(ids.get(1));
        assertThat(store.countByState().get(JobState.QUEUED)).isEqualTo(4);
    }

    @Test
    void anIdempotencyKeyBelongsToOneJob() {
        Job job = store.insert(definition("k"), "key-1", "alice");
        assertThat(store.findByIdempotencyKey("alice", "key-1")).map(Job::id).contains(job.id());
        assertThatThrownBy(() -> store.insert(definition("k2"), "key-1", "alice")).isInstanceOf(DuplicateKeyException.class);
        // another principal's equal key is another request: it neither replays nor reveals alice's job
        assertThat(store.findByIdempotencyKey("bob", "key-1")).isEmpty();
        Job bobs = store.insert(definition("k3"), "key-1", "bob");
        assertThat(store.findByIdempotencyKey("bob", "key-1")).map(Job::id).contains(bobs.id());
    }

    /** {@code workers} threads claim until each finds nothing three times; every claimed id, in claim order. */
    private List<String> claimUntilEmpty(int workers) throws Exception {
        List<String> claims = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                String worker = "w" + w;
                running.add(pool.submit(() -> {
                    int idle = 0;
                    while (idle < 3) {
                        Optional<Job> job = store.claimNext(worker, LEASE);
                        if (job.isEmpty()) {
                            idle++;
                        } else {
                            claims.add(job.get().id());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : running) {
                worker.get();
            }
        } finally {
            pool.shutdown();
        }
        return claims;
    }
}

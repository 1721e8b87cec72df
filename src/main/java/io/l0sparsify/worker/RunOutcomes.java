package io.l0sparsify.worker;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobControls;
import io.l0sparsify.job.JobError;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.storage.ArtifactStore;
import java.io.IOException;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Records what became of a run: the job's state in the store, its checkpoint's deletion once the job is final, the
 * removal of whatever a run that did not succeed had published (a FAILED or CANCELLED job serves no artifacts),
 * the worker's metrics and the log line that ends it. Every write is conditional on this worker's id
 * ({@link JobStore}), so a worker that lost its claim cannot overwrite its successor's.
 */
@ConditionalOnRole({Role.ALL, Role.WORKER})
@Component
class RunOutcomes {

    private static final Logger log = LoggerFactory.getLogger(RunOutcomes.class);

    private final JobStore store;
    private final JobControls controls;
    private final JobCheckpoints checkpoints;
    private final ArtifactStore artifacts;
    private final WorkerMetrics metrics;
    private final WorkerProperties properties;

    RunOutcomes(JobStore store, JobControls controls, JobCheckpoints checkpoints, ArtifactStore artifacts,
            WorkerMetrics metrics, WorkerProperties properties) {
        this.store = store;
        this.controls = controls;
        this.checkpoints = checkpoints;
        this.artifacts = artifacts;
        this.metrics = metrics;
        this.properties = properties;
    }

    /**
     * The outcome of a claimed job that must not train: it has used up its attempts, or it was cancelled while
     * its previous worker held it and that worker died before acting on it. Empty when it may run.
     */
    Optional<RunOutcome> settledAtClaim(Job job) {
        if (job.attempt() > properties.maxAttempts()) {
            return Optional.of(RunOutcome.failed(JobError.MAX_ATTEMPTS_EXCEEDED, tooManyAttempts(job)));
        }
        if (job.cancelRequested()) {
            return Optional.of(new RunOutcome.Cancelled());
        }
        return Optional.empty();
    }

    /** The job trains from now on: it counts as running in this process's metrics. */
    void training(String jobId) {
        metrics.throughput(jobId, 0);
    }

    /** The attempt's start, with the epoch it resumes after and the device it runs on. */
    void started(Job job, RunInputs.Prepared inputs) {
        store.recordStart(job, job.attempt(), inputs.resumedAfterEpoch(), inputs.config().device());
        if (inputs.resumeFrom() != null) {
            log.info("job {}: attempt {} resumes after epoch {}", job.id(), job.attempt(), inputs.resumedAfterEpoch());
        }
    }

    void record(Job job, RunOutcome outcome) {
        String id = job.id();
        String worker = properties.id();
        switch (outcome) {
            case RunOutcome.Succeeded(var result) -> succeeded(id, worker, result.stoppedEarly(),
                    result.epochsCompleted(), result.pruned().architecture());
            case RunOutcome.SweepSucceeded(boolean stoppedEarly, int epochs, String architecture) ->
                    succeeded(id, worker, stoppedEarly, epochs, architecture);
            case RunOutcome.Failed(JobError error) -> {
                // A failed export may have left part of the set (model.onnx without result.json): serve none of it.
                discardArtifacts(id);
                store.markFailed(id, worker, error);
                log.warn("job {}: FAILED {}: {}", id, error.code(), error.message());
            }
            case RunOutcome.Cancelled() -> {
                discardArtifacts(id);
                store.markCancelled(id, worker);
                log.info("job {}: CANCELLED", id);
            }
            case RunOutcome.ShutDown() -> {
                // The lease may have lapsed unnoticed in the last moments; a job taken over is not ours to give back.
                if (store.find(id).map(j -> worker.equals(j.workerId())).orElse(false)) {
                    store.release(id, worker);
                    log.info("job {}: interrupted by this worker's shutdown; back in the queue", id);
                } else {
                    log.warn("job {}: this worker no longer holds it; leaving it to its new holder", id);
                }
                return;
            }
            case RunOutcome.LeaseLost() -> {
                log.warn("job {}: this worker lost its lease; leaving the job to its new holder", id);
                return;
            }
        }
        // Only once the final state is recorded: a job left RUNNING by a failed write still resumes.
        checkpoints.delete(id);
    }

    /** Records a published run SUCCEEDED, unless the user's cancel was accepted first. */
    private void succeeded(String id, String worker, boolean stoppedEarly, int epochsCompleted, String architecture) {
        if (store.markSucceeded(id, worker, stoppedEarly, epochsCompleted)) {
            log.info("job {}: SUCCEEDED{}, architecture {}", id, stoppedEarly ? " (stopped early)" : "", architecture);
        } else {
            // The user's cancel was accepted while the run was exported: it wins, and a cancelled job
            // serves no artifacts. They go first: should this process die in between, recovery still
            // ends the job CANCELLED.
            discardArtifacts(id);
            store.markCancelled(id, worker);
            log.info("job {}: CANCELLED (the cancel arrived after training, before the result was recorded)", id);
        }
    }

    /** The run or its recording threw: the job ends FAILED if this worker can still write it. */
    void recordCrash(String id, Throwable e) {
        log.error("job {}: could not be run or recorded", id, e);
        discardArtifacts(id);
        try {
            store.markFailed(id, properties.id(),
                    new JobError(JobError.INTERNAL_ERROR, "internal error: " + describe(e)));
        } catch (RuntimeException notRecorded) {
            // Left RUNNING under this worker's id: start-up recovery re-queues it.
            log.error("job {}: could not record failure", id, notRecorded);
        }
    }

    /** Removes what a run published; a failure is logged, not thrown: the job's state matters more. */
    void discardArtifacts(String id) {
        try {
            artifacts.deleteAll(id);
        } catch (IOException | RuntimeException e) {
            log.error("job {}: could not remove its artifacts", id, e);
        }
    }

    /** The run is over, however it ended: forget its requests and its metrics. */
    void ended(String id) {
        controls.forget(id);
        metrics.finished(id);
    }

    private String tooManyAttempts(Job job) {
        String earlier = store.attempts(job).stream().filter(a -> a.attempt() < job.attempt())
                .map(a -> a.workerId() + " (attempt " + a.attempt() + ")").collect(Collectors.joining(", "));
        return "the job was started " + (job.attempt() - 1) + " times without finishing (at most "
                + properties.maxAttempts() + " attempts are made); its workers died, lost their lease or shut"
                + " down while running it: " + (earlier.isEmpty() ? "no attempt history" : earlier);
    }

    /** An exception's message, never its class name unless there is no message. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? "unexpected " + e.getClass().getSimpleName() : message;
    }
}

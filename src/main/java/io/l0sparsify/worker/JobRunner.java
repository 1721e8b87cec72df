package io.l0sparsify.worker;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobError;
import io.l0sparsify.l0.TrainingAbortedException;
import io.l0sparsify.l0.TrainingResult;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs one claimed job to its end: read its inputs ({@link RunInputs}), train, publish the artifacts
 * ({@link ArtifactPublisher}), and only then record it SUCCEEDED ({@link RunOutcomes}). Whatever goes wrong ends
 * the job FAILED with a code and a message, CANCELLED when the user asked, back in the queue when this worker
 * shuts down, or unrecorded when another worker has taken it over; nothing is swallowed. The lease is held
 * from the claim to the final write, training and export alike. A sweep job's points, report and main model are
 * {@link SweepRunner}'s to run and publish.
 */
@ConditionalOnRole({Role.ALL, Role.WORKER})
@Component
class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final LeaseHeartbeat heartbeat;
    private final RunInputs inputs;
    private final JobRunListeners listeners;
    private final Training training;
    private final ArtifactPublisher publisher;
    private final RunOutcomes outcomes;
    private final SweepRunner sweeps;
    private final String workerId;

    /** Takes {@link DjlEnvironment} only so that the engine settings are applied before any job runs. */
    JobRunner(LeaseHeartbeat heartbeat, RunInputs inputs, JobRunListeners listeners, Training training,
            ArtifactPublisher publisher, RunOutcomes outcomes, SweepRunner sweeps, WorkerProperties properties,
            DjlEnvironment djlEnvironment) {
        this.heartbeat = heartbeat;
        this.inputs = inputs;
        this.listeners = listeners;
        this.training = training;
        this.publisher = publisher;
        this.outcomes = outcomes;
        this.sweeps = sweeps;
        this.workerId = properties.id();
    }

    /** Runs a job this worker has claimed (state RUNNING under this worker's id); records every end itself. */
    void run(Job job, BooleanSupplier shuttingDown) {
        String id = job.id();
        log.info("job {}: attempt {} started on worker {}", id, job.attempt(), workerId);
        try (LeaseHeartbeat.Lease lease = heartbeat.hold(id, workerId)) {
            RunOutcome outcome = outcomes.settledAtClaim(job).orElseGet(() -> attempt(job, lease, shuttingDown));
            // However the run ended, once the lease is lost the job is another worker's to record.
            outcomes.record(job, lease.lost() ? new RunOutcome.LeaseLost() : outcome);
        } catch (RuntimeException | Error e) {
            outcomes.recordCrash(id, e);
        } finally {
            outcomes.ended(id);
        }
    }

    private RunOutcome attempt(Job job, LeaseHeartbeat.Lease lease, BooleanSupplier shuttingDown) {
        outcomes.training(job.id());
        try (GpuPool.Placement placement = inputs.place(job)) {
            RunInputs.Prepared run = inputs.prepare(job, placement.device());
            outcomes.started(job, run);
            JobRunListener listener = listeners.forRun(job, lease, shuttingDown);
            if (job.definition().sweep() != null) {
                return sweeps.run(job, run, listener, lease);
            }
            TrainingResult result;
            try {
                result = training.train(job.definition().model(), run.config(), run.data(), listener,
                        run.resumeFrom(), run.start());
            } catch (TrainingAbortedException e) {
                return aborted(e, listener);
            } catch (DatasetFormatException e) {
                return RunOutcome.failed(JobError.DATASET_UNAVAILABLE, e.getMessage());
            } catch (RuntimeException e) {
                log.error("job {}: training failed", job.id(), e);
                return RunOutcome.failed(JobError.TRAINING_FAILED, "training failed: " + RunOutcomes.describe(e));
            }
            if (lease.lost()) {
                return new RunOutcome.LeaseLost();
            }
            try {
                publisher.publish(job, run, result, lease);
            } catch (IOException | RuntimeException e) {
                log.error("job {}: export failed", job.id(), e);
                return RunOutcome.failed(JobError.EXPORT_FAILED, "export failed: " + RunOutcomes.describe(e));
            }
            return new RunOutcome.Succeeded(result);
        } catch (JobFailedException e) {
            return new RunOutcome.Failed(e.error());
        }
    }

    /** A run the trainer ended without a result: the trainer's own reasons, or the one our listener recorded. */
    static RunOutcome aborted(TrainingAbortedException e, JobRunListener listener) {
        return switch (e.reason()) {
            case CANCELLED -> RunOutcome.abandoned(listener.abandonReason().orElseThrow(() ->
                    new IllegalStateException("the trainer abandoned the run though the worker never asked it to", e)));
            case MAX_RUNTIME_EXCEEDED -> RunOutcome.failed(JobError.MAX_RUNTIME_EXCEEDED, e.getMessage());
            case DIVERGED -> RunOutcome.failed(JobError.DIVERGED, e.getMessage());
            case NO_BETTER_THAN_CHANCE -> RunOutcome.failed(JobError.NO_BETTER_THAN_CHANCE, e.getMessage());
        };
    }
}

package io.l0sparsify.worker;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.DatasetProperties;
import io.l0sparsify.dataset.DatasetReferenceException;
import io.l0sparsify.dataset.DatasetResolver;
import io.l0sparsify.dataset.IdxReader;
import io.l0sparsify.dataset.TrainTestSplit;
import io.l0sparsify.export.LatencyMeasurement;
import io.l0sparsify.export.OnnxExporter;
import io.l0sparsify.export.OnnxRuntimeRunner;
import io.l0sparsify.export.WeightsJson;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobControls;
import io.l0sparsify.job.JobDefinition;
import io.l0sparsify.job.JobError;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.l0.TrainingAbortedException;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingControl;
import io.l0sparsify.l0.TrainingResult;
import io.l0sparsify.l0.TrainingCheckpoint;
import io.l0sparsify.storage.ArtifactStore;
import io.l0sparsify.storage.CheckpointStore;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs one claimed job to its end: read the data, train, export, store the artifacts, and only then mark the
 * job SUCCEEDED. Whatever goes wrong ends the job FAILED with a code and a message (or CANCELLED, or back in
 * the queue when this process is shutting down); nothing is swallowed.
 */
@ConditionalOnRole({Role.ALL, Role.WORKER})
@Component
class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final JobStore store;
    private final JobControls controls;
    private final DatasetResolver datasets;
    private final DatasetProperties datasetProperties;
    private final ArtifactStore artifacts;
    private final CheckpointStore checkpoints;
    private final Training training;
    private final WorkerProperties properties;
    private final WorkerMetrics metrics;
    private final LeaseHeartbeat heartbeat;
    private final GpuPool gpus;

    /** Takes {@link DjlEnvironment} only so that the engine settings are applied before any job runs. */
    JobRunner(JobStore store, JobControls controls, DatasetResolver datasets, DatasetProperties datasetProperties,
            ArtifactStore artifacts, CheckpointStore checkpoints, Training training, WorkerProperties properties,
            WorkerMetrics metrics, LeaseHeartbeat heartbeat, GpuPool gpus, DjlEnvironment djlEnvironment) {
        this.store = store;
        this.controls = controls;
        this.datasets = datasets;
        this.datasetProperties = datasetProperties;
        this.artifacts = artifacts;
        this.checkpoints = checkpoints;
        this.training = training;
        this.properties = properties;
        this.metrics = metrics;
        this.heartbeat = heartbeat;
        this.gpus = gpus;
    }

    /** Runs a job this worker has claimed (state RUNNING under {@code properties.id()}). */
    void run(Job job, BooleanSupplier shuttingDown) {
        String id = job.id();
        String worker = properties.id();
        log.info("job {}: attempt {} started on worker {}", id, job.attempt(), worker);
        // The lease is renewed from claim to final write, training and export alike.
        try (LeaseHeartbeat.Lease lease = heartbeat.hold(id, worker)) {
            if (job.attempt() > properties.maxAttempts()) {
                store.markFailed(id, worker, new JobError(JobError.MAX_ATTEMPTS_EXCEEDED, tooManyAttempts(job)));
                return;
            }
            if (job.cancelRequested()) {
                // Cancelled while its previous worker held it, which died before acting on it.
                store.markCancelled(id, worker);
                log.info("job {}: CANCELLED", id);
                deleteCheckpoint(id);
                return;
            }
            metrics.throughput(id, 0);
            Outcome outcome = execute(job, lease, shuttingDown);
            finish(job, lease.lost() ? new Outcome.Interrupted() : outcome);
        } catch (RuntimeException | Error e) {
            log.error("job {}: could not be run or recorded", id, e);
            failQuietly(id, new JobError(JobError.INTERNAL_ERROR, "internal error: " + describe(e)));
        } finally {
            controls.forget(id);
            metrics.finished(id);
        }
    }

    /** How a run ended, before it is recorded. */
    private sealed interface Outcome {
        record Succeeded(TrainingResult result) implements Outcome {}

        record Failed(JobError error) implements Outcome {}

        record Cancelled() implements Outcome {}

        /** Interrupted by this worker's shutdown or lost claim: not the job's fault, it runs again later. */
        record Interrupted() implements Outcome {}
    }

    private Outcome execute(Job job, LeaseHeartbeat.Lease lease, BooleanSupplier shuttingDown) {
        GpuPool.Placement placement;
        try {
            placement = gpus.place(job.definition().training().device());
        } catch (IllegalArgumentException e) {
            return new Outcome.Failed(new JobError(JobError.DEVICE_UNAVAILABLE, stripField(e.getMessage())));
        }
        try (placement) {
            log.info("job {}: placed on {}", job.id(), placement.device());
            return execute(job, placement.device(), lease, shuttingDown);
        }
    }

    private Outcome execute(Job job, String device, LeaseHeartbeat.Lease lease, BooleanSupplier shuttingDown) {
        JobDefinition definition = job.definition();
        TrainingOptions config = definition.training().toBuilder()
                .optDevice(device).optProgressEverySteps(properties.progressEverySteps()).build();

        TrainTestSplit data;
        try {
            data = IdxReader.readSplit(datasets.resolve(definition.datasetUri()).dir());
        } catch (DatasetReferenceException | DatasetFormatException e) {
            return new Outcome.Failed(new JobError(JobError.DATASET_UNAVAILABLE,
                    definition.datasetUri() + ": " + e.getMessage()));
        }
        data = subset(data);
        int classes = Math.max(data.train().numClasses(), data.test().numClasses());
        if (classes > definition.model().numClasses()) {
            return new Outcome.Failed(new JobError(JobError.DATASET_MISMATCH, "the dataset has " + classes
                    + " classes but the model's last layer gives " + definition.model().numClasses() + " logits"));
        }

        JobTrainingListener listener = new JobTrainingListener(job.id(), properties.id(), store, controls,
                properties, lease, heartbeat.leaseDuration(), shuttingDown, eps -> metrics.throughput(job.id(), eps),
                c -> saveCheckpoint(job.id(), c));
        TrainingCheckpoint resumeFrom = job.attempt() > 1 ? loadCheckpoint(job.id()) : null;
        store.recordStart(job, job.attempt(), resumeFrom == null ? 0 : resumeFrom.epochsCompleted(), config.device());
        if (resumeFrom != null) {
            log.info("job {}: attempt {} resumes after epoch {}", job.id(), job.attempt(),
                    resumeFrom.epochsCompleted());
        }
        TrainingResult result;
        try {
            result = training.train(definition.model(), config, data, listener, resumeFrom);
        } catch (TrainingAbortedException e) {
            if (e.reason() == TrainingAbortedException.Reason.CANCELLED) {
                if (lease.lost()) {
                    return new Outcome.Interrupted();
                }
                boolean userCancelled = controls.current(job.id()) == TrainingControl.CANCEL
                        || store.controlOf(job.id(), properties.id()).filter("CANCEL"::equals).isPresent();
                return userCancelled ? new Outcome.Cancelled() : new Outcome.Interrupted();
            }
            String code = e.reason() == TrainingAbortedException.Reason.MAX_RUNTIME_EXCEEDED
                    ? JobError.MAX_RUNTIME_EXCEEDED : JobError.DIVERGED;
            return new Outcome.Failed(new JobError(code, e.getMessage()));
        } catch (DatasetFormatException e) {
            return new Outcome.Failed(new JobError(JobError.DATASET_UNAVAILABLE, e.getMessage()));
        } catch (RuntimeException e) {
            log.error("job {}: training failed", job.id(), e);
            return new Outcome.Failed(new JobError(JobError.TRAINING_FAILED, "training failed: " + describe(e)));
        }
        if (lease.lost()) {
            return new Outcome.Interrupted();
        }

        try {
            writeArtifacts(job, lease, definition, config, result, data);
        } catch (IOException | RuntimeException e) {
            log.error("job {}: export failed", job.id(), e);
            return new Outcome.Failed(new JobError(JobError.EXPORT_FAILED, "export failed: " + describe(e)));
        }
        return new Outcome.Succeeded(result);
    }

    private void writeArtifacts(Job job, LeaseHeartbeat.Lease lease, JobDefinition definition, TrainingOptions config,
            TrainingResult result, TrainTestSplit data) throws IOException {
        String modelName = job.name() != null ? job.name() : "l0-" + job.id();
        byte[] prunedOnnx = OnnxExporter.export(result.pruned(), modelName);
        byte[] denseOnnx = OnnxExporter.export(result.dense(), modelName + "-dense");
        // Fed only its kept inputs, the pruned MLP skips the gather that selects them (faster; see result.json).
        byte[] keptInputsOnnx = result.pruned().keptInputsOnly()
                .map(network -> OnnxExporter.export(network, modelName + "-kept-inputs")).orElse(null);
        JobArtifacts.KeptInputsModel keptInputs = keptInputsOnnx == null ? null
                : new JobArtifacts.KeptInputsModel(result.pruned().keptInputsOnly().get().inputSize(),
                        latency(keptInputsOnnx, 1), latency(keptInputsOnnx, 100), keptInputsOnnx.length);
        WorkerProperties.Latency l = properties.latency();
        JobArtifacts.Measurements measurements = new JobArtifacts.Measurements(
                latency(denseOnnx, 1), latency(denseOnnx, 100), latency(prunedOnnx, 1), latency(prunedOnnx, 100),
                denseOnnx.length, prunedOnnx.length, l.warmupRuns(), keptInputs);
        JobArtifacts.DataSummary summary = new JobArtifacts.DataSummary(definition.datasetUri(),
                data.train().size(), data.test().size());

        if (lease.lost()) {
            // Another worker holds the job now and writes its own artifacts; ours would only race with them.
            return;
        }
        // A rerun of an interrupted attempt replaces whatever the earlier attempt left.
        artifacts.put(job.id(), JobArtifacts.MODEL, prunedOnnx);
        if (keptInputsOnnx != null) {
            artifacts.put(job.id(), JobArtifacts.MODEL_KEPT_INPUTS, keptInputsOnnx);
        }
        artifacts.put(job.id(), JobArtifacts.WEIGHTS, WeightsJson.write(result.pruned()));
        artifacts.put(job.id(), JobArtifacts.METRICS, JobArtifacts.metricsCsv(result.history()));
        artifacts.put(job.id(), JobArtifacts.PARAMS, result.gatedParameters());
        artifacts.put(job.id(), JobArtifacts.SPEC, JobArtifacts.spec(definition));
        // result.json last: its presence means the set is complete.
        artifacts.put(job.id(), JobArtifacts.RESULT,
                JobArtifacts.result(job, definition, config, result, summary, measurements));
    }

    private void saveCheckpoint(String jobId, TrainingCheckpoint checkpoint) {
        try {
            checkpoints.put(jobId, new CheckpointStore.StoredCheckpoint(checkpoint.epochsCompleted(),
                    checkpoint.step(), checkpoint.state()));
        } catch (IOException | RuntimeException e) {
            // Losing a checkpoint costs a longer rerun after an interruption, never the job itself.
            log.warn("job {}: checkpoint after epoch {} not saved: {}", jobId, checkpoint.epochsCompleted(),
                    e.getMessage());
        }
    }

    private TrainingCheckpoint loadCheckpoint(String jobId) {
        try {
            return checkpoints.get(jobId)
                    .map(c -> new TrainingCheckpoint(c.epochsCompleted(), c.step(), c.state())).orElse(null);
        } catch (IOException | RuntimeException e) {
            log.warn("job {}: checkpoint unreadable, starting over: {}", jobId, e.getMessage());
            return null;
        }
    }

    private String tooManyAttempts(Job job) {
        String earlier = store.attempts(job).stream().filter(a -> a.attempt() < job.attempt())
                .map(a -> a.workerId() + " (attempt " + a.attempt() + ")").collect(Collectors.joining(", "));
        return "the job was started " + (job.attempt() - 1) + " times without finishing (at most "
                + properties.maxAttempts() + " attempts are made); its workers died, lost their lease or shut"
                + " down while running it: " + (earlier.isEmpty() ? "no attempt history" : earlier);
    }

    private LatencyMeasurement latency(byte[] model, int batch) {
        WorkerProperties.Latency l = properties.latency();
        return OnnxRuntimeRunner.measureLatency(model, batch, l.threads(), l.warmupRuns(), l.runs());
    }

    private TrainTestSplit subset(TrainTestSplit data) {
        int train = datasetProperties.maxTrainExamples() > 0 ? datasetProperties.maxTrainExamples()
                : data.train().size();
        int test = datasetProperties.maxTestExamples() > 0 ? datasetProperties.maxTestExamples() : data.test().size();
        return data.head(train, test);
    }

    private void finish(Job job, Outcome outcome) {
        String id = job.id();
        String worker = properties.id();
        if (outcome instanceof Outcome.Succeeded s) {
            store.markSucceeded(id, worker, s.result().stoppedEarly(), s.result().epochsCompleted());
            log.info("job {}: SUCCEEDED, architecture {}", id, s.result().pruned().architecture());
        } else if (outcome instanceof Outcome.Failed f) {
            store.markFailed(id, worker, f.error());
            log.warn("job {}: FAILED {}: {}", id, f.error().code(), f.error().message());
        } else if (outcome instanceof Outcome.Cancelled) {
            store.markCancelled(id, worker);
            log.info("job {}: CANCELLED", id);
        } else {
            if (store.find(id).map(j -> worker.equals(j.workerId())).orElse(false)) {
                store.release(id, worker);
                log.info("job {}: interrupted; back in the queue", id);
            } else {
                log.warn("job {}: this worker no longer holds it; leaving it to its new holder", id);
            }
            return;
        }
        // Only once the final state is recorded: a job left RUNNING by a failed write still resumes.
        deleteCheckpoint(id);
    }

    private void deleteCheckpoint(String id) {
        try {
            checkpoints.delete(id);
        } catch (IOException | RuntimeException e) {
            log.warn("job {}: checkpoint not deleted: {}", id, e.getMessage());
        }
    }

    private void failQuietly(String id, JobError error) {
        try {
            store.markFailed(id, properties.id(), error);
        } catch (RuntimeException e) {
            // Left RUNNING under this worker's id: start-up recovery re-queues it.
            log.error("job {}: could not record failure", id, e);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? "unexpected " + e.getClass().getSimpleName() : message;
    }

    private static String stripField(String message) {
        return message.startsWith("device: ") ? message.substring("device: ".length()) : message;
    }
}

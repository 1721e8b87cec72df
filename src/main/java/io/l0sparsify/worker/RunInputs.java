package io.l0sparsify.worker;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.export.OnnxRuntimeRunner;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobDefinition;
import io.l0sparsify.job.JobError;
import io.l0sparsify.l0.TrainingCheckpoint;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.model.ImportedNetwork;
import io.l0sparsify.model.ModelService;
import io.l0sparsify.prune.LayerParameters;
import io.l0sparsify.spec.SpecLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What a run needs before it trains: its devices, its data (subset as configured, checked against the model's
 * classes), the core's options and the checkpoint an earlier attempt left. Whatever the job itself gets wrong
 * here ends it FAILED ({@link JobFailedException}).
 */
@ConditionalOnRole({Role.ALL, Role.WORKER})
@Component
class RunInputs {

    private static final Logger log = LoggerFactory.getLogger(RunInputs.class);
    /** Test examples ONNX Runtime evaluates at once when it measures an uploaded model. */
    private static final int EVALUATION_BATCH = 1000;

    private final GpuPool gpus;
    private final JobDataLoader data;
    private final JobCheckpoints checkpoints;
    private final WorkerProperties properties;
    private final ModelService models;

    RunInputs(GpuPool gpus, JobDataLoader data, JobCheckpoints checkpoints, WorkerProperties properties,
            ModelService models) {
        this.models = models;
        this.gpus = gpus;
        this.data = data;
        this.checkpoints = checkpoints;
        this.properties = properties;
    }

    /**
     * The inputs of one run.
     *
     * @param config the core's options, on the device the run was placed on
     * @param data the data after splitting and subsetting, shaped as the model takes it
     * @param dataset where the data came from, for result.json
     * @param resumeFrom the checkpoint of an earlier attempt, or null to start afresh (as the core takes it)
     * @param imported the uploaded model a fine-tuning starts from, or null
     * @param original that upload as it came, measured once for every result the run publishes (a sweep's
     *     points too), or null
     */
    record Prepared(TrainingOptions config, TrainingData data, ResultDocument.Dataset dataset,
            TrainingCheckpoint resumeFrom, ImportedNetwork imported, JobArtifacts.OriginalModel original) {

        Prepared(TrainingOptions config, TrainingData data, ResultDocument.Dataset dataset,
                TrainingCheckpoint resumeFrom) {
            this(config, data, dataset, resumeFrom, null, null);
        }

        /** Epochs the run starts after: those of its checkpoint, else none. */
        int resumedAfterEpoch() {
            return resumeFrom == null ? 0 : resumeFrom.epochsCompleted();
        }

        /** The trained values the run starts from: the uploaded model's, or none (drawn). */
        List<LayerParameters> start() {
            return imported == null ? List.of() : imported.parameters();
        }
    }

    /** The devices the job asked for (or the worker's choice), held until the placement is closed. */
    GpuPool.Placement place(Job job) throws JobFailedException {
        GpuPool.Placement placement;
        try {
            placement = gpus.place(job.definition().training().device());
        } catch (IllegalArgumentException e) {
            throw new JobFailedException(JobError.DEVICE_UNAVAILABLE, stripField(e.getMessage()));
        }
        log.info("job {}: placed on {}", job.id(), placement.device());
        return placement;
    }

    Prepared prepare(Job job, String device) throws JobFailedException {
        JobDefinition definition = job.definition();
        TrainingOptions config = definition.training().toBuilder()
                .optDevice(device).optProgressEverySteps(properties.progressEverySteps()).build();
        ModelService.UploadForRun upload = definition.upload() == null ? null : upload(definition);
        ImportedNetwork imported = upload == null ? null : upload.network();
        JobDataLoader.PreparedData prepared = data.trainingDataFor(definition);
        TrainingData shaped;
        try {
            TrainingData stored = prepared.data();
            if (definition.upload() != null && definition.upload().preprocessing() != null) {
                // the uploaded model takes its inputs as it was trained to, not as the dataset would scale them
                stored = new TrainingData(stored.train(), stored.test(), definition.upload().preprocessing(),
                        stored.classNames(), stored.split());
            }
            // an image dataset reaches a multilayer perceptron as its flattened values
            shaped = stored.shapedFor(new InputShape(definition.model().inputShape()));
        } catch (IllegalArgumentException e) {
            throw new JobFailedException(JobError.DATASET_MISMATCH, e.getMessage());
        }
        // Only a rerun has a checkpoint; the first attempt does not even look.
        TrainingCheckpoint resumeFrom = job.attempt() > 1 ? checkpoints.latest(job.id()).orElse(null) : null;
        JobArtifacts.OriginalModel original = upload == null ? null : measure(definition.upload().uri(), upload,
                shaped);
        return new Prepared(config, shaped, ResultDocument.Dataset.of(definition.datasetUri(), prepared),
                resumeFrom, imported, original);
    }

    /**
     * The uploaded file measured as the delivered model will be: its error on the run's test split (its own
     * output's largest entry is its answer, whether logits or probabilities), its latency and its size.
     */
    private JobArtifacts.OriginalModel measure(String uri, ModelService.UploadForRun upload, TrainingData data) {
        byte[] file = upload.file();
        ImportedNetwork imported = upload.network();
        Examples test = data.test();
        int exampleSize = test.shape().size();
        int wrong = 0;
        try (OnnxRuntimeRunner.Session session = OnnxRuntimeRunner.open(file, properties.latency().threads())) {
            for (int start = 0; start < test.size(); start += EVALUATION_BATCH) {
                int count = Math.min(EVALUATION_BATCH, test.size() - start);
                float[] batch = new float[count * exampleSize];
                test.copyRangeInto(start, count, data.preprocessing(), batch);
                float[][] outputs = session.run(batch, count);
                for (int i = 0; i < count; i++) {
                    wrong += argmax(outputs[i]) == test.labels()[start + i] ? 0 : 1;
                }
            }
        }
        return new JobArtifacts.OriginalModel(uri, wrong / (double) test.size(), imported.originalParameters(),
                imported.originalFlops(), ArtifactPublisher.latency(file, 1, properties.latency()),
                ArtifactPublisher.latency(file, 100, properties.latency()), file.length,
                imported.foldedNormalizations());
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) {
            best = row[c] > row[best] ? c : best;
        }
        return best;
    }

    /**
     * The uploaded model the job fine-tunes, read again from its stored file, once: it must still be there and
     * import as the network the job was accepted with.
     */
    private ModelService.UploadForRun upload(JobDefinition definition) throws JobFailedException {
        String uri = definition.upload().uri();
        ModelService.UploadForRun upload;
        try {
            upload = models.forRun(uri, SpecLimits.UNBOUNDED).orElseThrow(() -> new JobFailedException(
                    JobError.MODEL_UNAVAILABLE, uri + " is no longer stored"));
        } catch (IOException | UncheckedIOException e) {
            throw new JobFailedException(JobError.MODEL_UNAVAILABLE, uri + " cannot be read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new JobFailedException(JobError.MODEL_UNAVAILABLE, uri + " cannot be fine-tuned: "
                    + e.getMessage());
        }
        if (!upload.network().spec().equals(definition.model())) {
            throw new JobFailedException(JobError.MODEL_UNAVAILABLE, uri + " now imports as "
                    + upload.network().spec() + ", not as the network the job was accepted with");
        }
        return upload;
    }

    private static String stripField(String message) {
        return message.startsWith("device: ") ? message.substring("device: ".length()) : message;
    }
}

package io.l0sparsify.worker;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.DatasetLoader;
import io.l0sparsify.dataset.DatasetProperties;
import io.l0sparsify.dataset.DatasetRef;
import io.l0sparsify.dataset.DatasetReferenceException;
import io.l0sparsify.dataset.DatasetShapes;
import io.l0sparsify.dataset.LabelledDataset;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.dataset.TrainingDataBuilder;
import io.l0sparsify.job.JobDefinition;
import io.l0sparsify.job.JobError;
import io.l0sparsify.spec.ModelSpec;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * A job's data as its run trains on it: read (fetched, verified and cached where remote) by the
 * {@link DatasetLoader}, checked against the model again (what submit could not know of a fetched file, and
 * what may have changed since), split, capped ({@code l0.datasets.max-train-examples}, {@code max-test-examples})
 * and given its preprocessing ({@link TrainingDataBuilder}). What is wrong with the data ends the job FAILED:
 * {@code dataset_unavailable} when it cannot be read as referenced, {@code dataset_mismatch} when it does not fit
 * the model.
 */
@ConditionalOnRole({Role.ALL, Role.WORKER})
@Component
class JobDataLoader {

    private static final Logger log = LoggerFactory.getLogger(JobDataLoader.class);

    private final DatasetLoader loader;
    private final DatasetProperties properties;

    JobDataLoader(DatasetLoader loader, DatasetProperties properties) {
        this.loader = loader;
        this.properties = properties;
    }

    /**
     * A run's data and the digest of what was read.
     *
     * @param data training and test examples (never overlapping), preprocessing, class names, split origin
     * @param sha256 of what was read, for result.json
     */
    record PreparedData(TrainingData data, String sha256) {}

    PreparedData trainingDataFor(JobDefinition definition) throws JobFailedException {
        DatasetRef ref = definition.dataset();
        DatasetLoader.Loaded loaded;
        try {
            loaded = loader.load(ref, properties.maxTrainExamples(), properties.maxTestExamples());
        } catch (DatasetReferenceException | DatasetFormatException e) {
            // messages about a fetch name the URI already
            String reason = e.getMessage();
            throw new JobFailedException(JobError.DATASET_UNAVAILABLE, reason.startsWith(ref.uri()) ? reason
                    : ref.uri() + ": " + reason);
        } catch (IOException e) {
            throw new JobFailedException(JobError.DATASET_UNAVAILABLE, ref.uri() + " cannot be read: "
                    + (e.getMessage() != null ? e.getMessage() : "an I/O error"));
        }
        LabelledDataset dataset = loaded.dataset();
        ModelSpec model = definition.model();
        if (!DatasetShapes.fits(model.inputShape(), dataset.shape())) {
            throw new JobFailedException(JobError.DATASET_MISMATCH, "the model takes " + model.inputShape()
                    + " (model.inputShape) but " + ref.uri() + " has examples of shape " + dataset.shape()
                    + " (dataset shape)" + DatasetShapes.hint(dataset.shape()));
        }
        int classes = dataset.classNames().size();
        if (classes > model.numClasses()) {
            throw new JobFailedException(JobError.DATASET_MISMATCH, "the dataset has " + classes
                    + " classes but the model's last layer gives " + model.numClasses() + " logits");
        }
        TrainingData data;
        try {
            data = TrainingDataBuilder.build(dataset, ref, properties.defaultTestFraction(),
                    definition.training().seed(), properties.maxTrainExamples(), properties.maxTestExamples());
        } catch (IllegalArgumentException e) {
            throw new JobFailedException(JobError.DATASET_MISMATCH, ref.uri() + ": " + e.getMessage());
        }
        log.info("dataset {} (sha256 {}): {} training and {} test examples of shape {}, split {}", ref.uri(),
                loaded.sha256(), data.train().size(), data.test().size(), data.shape(), data.split());
        return new PreparedData(data, loaded.sha256());
    }
}

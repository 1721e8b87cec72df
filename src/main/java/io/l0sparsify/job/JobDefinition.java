package io.l0sparsify.job;

import io.l0sparsify.dataset.DatasetRef;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.spec.ModelSpec;

/**
 * What a user asked for: a validated model, a dataset reference and training settings.
 *
 * @param name optional label
 * @param preset the preset name when the model was given as {@code {"preset": ...}}, else null
 * @param model the network (a preset expanded)
 * @param dataset where the data is and how to read and split it; its location is checked at submit time
 * @param training the options with defaults filled in; the device may be unset (the worker chooses) and the
 *     runtime budget is always set (the service's cap when the user gave none)
 * @param sweep the sweep over size budgets the job runs instead of one training; null for a single run
 * @param upload the uploaded model the job fine-tunes (its network is {@code model}, as imported when the job
 *     was submitted), or null for a network trained from scratch
 */
public record JobDefinition(String name, String preset, ModelSpec model, DatasetRef dataset,
        TrainingOptions training, SweepPlan sweep, UploadedModelRef upload) {

    /** A job that trains a preset or an inline model from scratch. */
    public JobDefinition(String name, String preset, ModelSpec model, DatasetRef dataset, TrainingOptions training,
            SweepPlan sweep) {
        this(name, preset, model, dataset, training, sweep, null);
    }

    /** A job that trains once (no sweep). */
    public JobDefinition(String name, String preset, ModelSpec model, DatasetRef dataset, TrainingOptions training) {
        this(name, preset, model, dataset, training, null);
    }

    /** The dataset's URI as the user gave it. */
    public String datasetUri() {
        return dataset.uri();
    }
}

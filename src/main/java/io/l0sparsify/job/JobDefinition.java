package io.l0sparsify.job;

import io.l0sparsify.spec.ModelSpec;

/**
 * What a user asked for: a validated model, a dataset reference and training settings.
 *
 * @param name optional label
 * @param preset the preset name when the model was given as {@code {"preset": ...}}, else null
 * @param model the network (a preset expanded)
 * @param datasetUri {@code builtin:NAME} or {@code file:/abs/dir}, checked at submit time
 * @param training settings with defaults filled in
 */
public record JobDefinition(String name, String preset, ModelSpec model, String datasetUri,
        TrainingSettings training) {}

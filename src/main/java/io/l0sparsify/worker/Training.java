package io.l0sparsify.worker;

import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingCheckpoint;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingResult;
import io.l0sparsify.prune.LayerParameters;
import io.l0sparsify.spec.ModelSpec;
import java.util.List;

/** The worker's view of the core trainer: one method, so the worker does not construct the core itself. */
@FunctionalInterface
public interface Training {

    /** @param start trained values to start from (an uploaded model's), by flat index; empty to draw them */
    TrainingResult train(ModelSpec spec, TrainingOptions config, TrainingData data, RunListener listener,
            TrainingCheckpoint resumeFrom, List<LayerParameters> start);
}

package io.l0sparsify.l0;

import io.l0sparsify.dataset.TrainTestSplit;
import io.l0sparsify.spec.ModelSpec;

/** Trains a gated network with the L0 objective and prunes it. Work in progress. */
public final class L0Trainer {

    /**
     * Trains {@code spec} on {@code data}, then prunes the evaluated parameters.
     *
     * @param resumeFrom a checkpoint of an earlier attempt of the same run, or null to start afresh
     * @throws TrainingAbortedException when cancelled, over its time budget, or diverged
     */
    public TrainingResult train(ModelSpec spec, TrainingConfig config, TrainTestSplit data,
            TrainingListener listener, TrainingCheckpoint resumeFrom) {
        throw new UnsupportedOperationException("not yet");
    }
}

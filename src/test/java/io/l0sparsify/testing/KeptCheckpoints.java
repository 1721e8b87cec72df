package io.l0sparsify.testing;

import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingCheckpoint;
import io.l0sparsify.l0.TrainingProgress;
import java.util.List;

/** For tests that resume a run from one of its checkpoints. */
public final class KeptCheckpoints {

    private KeptCheckpoints() {}

    /** A listener that adds every epoch-end checkpoint of a run to {@code checkpoints}, in order. */
    public static RunListener into(List<TrainingCheckpoint> checkpoints) {
        return new RunListener() {
            @Override
            public void onProgress(TrainingProgress progress) {}

            @Override
            public void onCheckpoint(TrainingCheckpoint checkpoint) {
                checkpoints.add(checkpoint);
            }
        };
    }
}

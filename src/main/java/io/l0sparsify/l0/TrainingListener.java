package io.l0sparsify.l0;

/**
 * How a caller watches and steers a run. Both methods are called on the training thread; keep them
 * quick (persisting one row is fine, blocking on a network is not).
 */
public interface TrainingListener {

    /** A progress snapshot; see {@link TrainingProgress} for when they come. */
    void onProgress(TrainingProgress progress);

    /** Asked before every step. */
    default TrainingControl control() {
        return TrainingControl.CONTINUE;
    }

    /** Called at every epoch end with a checkpoint of the run, after {@link #onProgress}. */
    default void onCheckpoint(TrainingCheckpoint checkpoint) {}

    TrainingListener NONE = progress -> {};
}

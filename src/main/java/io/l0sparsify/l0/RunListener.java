package io.l0sparsify.l0;

/**
 * How a caller watches and steers a run of {@link L0Trainer}. (Not DJL's
 * {@code ai.djl.training.listener.TrainingListener}: that one watches a DJL {@code Trainer}'s batches; this one
 * sees the L0 run's progress, steers it and receives its checkpoints.) The methods are called on the training
 * thread; keep them quick (persisting one row is fine, blocking on a network is not).
 *
 * <p>The core only knows <em>what</em> the caller wants ({@link TrainingControl}); <em>why</em> (a user's
 * request, a shutdown, ...) is the caller's to remember: the listener that answered
 * {@link TrainingControl#CANCEL} knows, and the run ends with a {@link TrainingAbortedException} of reason
 * {@link TrainingAbortedException.Reason#CANCELLED} right after that answer.
 */
public interface RunListener {

    /** A progress snapshot; see {@link TrainingProgress} for when they come. */
    void onProgress(TrainingProgress progress);

    /** Asked before every step. */
    default TrainingControl control() {
        return TrainingControl.CONTINUE;
    }

    /** Called at every epoch end with a checkpoint of the run, after {@link #onProgress}. */
    default void onCheckpoint(TrainingCheckpoint checkpoint) {}

    RunListener NONE = progress -> {};
}

package io.l0sparsify.l0;

/** What the caller wants the trainer to do next; asked between steps ({@link RunListener#control()}). */
public enum TrainingControl {
    CONTINUE,
    /** Stop after this step but keep the work: evaluate, prune and return a result with {@code stoppedEarly}. */
    STOP_EARLY,
    /**
     * Abandon the run: the trainer throws {@link TrainingAbortedException} with reason
     * {@link TrainingAbortedException.Reason#CANCELLED}. Why the caller asked is the caller's to keep.
     */
    CANCEL
}

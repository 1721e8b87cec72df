package io.l0sparsify.l0;

/** What the caller wants the trainer to do next; asked between steps. */
public enum TrainingControl {
    CONTINUE,
    /** Stop after this step but keep the work: evaluate, prune and return a result. */
    STOP_EARLY,
    /** Abandon the run: the trainer throws {@link TrainingAbortedException} with reason CANCELLED. */
    CANCEL
}

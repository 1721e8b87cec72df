package io.l0sparsify.worker;

import io.l0sparsify.job.JobError;
import io.l0sparsify.l0.TrainingResult;

/** How a run ended, before {@link RunOutcomes} records it. */
sealed interface RunOutcome {

    /** Trained and published; {@code result.stoppedEarly()} when the user asked it to stop early. */
    record Succeeded(TrainingResult result) implements RunOutcome {}

    /**
     * A sweep trained and published its points, its report and its main model ({@link SweepRunner}).
     *
     * @param stoppedEarly whether the user's stop ended it before every target was trained in full
     * @param epochsCompleted the selected point's epochs
     * @param architecture the selected point's kept units per gated layer
     */
    record SweepSucceeded(boolean stoppedEarly, int epochsCompleted, String architecture) implements RunOutcome {}

    /** Ended without a result through the job's own fault (data, divergence, time limit, export, ...). */
    record Failed(JobError error) implements RunOutcome {}

    /** The user cancelled it, while it ran or while no worker held it. */
    record Cancelled() implements RunOutcome {}

    /** Another worker holds the job now: whatever this one did is not recorded. */
    record LeaseLost() implements RunOutcome {}

    /** This worker is shutting down: not the job's fault, it goes back to the queue and runs again later. */
    record ShutDown() implements RunOutcome {}

    static RunOutcome failed(String code, String message) {
        return new Failed(new JobError(code, message));
    }

    /** The outcome of a run the worker's listener abandoned, by the reason it recorded when it did. */
    static RunOutcome abandoned(AbandonReason reason) {
        return switch (reason) {
            case USER_CANCEL -> new Cancelled();
            case LOST_LEASE -> new LeaseLost();
            case SHUTDOWN -> new ShutDown();
        };
    }
}

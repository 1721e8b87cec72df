package io.l0sparsify.worker;

/**
 * Why this worker told the core to abandon a run ({@link io.l0sparsify.l0.TrainingControl#CANCEL}), recorded by
 * {@link JobRunListener} at the moment it decided, so that the end of the run is recorded without guessing.
 * A user's stop request is not here: it keeps the run's work and ends it with a result ({@code stoppedEarly}).
 */
enum AbandonReason {
    /** The user cancelled the job: it ends CANCELLED. */
    USER_CANCEL,
    /** Another worker holds the job now (this one's lease ran out): this worker records nothing. */
    LOST_LEASE,
    /** This worker is shutting down: the job goes back to the queue and resumes from its last checkpoint. */
    SHUTDOWN
}

package io.l0sparsify.job;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The lifecycle of a job. The table below is the only place that says which moves are legal; every state
 * change in {@link JobStore} is a conditional update that checks the expected current state, and a move the
 * table forbids surfaces as {@link IllegalTransitionException} instead of a silent overwrite.
 *
 * <pre>
 * QUEUED  → RUNNING (claimed), CANCELLED
 * RUNNING → SUCCEEDED, FAILED, CANCELLED, QUEUED (given back on shutdown or recovery)
 * SUCCEEDED, FAILED, CANCELLED: final
 * </pre>
 *
 * A RUNNING job whose lease ran out is claimed again by another worker without leaving RUNNING: only its
 * worker, lease and attempt change, and every write of the previous worker (conditional on its id) stops
 * landing.
 */
public enum JobState {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    private static final Map<JobState, Set<JobState>> ALLOWED = Map.of(
            QUEUED, EnumSet.of(RUNNING, CANCELLED),
            RUNNING, EnumSet.of(SUCCEEDED, FAILED, CANCELLED, QUEUED),
            SUCCEEDED, EnumSet.noneOf(JobState.class),
            FAILED, EnumSet.noneOf(JobState.class),
            CANCELLED, EnumSet.noneOf(JobState.class));

    public boolean canMoveTo(JobState next) {
        return ALLOWED.get(this).contains(next);
    }

    public boolean isFinal() {
        return ALLOWED.get(this).isEmpty();
    }

    /** Throws when the table forbids {@code this → next}. */
    public void requireMoveTo(String jobId, JobState next) {
        if (!canMoveTo(next)) {
            throw new IllegalTransitionException(jobId, this, next);
        }
    }
}

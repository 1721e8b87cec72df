package io.l0sparsify.job;

/** A state change the lifecycle table forbids, e.g. cancelling a job that already SUCCEEDED. */
public final class IllegalTransitionException extends RuntimeException {

    private final String jobId;
    private final JobState from;
    private final JobState to;

    public IllegalTransitionException(String jobId, JobState from, JobState to) {
        super("job " + jobId + " is " + from + " and cannot become " + to);
        this.jobId = jobId;
        this.from = from;
        this.to = to;
    }

    public String jobId() {
        return jobId;
    }

    public JobState from() {
        return from;
    }

    public JobState to() {
        return to;
    }
}

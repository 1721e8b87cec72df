package io.l0sparsify.job;

/**
 * A stop the job's state refuses: the job is not running yet (a QUEUED job has done no work to keep), or it is
 * RUNNING but being cancelled (an accepted cancel is never turned into a stop).
 */
public final class JobNotRunningException extends RuntimeException {

    private final String jobId;
    private final JobState state;

    public JobNotRunningException(String jobId, JobState state, String message) {
        super(message);
        this.jobId = jobId;
        this.state = state;
    }

    public String jobId() {
        return jobId;
    }

    /** The state the job was in when the stop was refused. */
    public JobState state() {
        return state;
    }
}

package io.l0sparsify.job;

/** An action that needs a RUNNING job (stop) asked of a job that is not running yet. */
public final class JobNotRunningException extends RuntimeException {

    private final String jobId;

    public JobNotRunningException(String jobId, String message) {
        super(message);
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }
}

package io.l0sparsify.worker;

import io.l0sparsify.job.JobError;

/** A run cannot go on through the job's own fault (its device, its data): the job ends FAILED with {@link #error()}. */
final class JobFailedException extends Exception {

    private final JobError error;

    JobFailedException(String code, String message) {
        super(message);
        this.error = new JobError(code, message);
    }

    JobError error() {
        return error;
    }
}

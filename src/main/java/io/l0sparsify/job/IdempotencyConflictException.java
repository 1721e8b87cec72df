package io.l0sparsify.job;

/** An Idempotency-Key that was first used with a different request body. */
public final class IdempotencyConflictException extends RuntimeException {

    private final String existingJobId;

    public IdempotencyConflictException(String key, String existingJobId) {
        super("Idempotency-Key '" + key + "' was already used for job " + existingJobId
                + " with a different request body");
        this.existingJobId = existingJobId;
    }

    public String existingJobId() {
        return existingJobId;
    }
}

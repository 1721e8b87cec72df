package io.l0sparsify.job;

/**
 * Why a job FAILED: a stable machine-readable code and a human message.
 * Codes: {@code max_runtime_exceeded}, {@code diverged}, {@code dataset_unavailable}, {@code dataset_mismatch},
 * {@code model_unavailable},
 * {@code device_unavailable}, {@code training_failed}, {@code export_failed}, {@code max_attempts_exceeded}, {@code no_better_than_chance},
 * {@code quarantined}, {@code internal_error}.
 */
public record JobError(String code, String message) {

    public static final String MAX_RUNTIME_EXCEEDED = "max_runtime_exceeded";
    public static final String DIVERGED = "diverged";
    public static final String DATASET_UNAVAILABLE = "dataset_unavailable";
    public static final String DATASET_MISMATCH = "dataset_mismatch";
    /** The uploaded model a job fine-tunes is gone, or no longer imports as it did when the job was accepted. */
    public static final String MODEL_UNAVAILABLE = "model_unavailable";
    public static final String DEVICE_UNAVAILABLE = "device_unavailable";
    public static final String TRAINING_FAILED = "training_failed";
    public static final String EXPORT_FAILED = "export_failed";
    /** The job was claimed more than {@code l0.worker.max-attempts} times: it keeps dying with its workers. */
    public static final String MAX_ATTEMPTS_EXCEEDED = "max_attempts_exceeded";
    /** Training ended with a model no better than chance on the test set: nothing is delivered. */
    public static final String NO_BETTER_THAN_CHANCE = "no_better_than_chance";
    /**
     * The job's worker died running it again after an earlier attempt on the same worker: it is not re-run at
     * start-up, where it would bring the service down once more.
     */
    public static final String QUARANTINED = "quarantined";
    public static final String INTERNAL_ERROR = "internal_error";
}

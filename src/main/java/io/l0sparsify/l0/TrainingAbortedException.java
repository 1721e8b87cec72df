package io.l0sparsify.l0;

/**
 * A run that ended without a result. {@link #reason()} says who decided it: the caller
 * ({@link Reason#CANCELLED}, whose listener knows why) or the trainer itself (its time limit, a diverged loss).
 */
public final class TrainingAbortedException extends RuntimeException {

    public enum Reason {
        /** The listener answered {@link TrainingControl#CANCEL}; the run stopped before its next step. */
        CANCELLED,
        /** The run's {@code maxRuntime} ran out; the trainer checks it before every step. */
        MAX_RUNTIME_EXCEEDED,
        /**
         * The loss became NaN or infinite, or exploded far above its starting value and stayed there; the learning
         * rate or λ is usually too large.
         */
        DIVERGED,
        /**
         * Training ended, but the model's test error is not better than always answering the most common class,
         * beyond what chance explains on a test set of its size: there is nothing worth delivering.
         */
        NO_BETTER_THAN_CHANCE
    }

    private final Reason reason;

    public TrainingAbortedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

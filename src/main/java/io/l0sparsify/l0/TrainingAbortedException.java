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
        /** The loss became NaN or infinite; the learning rate or λ is usually too large. */
        DIVERGED
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

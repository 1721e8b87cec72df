package io.l0sparsify.l0;

/** A run that ended without a result; {@link #reason()} says why in a form an API can expose. */
public final class TrainingAbortedException extends RuntimeException {

    public enum Reason {
        CANCELLED,
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

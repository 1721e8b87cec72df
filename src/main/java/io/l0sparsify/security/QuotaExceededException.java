package io.l0sparsify.security;

import java.time.Duration;

/** A request past a principal's quota or rate ({@link QuotaProperties}); nothing of it was stored. */
public final class QuotaExceededException extends RuntimeException {

    /** Which limit was reached. */
    public enum Limit {
        ACTIVE_JOBS,
        STORED_BYTES,
        SUBMIT_RATE
    }

    private final Limit limit;
    private final Duration retryAfter;

    public QuotaExceededException(Limit limit, String message, Duration retryAfter) {
        super(message);
        this.limit = limit;
        this.retryAfter = retryAfter;
    }

    public Limit limit() {
        return limit;
    }

    /** When to try again; whole seconds, at least one. */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}

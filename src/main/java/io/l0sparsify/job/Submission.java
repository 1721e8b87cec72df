package io.l0sparsify.job;

/** The outcome of a submit: the job, and whether it was created now or replayed for an Idempotency-Key. */
public record Submission(Job job, boolean created) {}

package io.l0sparsify.job;

/** Published after a job was queued, so that an idle in-process worker can claim it at once. */
public record JobSubmittedEvent(String jobId) {}

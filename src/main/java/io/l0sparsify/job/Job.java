package io.l0sparsify.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.data.annotation.Id;

/**
 * One job as stored: a row of table {@code job}. The definition and the progress are kept as JSON text
 * (their shapes belong to the contract, not to the schema); {@link #definition()} and {@link #progress()}
 * read them back.
 *
 * @param seq insertion order; the queue's order and the list's cursor
 * @param id the public identifier (a UUID)
 * @param control what the user asked a running job to do: {@code CANCEL} or {@code STOP_EARLY}, or null
 * @param workerId the worker holding a RUNNING job
 * @param leaseExpiresAt until when the worker's claim holds; renewed by the worker's heartbeat and progress writes;
 *     once past, any worker may claim the job again
 * @param owner the principal that submitted the job; only it and admins see the job
 */
public record Job(
        @Id Long seq,
        String id,
        String name,
        JobState state,
        String definitionJson,
        String definitionHash,
        String idempotencyKey,
        Instant createdAt,
        Instant updatedAt,
        Instant startedAt,
        Instant finishedAt,
        int attempt,
        String control,
        String workerId,
        Instant leaseExpiresAt,
        String progressJson,
        boolean stoppedEarly,
        Integer epochsCompleted,
        String errorCode,
        String errorMessage,
        String owner) {

    public JobDefinition definition() {
        return JobJson.readDefinition(definitionJson);
    }

    public Optional<JobProgress> progress() {
        return progressJson == null ? Optional.empty() : Optional.of(JobJson.readProgress(progressJson));
    }

    public Optional<JobError> error() {
        return errorCode == null ? Optional.empty() : Optional.of(new JobError(errorCode, errorMessage));
    }

    public Duration maxRuntime() {
        return definition().training().maxRuntime();
    }

    public boolean cancelRequested() {
        return "CANCEL".equals(control);
    }

    public boolean stopRequested() {
        return "STOP_EARLY".equals(control);
    }
}

package io.l0sparsify.job;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * One claim of a job by a worker (a row of {@code job_attempt}).
 *
 * @param attempt 1 for the first claim, counting every re-claim after a shutdown or an expired lease
 * @param workerId the worker that claimed it
 * @param resumedAfterEpoch the epochs this attempt found already done in the job's checkpoint (0: it started
 *     from scratch); null until the worker has looked
 * @param device where the attempt trains ({@code cpu}, {@code gpu:1}, {@code gpu:0,1}); null until placed
 * @param died whether the attempt ended with its worker's death (still RUNNING when {@link JobStore#recover}
 *     ran at the worker's next start); false for an attempt released cleanly, final, or still running
 */
@Table("job_attempt")
public record JobAttempt(@Id Long id, long jobSeq, int attempt, String workerId, Instant startedAt,
        Integer resumedAfterEpoch, String device, boolean died) {}

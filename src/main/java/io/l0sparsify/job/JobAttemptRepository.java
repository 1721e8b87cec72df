package io.l0sparsify.job;

import java.time.Instant;
import java.util.List;
import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.Repository;

/** SQL for the attempt history; rows are written by {@link JobStore}'s claim, in its transaction. */
interface JobAttemptRepository extends Repository<JobAttempt, Long> {

    /** Copies the claim just made (attempt number and worker) from the job row. */
    @Modifying
    @Query("insert into job_attempt (job_seq, attempt, worker_id, started_at)"
            + " select seq, attempt, worker_id, :now from job where seq = :seq")
    int recordClaim(long seq, Instant now);

    @Modifying
    @Query("update job_attempt set resumed_after_epoch = :epoch, device = :device"
            + " where job_seq = :seq and attempt = :attempt")
    int recordStart(long seq, int attempt, int epoch, String device);

    /** Marks the current attempt of every job still RUNNING under the worker as ended by the worker's death. */
    @Modifying
    @Query("update job_attempt set died = true where exists (select 1 from job where job.seq = job_attempt.job_seq"
            + " and job.attempt = job_attempt.attempt and job.state = 'RUNNING' and job.worker_id = :worker)")
    int recordDeaths(String worker);

    @Query("select * from job_attempt where job_seq = :seq order by attempt")
    List<JobAttempt> findByJob(long seq);
}

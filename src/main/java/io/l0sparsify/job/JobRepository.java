package io.l0sparsify.job;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

/**
 * SQL for the job table. Every state change is a conditional update ({@code ... where state = ...}) that
 * returns the number of rows it changed, so two actors racing for one job cannot both win.
 */
interface JobRepository extends ListCrudRepository<Job, Long> {

    /** A job a worker may claim at {@code :now}. */
    String CLAIMABLE = "(state = 'QUEUED' or (state = 'RUNNING' and lease_expires_at < :now))";

    @Query("select * from job where id = :id")
    Optional<Job> findJob(String id);

    @Query("select * from job where owner = :owner and idempotency_key = :key")
    Optional<Job> findByIdempotencyKey(String owner, String key);

    @Query("select * from job where seq < :before order by seq desc limit :limit")
    List<Job> page(long before, int limit);

    @Query("select * from job where state = :state and seq < :before order by seq desc limit :limit")
    List<Job> pageInState(String state, long before, int limit);

    @Query("select * from job where owner = :owner and seq < :before order by seq desc limit :limit")
    List<Job> pageOwned(String owner, long before, int limit);

    @Query("select * from job where owner = :owner and state = :state and seq < :before order by seq desc"
            + " limit :limit")
    List<Job> pageOwnedInState(String owner, String state, long before, int limit);

    @Query("select count(*) from job where owner = :owner and state in ('QUEUED', 'RUNNING')")
    long countUnfinishedOwned(String owner);

    @Query("select count(*) from job where state = :state")
    long countInState(String state);

    /** Jobs a worker could claim now: queued ones and running ones whose lease ran out. */
    @Query("select count(*) from job where state = 'QUEUED' or (state = 'RUNNING' and lease_expires_at < :now)")
    long countClaimable(Instant now);

    /**
     * Candidates for a claim, oldest first: queued jobs, and running jobs whose lease ran out (their worker
     * died or lost the database). The claim itself is {@link #claim}.
     */
    @Query("select seq from job where " + CLAIMABLE + " order by seq limit :limit")
    List<Long> claimable(Instant now, int limit);

    /**
     * PostgreSQL: the oldest claimable job, row-locked until the transaction ends; rows that concurrent
     * claimers have locked are skipped instead of waited for, so claimers never queue behind each other.
     */
    @Query("select seq from job where " + CLAIMABLE + " order by seq limit 1 for update skip locked")
    List<Long> lockClaimable(Instant now);

    /** Re-checks claimability, so that of two claimers racing for one row only the first changes it. */
    @Modifying
    @Query("update job set state = 'RUNNING', worker_id = :worker, lease_expires_at = :lease,"
            + " attempt = attempt + 1, started_at = coalesce(started_at, :now), updated_at = :now"
            + " where seq = :seq and " + CLAIMABLE)
    int claim(long seq, String worker, Instant lease, Instant now);

    @Modifying
    @Query("update job set progress_json = :progress, lease_expires_at = :lease, updated_at = :now"
            + " where id = :id and state = 'RUNNING' and worker_id = :worker")
    int recordProgress(String id, String worker, String progress, Instant lease, Instant now);

    /** Leaves updated_at alone: a heartbeat is not a change anyone watching the job needs to see. */
    @Modifying
    @Query("update job set lease_expires_at = :lease where id = :id and state = 'RUNNING' and worker_id = :worker")
    int renewLease(String id, String worker, Instant lease);

    @Query("select control from job where id = :id and state = 'RUNNING' and worker_id = :worker")
    Optional<String> controlOf(String id, String worker);

    /** Changes nothing while a cancel is pending: a cancel that was accepted is never overtaken by the result. */
    @Modifying
    @Query("update job set state = 'SUCCEEDED', stopped_early = :stoppedEarly, epochs_completed = :epochs,"
            + " finished_at = :now, updated_at = :now, lease_expires_at = null"
            + " where id = :id and state = 'RUNNING' and worker_id = :worker"
            + " and (control is null or control <> 'CANCEL')")
    int markSucceeded(String id, String worker, boolean stoppedEarly, int epochs, Instant now);

    @Modifying
    @Query("update job set state = 'FAILED', error_code = :code, error_message = :message,"
            + " finished_at = :now, updated_at = :now, lease_expires_at = null"
            + " where id = :id and state = 'RUNNING' and worker_id = :worker")
    int markFailed(String id, String worker, String code, String message, Instant now);

    @Modifying
    @Query("update job set state = 'CANCELLED', finished_at = :now, updated_at = :now, lease_expires_at = null"
            + " where id = :id and state = 'RUNNING' and worker_id = :worker")
    int markRunningCancelled(String id, String worker, Instant now);

    @Modifying
    @Query("update job set state = 'CANCELLED', control = 'CANCEL', finished_at = :now, updated_at = :now"
            + " where id = :id and state = 'QUEUED'")
    int cancelQueued(String id, Instant now);

    /** A cancel request is never downgraded to a stop request. */
    @Modifying
    @Query("update job set control = :control, updated_at = :now"
            + " where id = :id and state = 'RUNNING' and (control is null or control <> 'CANCEL')")
    int requestControl(String id, String control, Instant now);

    @Modifying
    @Query("update job set state = 'QUEUED', worker_id = null, lease_expires_at = null, updated_at = :now"
            + " where id = :id and state = 'RUNNING' and worker_id = :worker")
    int release(String id, String worker, Instant now);

    @Modifying
    @Query("update job set state = 'CANCELLED', finished_at = :now, updated_at = :now, lease_expires_at = null"
            + " where state = 'RUNNING' and worker_id = :worker and control = 'CANCEL'")
    int recoverCancelled(String worker, Instant now);

    @Modifying
    @Query("update job set state = 'QUEUED', worker_id = null, lease_expires_at = null, control = null,"
            + " updated_at = :now where state = 'RUNNING' and worker_id = :worker")
    int recoverRunning(String worker, Instant now);

    /** Records the uploaded dataset ({@code dataset:ID}) a job reads; see {@link JobStore#insert}. */
    @Modifying
    @Query("update job set dataset_id = :datasetId where seq = :seq")
    int setDatasetId(long seq, String datasetId);

    /** Records the uploaded model ({@code model:ID}) a job fine-tunes; see {@link JobStore#insert}. */
    @Modifying
    @Query("update job set model_id = :modelId where seq = :seq")
    int setModelId(long seq, String modelId);

    /** Ids of the jobs not yet finished (QUEUED or RUNNING) that fine-tune this uploaded model, oldest first. */
    @Query("select id from job where model_id = :modelId and state in ('QUEUED', 'RUNNING') order by seq")
    List<String> unfinishedUsingModel(String modelId);

    /** Ids of the jobs not yet finished (QUEUED or RUNNING) that read this uploaded dataset, oldest first. */
    @Query("select id from job where dataset_id = :datasetId and state in ('QUEUED', 'RUNNING') order by seq")
    List<String> unfinishedUsingDataset(String datasetId);
}

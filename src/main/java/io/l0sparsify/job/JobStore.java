package io.l0sparsify.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.relational.core.dialect.Dialect;
import org.springframework.data.relational.core.dialect.PostgresDialect;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The job table behind a small vocabulary: insert, read, claim, report progress, finish. Every move between
 * states is checked against {@link JobState}'s table and done as a conditional update; when the update
 * finds the job no longer in the expected state, the actual state is read back and reported as an
 * {@link IllegalTransitionException}.
 */
@Component
public class JobStore {

    /** How many candidates one optimistic claim tries before giving up for this round. */
    private static final int CLAIM_CANDIDATES = 8;

    /** The scheme of a reference to an uploaded dataset. */
    private static final String DATASET_SCHEME = "dataset:";
    /** The width of job.dataset_id (V6): a UUID. */
    private static final int MAX_RESOURCE_ID = 36;

    private final JobRepository repository;
    private final JobAttemptRepository attempts;
    private final TransactionTemplate transactions;
    /** Whether the database can skip rows other transactions have locked (PostgreSQL). */
    private final boolean skipLocked;
    private final Clock clock;

    JobStore(JobRepository repository, JobAttemptRepository attempts, PlatformTransactionManager transactionManager,
            Dialect dialect, Clock clock) {
        this.repository = repository;
        this.attempts = attempts;
        this.transactions = new TransactionTemplate(transactionManager);
        this.skipLocked = dialect instanceof PostgresDialect;
        // Both databases keep microseconds; so does every instant handed out, so reads match writes.
        this.clock = Clock.tick(clock, Duration.of(1, ChronoUnit.MICROS));
    }

    /** A new QUEUED job owned by {@code owner}; its Idempotency-Key, if any, is unique among that owner's jobs. */
    @Transactional
    public Job insert(JobDefinition definition, String idempotencyKey, String owner) {
        String json = JobJson.write(JobDefinitionJson.write(definition));
        Instant now = clock.instant();
        Job job = new Job(null, UUID.randomUUID().toString(), definition.name(), JobState.QUEUED, json,
                JobJson.sha256(json), idempotencyKey, now, now, null, null, 0, null, null, null, null, false, null,
                null, null, owner);
        Job saved = repository.save(job);
        uploadedDatasetId(definition).ifPresent(datasetId -> repository.setDatasetId(saved.seq(), datasetId));
        uploadedModelId(definition).ifPresent(modelId -> repository.setModelId(saved.seq(), modelId));
        return saved;
    }

    /**
     * The queued and running jobs that fine-tune the uploaded model {@code modelId}; a model they need must not
     * be deleted.
     */
    public List<String> unfinishedJobsUsingModel(String modelId) {
        return repository.unfinishedUsingModel(modelId);
    }

    /** The id in a {@code model:ID} reference; submission admitted only a model that exists, so its id fits. */
    static Optional<String> uploadedModelId(JobDefinition definition) {
        UploadedModelRef upload = definition.upload();
        if (upload == null || upload.modelId().isEmpty() || upload.modelId().length() > MAX_RESOURCE_ID) {
            return Optional.empty();
        }
        return Optional.of(upload.modelId());
    }

    /**
     * The queued and running jobs that read the uploaded dataset {@code datasetId} (their reference is
     * {@code dataset:ID}); a dataset they need must not be deleted.
     */
    public List<String> unfinishedJobsUsingDataset(String datasetId) {
        return repository.unfinishedUsingDataset(datasetId);
    }

    /**
     * The id in a {@code dataset:ID} reference, recorded in its own column so that it is found exactly. Dataset
     * ids are UUIDs; a longer one names no dataset (submission refuses it) and is not recorded.
     */
    static Optional<String> uploadedDatasetId(JobDefinition definition) {
        String uri = definition.datasetUri();
        if (uri == null || !uri.startsWith(DATASET_SCHEME)) {
            return Optional.empty();
        }
        String id = uri.substring(DATASET_SCHEME.length());
        return id.isEmpty() || id.length() > MAX_RESOURCE_ID ? Optional.empty() : Optional.of(id);
    }

    public Optional<Job> find(String id) {
        return repository.findJob(id);
    }

    /** The job {@code owner} submitted with this Idempotency-Key. */
    public Optional<Job> findByIdempotencyKey(String owner, String key) {
        return repository.findByIdempotencyKey(owner, key);
    }

    /** Everyone's jobs older than {@code beforeSeq}, newest first; {@code state} null for all states. */
    public List<Job> page(JobState state, long beforeSeq, int limit) {
        return page(state, beforeSeq, limit, null);
    }

    /**
     * Jobs older than {@code beforeSeq}, newest first; {@code state} null for all states, {@code owner} null for
     * every owner's.
     */
    public List<Job> page(JobState state, long beforeSeq, int limit, String owner) {
        if (owner == null) {
            return state == null ? repository.page(beforeSeq, limit)
                    : repository.pageInState(state.name(), beforeSeq, limit);
        }
        return state == null ? repository.pageOwned(owner, beforeSeq, limit)
                : repository.pageOwnedInState(owner, state.name(), beforeSeq, limit);
    }

    /** The jobs of {@code owner} that are QUEUED or RUNNING (a quota counts them). */
    public long countUnfinished(String owner) {
        return repository.countUnfinishedOwned(owner);
    }

    public long count(JobState state) {
        return repository.countInState(state.name());
    }

    /** Jobs waiting for a worker: queued, or running under a lease that ran out (their worker died). */
    public long countClaimable() {
        return repository.countClaimable(clock.instant());
    }

    public Map<JobState, Long> countByState() {
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobState state : JobState.values()) {
            counts.put(state, repository.countInState(state.name()));
        }
        return counts;
    }

    /**
     * Claims the oldest job a worker may take for {@code workerId}: a QUEUED one (QUEUED → RUNNING), or a
     * RUNNING one whose lease ran out (it stays RUNNING under the new worker). Either way the attempt is
     * counted, the lease set to {@code lease} from now and the attempt recorded in the job's history, in one
     * transaction.
     *
     * <p>On PostgreSQL the candidate is locked with {@code for update skip locked}: concurrent claimers each
     * get a different row without waiting. Elsewhere (H2) the claim is optimistic: read candidates, then a
     * conditional update per candidate until one succeeds; a competing worker that wins a candidate makes our
     * update change no row. Both end in the same conditional update.
     */
    public Optional<Job> claimNext(String workerId, Duration lease) {
        JobState.QUEUED.requireMoveTo("(next queued)", JobState.RUNNING);
        if (skipLocked) {
            return transactions.execute(status -> {
                Instant now = clock.instant();
                List<Long> locked = repository.lockClaimable(now);
                return locked.isEmpty() ? Optional.<Job>empty() : claim(locked.get(0), workerId, lease, now);
            });
        }
        for (Long seq : repository.claimable(clock.instant(), CLAIM_CANDIDATES)) {
            Optional<Job> claimed = transactions.execute(status -> claim(seq, workerId, lease, clock.instant()));
            if (claimed.isPresent()) {
                return claimed;
            }
        }
        return Optional.empty();
    }

    private Optional<Job> claim(long seq, String workerId, Duration lease, Instant now) {
        if (repository.claim(seq, workerId, now.plus(lease), now) != 1) {
            return Optional.empty();
        }
        attempts.recordClaim(seq, now);
        return repository.findById(seq);
    }

    /** The job's attempts, first to last. */
    public List<JobAttempt> attempts(Job job) {
        return attempts.findByJob(job.seq());
    }

    /** Records where an attempt trains and the epochs it found done in the checkpoint (0: none). */
    public void recordStart(Job job, int attempt, int epochsCompleted, String device) {
        attempts.recordStart(job.seq(), attempt, epochsCompleted, device);
    }

    /** Stores progress and renews the lease; false when the job is no longer RUNNING under this worker. */
    public boolean recordProgress(String id, String workerId, JobProgress progress, Duration lease) {
        Instant now = clock.instant();
        return repository.recordProgress(id, workerId, JobJson.write(progress), now.plus(lease), now) == 1;
    }

    /** Extends the lease of a job this worker runs; false when the job is no longer RUNNING under it. */
    public boolean renewLease(String id, String workerId, Duration lease) {
        return repository.renewLease(id, workerId, clock.instant().plus(lease)) == 1;
    }

    /** The pending request for a job this worker runs: CANCEL, STOP_EARLY, or empty. */
    public Optional<String> controlOf(String id, String workerId) {
        return repository.controlOf(id, workerId);
    }

    /**
     * RUNNING → SUCCEEDED, unless the user's cancel was accepted first: the check and the move are one
     * conditional update, so a cancel answered 202 always ends the job CANCELLED, even one that arrives while the
     * finished run is being exported, and a cancel that arrives after this update is refused with 409.
     *
     * @return true when the job is SUCCEEDED now; false when a cancel is pending (the job is still RUNNING under
     *     this worker, and the worker ends it CANCELLED)
     * @throws IllegalTransitionException when the job is no longer RUNNING under this worker
     */
    public boolean markSucceeded(String id, String workerId, boolean stoppedEarly, int epochsCompleted) {
        if (repository.markSucceeded(id, workerId, stoppedEarly, epochsCompleted, clock.instant()) == 1) {
            return true;
        }
        boolean cancelPending = find(id).filter(job -> job.state() == JobState.RUNNING
                && workerId.equals(job.workerId()) && job.cancelRequested()).isPresent();
        if (cancelPending) {
            return false;
        }
        throw refused(id, JobState.SUCCEEDED);
    }

    public void markFailed(String id, String workerId, JobError error) {
        String message = error.message() == null ? "" : error.message();
        if (message.length() > 4000) {
            message = message.substring(0, 3997) + "...";
        }
        requireChanged(id, JobState.FAILED,
                repository.markFailed(id, workerId, error.code(), message, clock.instant()));
    }

    public void markCancelled(String id, String workerId) {
        requireChanged(id, JobState.CANCELLED, repository.markRunningCancelled(id, workerId, clock.instant()));
    }

    /** Gives a RUNNING job back to the queue (this worker is shutting down). */
    public void release(String id, String workerId) {
        requireChanged(id, JobState.QUEUED, repository.release(id, workerId, clock.instant()));
    }

    /** QUEUED → CANCELLED; false when the job was not QUEUED any more. */
    public boolean cancelQueued(String id) {
        return repository.cancelQueued(id, clock.instant()) == 1;
    }

    /** Records CANCEL or STOP_EARLY for a RUNNING job; false when it was not RUNNING (or already cancelling). */
    public boolean requestControl(String id, String control) {
        return repository.requestControl(id, control, clock.instant()) == 1;
    }

    /**
     * Start-up recovery for one worker identity: its RUNNING jobs were interrupted by the end of the previous
     * process. Those the user had asked to cancel end CANCELLED; the others go back to QUEUED.
     *
     * @return how many jobs were re-queued
     */
    @Transactional
    public int recover(String workerId) {
        Instant now = clock.instant();
        repository.recoverCancelled(workerId, now);
        // what is still RUNNING under this worker died with its previous process (a release never leaves it so)
        attempts.recordDeaths(workerId);
        return repository.recoverRunning(workerId, now);
    }

    private void requireChanged(String id, JobState target, int changedRows) {
        if (changedRows != 1) {
            throw refused(id, target);
        }
    }

    /** Why a conditional update changed nothing: the job's actual state, and the move that was asked. */
    private IllegalTransitionException refused(String id, JobState target) {
        JobState actual = find(id).map(Job::state)
                .orElseThrow(() -> new IllegalStateException("job " + id + " vanished"));
        // Either the table forbids the move, or the job is no longer held by this worker.
        return new IllegalTransitionException(id, actual, target);
    }
}

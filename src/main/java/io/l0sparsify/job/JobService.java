package io.l0sparsify.job;

import io.l0sparsify.dataset.DatasetPreview;
import io.l0sparsify.dataset.DatasetRef;
import io.l0sparsify.dataset.DatasetReferenceException;
import io.l0sparsify.dataset.DatasetResolver;
import io.l0sparsify.dataset.DatasetShapes;
import io.l0sparsify.l0.TrainingControl;
import io.l0sparsify.security.Caller;
import io.l0sparsify.spec.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/**
 * What users can do with jobs: submit, read, list, cancel, stop. Reads return {@link Optional}; the web layer
 * turns an empty one into 404 in one place. A job belongs to the caller that submitted it: for any other caller
 * but an admin it does not exist, and neither does another principal's uploaded dataset a job names.
 */
@Service
public class JobService {

    private static final String CURSOR_PREFIX = "seq:";
    /** How often a cancel or stop re-reads a job that changed state between its read and its update. */
    private static final int STATE_RACE_RETRIES = 5;

    private final JobStore store;
    private final DatasetResolver datasets;
    private final JobControls controls;
    private final ApplicationEventPublisher events;

    JobService(JobStore store, DatasetResolver datasets, JobControls controls, ApplicationEventPublisher events) {
        this.store = store;
        this.datasets = datasets;
        this.controls = controls;
        this.events = events;
    }

    /**
     * Checks what can only be checked here (the dataset exists, is allowed, and fits the model), then queues
     * the job, owned by {@code caller}. With an Idempotency-Key, a repeated identical request of the same caller
     * returns the first job.
     */
    public Submission submit(JobDefinition definition, String idempotencyKey, Caller caller) {
        return submit(definition, idempotencyKey, caller, () -> {});
    }

    /**
     * {@link #submit(JobDefinition, String, Caller)}, calling {@code beforeNewJob} once the request is known to make
     * a new job (it is valid and no replay), before it is stored: it throws to refuse the job (a quota).
     */
    public Submission submit(JobDefinition definition, String idempotencyKey, Caller caller, Runnable beforeNewJob) {
        checkDataset(definition, caller);
        String hash = JobJson.sha256(JobJson.write(JobDefinitionJson.write(definition)));
        String owner = caller.principal();
        if (idempotencyKey != null) {
            Optional<Job> existing = store.findByIdempotencyKey(owner, idempotencyKey);
            if (existing.isPresent()) {
                return replay(existing.get(), idempotencyKey, hash);
            }
        }
        beforeNewJob.run();
        Job job;
        try {
            job = store.insert(definition, idempotencyKey, owner);
        } catch (DuplicateKeyException e) {
            // Two requests with the same key raced; the loser answers like a replay.
            return replay(store.findByIdempotencyKey(owner, idempotencyKey).orElseThrow(() -> e), idempotencyKey,
                    hash);
        }
        events.publishEvent(new JobSubmittedEvent(job.id()));
        return new Submission(job, true);
    }

    /** The job, whoever owns it (the event streams re-read a job the caller was shown already). */
    public Optional<Job> find(String id) {
        return store.find(id);
    }

    /** The job, when {@code caller} may see it. */
    public Optional<Job> find(String id, Caller caller) {
        return store.find(id).filter(job -> caller.sees(job.owner()));
    }

    /** The QUEUED and RUNNING jobs of a principal. */
    public long unfinishedJobs(String owner) {
        return store.countUnfinished(owner);
    }

    /** Which workers have run the job, first attempt first, and where each resumed. */
    public List<JobAttempt> attempts(Job job) {
        return store.attempts(job);
    }

    /**
     * The jobs {@code caller} may see, newest first; {@code pageToken} from a previous page's
     * {@code nextPageToken}, or null.
     */
    public JobPage list(JobState state, int pageSize, String pageToken, Caller caller) {
        long before = pageToken == null ? Long.MAX_VALUE : decodeCursor(pageToken);
        List<Job> rows = store.page(state, before, pageSize + 1, caller.ownerFilter());
        if (rows.size() <= pageSize) {
            return new JobPage(rows, null);
        }
        List<Job> items = rows.subList(0, pageSize);
        return new JobPage(items, encodeCursor(items.get(items.size() - 1).seq()));
    }

    /**
     * A queued job is cancelled at once; a running one is asked to stop at its next step and ends CANCELLED
     * shortly after, also when its training is over and it is being exported, or it was asked to stop early
     * ({@link JobStore#markSucceeded}). A finished job cannot be cancelled: {@link IllegalTransitionException}.
     */
    public Optional<Job> cancel(String id, Caller caller) {
        // Loops only while the job changes state under us (e.g. claimed between our read and our update).
        for (int attempt = 0; attempt < STATE_RACE_RETRIES; attempt++) {
            Optional<Job> found = find(id, caller);
            if (found.isEmpty()) {
                return found;
            }
            Job job = found.get();
            boolean done = switch (job.state()) {
                case QUEUED -> store.cancelQueued(id);
                case RUNNING -> ask(job, TrainingControl.CANCEL, job.cancelRequested());
                case SUCCEEDED, FAILED, CANCELLED ->
                        throw new IllegalTransitionException(id, job.state(), JobState.CANCELLED);
            };
            if (done) {
                return store.find(id);
            }
        }
        throw new IllegalStateException("job " + id + " kept changing state; try again");
    }

    /**
     * A running job finishes after its current step and is pruned and exported as usual (SUCCEEDED). A finished
     * job is left as it is (the caller answers 200, nothing changed). Refused with {@link JobNotRunningException}
     * for a queued job (nothing to keep) and for a job being cancelled (the accepted cancel stands).
     */
    public Optional<Job> stop(String id, Caller caller) {
        for (int attempt = 0; attempt < STATE_RACE_RETRIES; attempt++) {
            Optional<Job> found = find(id, caller);
            if (found.isEmpty()) {
                return found;
            }
            Job job = found.get();
            boolean done = switch (job.state()) {
                case QUEUED -> throw new JobNotRunningException(id, JobState.QUEUED, "job " + id
                        + " is QUEUED and has done no work to keep; cancel it instead");
                case RUNNING -> {
                    if (job.cancelRequested()) {
                        throw new JobNotRunningException(id, JobState.RUNNING, "job " + id + " is being cancelled"
                                + " (a cancel was accepted) and ends CANCELLED; a stop cannot keep its result");
                    }
                    yield ask(job, TrainingControl.STOP_EARLY, job.stopRequested());
                }
                case SUCCEEDED, FAILED, CANCELLED -> true;
            };
            if (done) {
                return store.find(id);
            }
        }
        throw new IllegalStateException("job " + id + " kept changing state; try again");
    }

    /**
     * Stores {@code control} for a RUNNING job (unless {@code alreadyStored}) and tells this process's run at once;
     * false when the job left RUNNING, or a cancel was stored, before our update.
     */
    private boolean ask(Job job, TrainingControl control, boolean alreadyStored) {
        if (!alreadyStored && !store.requestControl(job.id(), control.name())) {
            return false;
        }
        controls.request(job.id(), control);
        return true;
    }

    /**
     * The dataset can be located (its member at fault is named otherwise), and where its shape is known before
     * reading it (an IDX header, an uploaded dataset) the model takes exactly that shape and has a logit for each
     * class. Files still to be fetched are checked by the worker once read. Another principal's uploaded dataset
     * is refused as one that does not exist.
     */
    private void checkDataset(JobDefinition definition, Caller caller) {
        DatasetRef ref = definition.dataset();
        DatasetPreview preview;
        try {
            preview = datasets.preview(datasets.locate(ref, caller::sees)).orElse(null);
        } catch (DatasetReferenceException e) {
            throw new JobValidationException(e.field(), e.getMessage());
        }
        if (preview == null) {
            return;
        }
        List<FieldError> errors = new ArrayList<>();
        ModelSpec model = definition.model();
        if (!DatasetShapes.fits(model.inputShape(), preview.shape())) {
            // an uploaded model's input is what it is: no other input shape to suggest
            errors.add(definition.upload() != null
                    ? new FieldError("model.uri", "the uploaded model takes " + model.inputShape() + " but "
                            + ref.uri() + " has examples of shape " + preview.shape() + " (dataset shape)")
                    : new FieldError(definition.preset() != null ? "model.preset" : "model.inputShape",
                            "the model takes " + model.inputShape() + " (model.inputShape) but " + ref.uri()
                                    + " has examples of shape " + preview.shape() + " (dataset shape)"
                                    + DatasetShapes.hint(preview.shape())));
        }
        if (preview.classes().isPresent() && preview.classes().getAsInt() > model.numClasses()) {
            errors.add(new FieldError(definition.upload() != null ? "model.uri" : "model.layers",
                    "the model's last layer gives " + model.numClasses()
                    + " logits but " + ref.uri() + " has " + preview.classes().getAsInt() + " classes"));
        }
        if (preview.hasOwnSplit() && ref.testFraction() != null) {
            errors.add(new FieldError("dataset.testFraction", ref.uri() + " has its own test split;"
                    + " testFraction applies only to datasets without one"));
        }
        if (!errors.isEmpty()) {
            throw new JobValidationException(errors);
        }
    }

    private Submission replay(Job existing, String key, String hash) {
        if (!existing.definitionHash().equals(hash)) {
            throw new IdempotencyConflictException(key, existing.id());
        }
        return new Submission(existing, false);
    }

    private static String encodeCursor(long seq) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + seq).getBytes(StandardCharsets.UTF_8));
    }

    private static long decodeCursor(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (text.startsWith(CURSOR_PREFIX)) {
                return Long.parseLong(text.substring(CURSOR_PREFIX.length()));
            }
        } catch (IllegalArgumentException e) {
            // falls through to the validation error below
        }
        throw new JobValidationException("pageToken", "is not a token this service issued; pass the "
                + "nextPageToken of the previous page");
    }
}

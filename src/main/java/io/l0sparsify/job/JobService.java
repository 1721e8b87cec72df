package io.l0sparsify.job;

import io.l0sparsify.dataset.DatasetReferenceException;
import io.l0sparsify.dataset.DatasetResolver;
import io.l0sparsify.dataset.ResolvedDataset;
import io.l0sparsify.l0.TrainingControl;
import io.l0sparsify.spec.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/**
 * What users can do with jobs: submit, read, list, cancel, stop. Reads return {@link Optional}; the web layer
 * turns an empty one into 404 in one place.
 */
@Service
public class JobService {

    private static final String CURSOR_PREFIX = "seq:";

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
     * the job. With an Idempotency-Key, a repeated identical request returns the first job.
     */
    public Submission submit(JobDefinition definition, String idempotencyKey) {
        checkDataset(definition);
        String hash = JobJson.sha256(JobJson.write(JobDefinitionJson.write(definition)));
        if (idempotencyKey != null) {
            Optional<Job> existing = store.findByIdempotencyKey(idempotencyKey);
            if (existing.isPresent()) {
                return replay(existing.get(), idempotencyKey, hash);
            }
        }
        Job job;
        try {
            job = store.insert(definition, idempotencyKey);
        } catch (DuplicateKeyException e) {
            // Two requests with the same key raced; the loser answers like a replay.
            return replay(store.findByIdempotencyKey(idempotencyKey).orElseThrow(() -> e), idempotencyKey, hash);
        }
        events.publishEvent(new JobSubmittedEvent(job.id()));
        return new Submission(job, true);
    }

    public Optional<Job> find(String id) {
        return store.find(id);
    }

    /** Which workers have run the job, first attempt first, and where each resumed. */
    public List<JobAttempt> attempts(Job job) {
        return store.attempts(job);
    }

    /** Newest first; {@code pageToken} from a previous page's {@code nextPageToken}, or null. */
    public JobPage list(JobState state, int pageSize, String pageToken) {
        long before = pageToken == null ? Long.MAX_VALUE : decodeCursor(pageToken);
        List<Job> rows = store.page(state, before, pageSize + 1);
        if (rows.size() <= pageSize) {
            return new JobPage(rows, null);
        }
        List<Job> items = rows.subList(0, pageSize);
        return new JobPage(items, encodeCursor(items.get(items.size() - 1).seq()));
    }

    /**
     * A queued job is cancelled at once; a running one is asked to stop at its next step and ends CANCELLED
     * shortly after. A finished job cannot be cancelled: {@link IllegalTransitionException}.
     */
    public Optional<Job> cancel(String id) {
        return request(id, TrainingControl.CANCEL, JobState.CANCELLED);
    }

    /** A running job finishes after its current step and is pruned and exported as usual (SUCCEEDED). */
    public Optional<Job> stop(String id) {
        return request(id, TrainingControl.STOP_EARLY, JobState.SUCCEEDED);
    }

    private Optional<Job> request(String id, TrainingControl control, JobState target) {
        // Loops only while the job changes state under us (e.g. claimed between our read and our update).
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<Job> found = store.find(id);
            if (found.isEmpty()) {
                return found;
            }
            Job job = found.get();
            if (job.state() == JobState.QUEUED && control == TrainingControl.CANCEL) {
                JobState.QUEUED.requireMoveTo(id, JobState.CANCELLED);
                if (store.cancelQueued(id)) {
                    return store.find(id);
                }
            } else if (job.state() == JobState.RUNNING) {
                if (job.cancelRequested() || store.requestControl(id, control.name())) {
                    controls.request(id, control);
                    return store.find(id);
                }
            } else if (job.state() == JobState.QUEUED) {
                throw new JobNotRunningException(id, "job " + id + " is QUEUED and has done no work to keep;"
                        + " cancel it instead");
            } else {
                job.state().requireMoveTo(id, target);
            }
        }
        throw new IllegalStateException("job " + id + " kept changing state; try again");
    }

    private void checkDataset(JobDefinition definition) {
        ResolvedDataset dataset;
        try {
            dataset = datasets.resolve(definition.datasetUri());
        } catch (DatasetReferenceException e) {
            throw new JobValidationException("dataset.uri", e.getMessage());
        }
        ModelSpec model = definition.model();
        List<Integer> shape = model.inputShape();
        boolean fits = shape.size() == 1 ? shape.get(0) == dataset.imageSize()
                : shape.get(0) == 1 && shape.get(1) == dataset.imageRows() && shape.get(2) == dataset.imageCols();
        if (!fits) {
            throw new JobValidationException(definition.preset() != null ? "model.preset" : "model.inputShape",
                    "the model takes " + shape + " but " + definition.datasetUri() + " has "
                            + dataset.imageRows() + "x" + dataset.imageCols() + " grey-scale images (use ["
                            + dataset.imageSize() + "] or [1, " + dataset.imageRows() + ", "
                            + dataset.imageCols() + "])");
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

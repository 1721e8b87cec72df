package io.l0sparsify.dataset;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.security.Caller;
import io.l0sparsify.storage.DatasetBlobStore;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * Uploaded datasets: an upload that has arrived whole becomes an INGESTING dataset, is read by its format's
 * reader on a bounded pool of ingestion threads, summarised, converted to the canonical form and stored in the
 * {@link DatasetBlobStore}, and ends READY; or ends FAILED with the reader's message (naming the file, array,
 * row or column) and nothing stored but the row that says why. Either way the temporary upload is removed.
 *
 * <p>Every ingestion's future is kept until it ends and the task itself records every outcome, so a failure
 * can never leave a dataset INGESTING for ever. An ingestion alive in this process is shown so by a heartbeat;
 * one that no process shows alive any more (the process ended mid-ingestion, with the upload on its local disk)
 * ends FAILED with reason {@value #INTERRUPTED} — re-ingesting is impossible, the upload went with the process.
 */
@Service
@ConditionalOnRole({Role.ALL, Role.API})
public class DatasetService {

    static final String INTERRUPTED = "interrupted by a restart of the service before ingestion ended; upload the"
            + " dataset again";
    private static final Logger log = LoggerFactory.getLogger(DatasetService.class);
    private static final String CURSOR_PREFIX = "dataset-seq:";

    private final DatasetStore store;
    private final DatasetBlobStore blobs;
    private final DatasetUploads uploads;
    private final DatasetReader reader;
    private final DatasetProperties properties;
    private final DatasetUploadProperties uploadProperties;
    private final JobStore jobs;
    private final ExecutorService ingestion;
    private final ScheduledExecutorService heartbeat;
    /** Ingestions running or waiting in this process, by dataset id. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    DatasetService(DatasetStore store, DatasetBlobStore blobs, DatasetUploads uploads, DatasetReader reader,
            DatasetProperties properties, DatasetUploadProperties uploadProperties, JobStore jobs) {
        this.store = store;
        this.blobs = blobs;
        this.uploads = uploads;
        this.reader = reader;
        this.properties = properties;
        this.uploadProperties = uploadProperties;
        this.jobs = jobs;
        this.ingestion = Executors.newFixedThreadPool(uploadProperties.ingestThreads(), named("dataset-ingest"));
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(named("dataset-heartbeat"));
    }

    /** One accepted upload: its dataset as first stored, and the ingestion that will end it. */
    public record Ingestion(Dataset dataset, CompletableFuture<Dataset> outcome) {}

    /**
     * Decides whether a dataset's stored form may be kept, given its size in bytes: the upload was admitted on its
     * own size, and the stored form of a compressed upload can be much larger. Throws to refuse, with the message
     * that the FAILED dataset then gives as its reason.
     */
    @FunctionalInterface
    public interface StoredSizeCheck {
        void admit(long storedBytes);
    }

    /**
     * Stores the upload as an INGESTING dataset and starts its ingestion. The upload's temporary directory
     * belongs to the ingestion from here on, which removes it when done. The dataset belongs to {@code owner}; its
     * stored form is kept only if {@code check} admits its size.
     */
    public Ingestion accept(DatasetUpload upload, ReceivedUpload received, String owner, StoredSizeCheck check)
            throws IOException {
        Dataset dataset;
        try {
            dataset = store.insert(upload.name(), upload.format(), received.sha256(), received.size(), owner);
        } catch (RuntimeException e) {
            uploads.remove(received.dir());
            throw e;
        }
        String id = dataset.id();
        inFlight.add(id);
        CompletableFuture<Dataset> outcome;
        try {
            outcome = CompletableFuture.supplyAsync(() -> ingest(dataset, upload.format(), received, check),
                    ingestion);
        } catch (RejectedExecutionException e) {
            // the process is shutting down
            inFlight.remove(id);
            endFailed(id, INTERRUPTED);
            uploads.remove(received.dir());
            throw e;
        }
        // the future is joined here: whatever the task let through is logged and the dataset ended, before
        // anyone waiting for the outcome hears of it
        CompletableFuture<Dataset> ended = outcome.whenComplete((result, failure) -> {
            if (failure != null) {
                log.error("ingestion of dataset {} ended abnormally", id, failure);
                endFailed(id, "internal error while ingesting; it has been logged");
                inFlight.remove(id);
            }
        });
        return new Ingestion(dataset, ended);
    }

    /** Reads, summarises, converts and stores one upload; returns the dataset as it ended. */
    private Dataset ingest(Dataset dataset, DatasetFormat format, ReceivedUpload received, StoredSizeCheck check) {
        String id = dataset.id();
        try {
            LabelledDataset data = reader.read(format, received.file(), properties.ingestLimits());
            DatasetSummary summary = DatasetSummary.of(data);
            Path canonical = received.dir().resolve(".canonical-" + UUID.randomUUID());
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(canonical), sha256)) {
                CanonicalDatasetCodec.write(data, out);
            }
            data = null; // the stored form is on disk: the examples may go before the blob is copied
            long size = Files.size(canonical);
            try {
                check.admit(size);
            } catch (RuntimeException e) {
                // the stored form is in the upload's directory, which the finally below removes
                endFailed(id, e.getMessage());
                return store.find(id).orElse(null);
            }
            blobs.put(id, canonical);
            if (!store.markReady(id, HexFormat.of().formatHex(sha256.digest()), size, summary)) {
                // deleted (or declared interrupted) while it was ingested: its blob must not outlive it
                blobs.delete(id);
            }
        } catch (DatasetFormatException e) {
            endFailed(id, e.getMessage());
        } catch (OutOfMemoryError e) {
            endFailed(id, "the dataset does not fit in the memory of the service while it is read");
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            log.error("ingestion of dataset {} failed", id, e);
            deleteBlobQuietly(id);
            endFailed(id, "the dataset could not be ingested or stored (a server fault; it has been logged)");
        } finally {
            inFlight.remove(id);
            try {
                uploads.remove(received.dir());
            } catch (IOException e) {
                log.warn("could not remove the temporary upload of dataset {}: {}", id, e.getMessage());
            }
        }
        return store.find(id).orElse(null);
    }

    private void endFailed(String id, String reason) {
        try {
            store.markFailed(id, reason);
        } catch (RuntimeException e) {
            // the database is unusable: the heartbeat has stopped for this one, so it ends FAILED once stale
            log.error("could not record the failure of dataset {}: {}", id, e.getMessage());
        }
    }

    private void deleteBlobQuietly(String id) {
        try {
            blobs.delete(id);
        } catch (IOException | RuntimeException e) {
            log.warn("could not remove the blob of failed dataset {}: {}", id, e.getMessage());
        }
    }

    public Optional<Dataset> find(String id) {
        return store.find(id);
    }

    /** The dataset, when {@code caller} may see it. */
    public Optional<Dataset> find(String id, Caller caller) {
        return store.find(id).filter(dataset -> caller.sees(dataset.owner()));
    }

    /** The bytes a principal's datasets take in the store (a quota counts them). */
    public long storedBytes(String owner) {
        return store.storedBytes(owner);
    }

    /**
     * One page of the datasets {@code caller} may see, newest first; {@code pageToken} from a previous page's
     * {@code nextPageToken}.
     */
    public DatasetPage list(DatasetState state, int pageSize, String pageToken, Caller caller) {
        long before = pageToken == null ? Long.MAX_VALUE : decodeCursor(pageToken);
        List<Dataset> rows = store.page(state, before, pageSize + 1, caller.ownerFilter());
        if (rows.size() <= pageSize) {
            return new DatasetPage(rows, null);
        }
        List<Dataset> items = rows.subList(0, pageSize);
        return new DatasetPage(items, encodeCursor(items.get(items.size() - 1).seq()));
    }

    /**
     * Deletes a dataset and its stored form, unless queued or running jobs read it ({@link DatasetInUseException}).
     * An INGESTING one may be deleted: its ingestion then finds it gone and removes what it stored.
     *
     * @return false when there is no such dataset, or {@code caller} may not see it
     */
    public boolean delete(String id, Caller caller) throws IOException {
        if (find(id, caller).isEmpty()) {
            return false;
        }
        List<String> users = jobs.unfinishedJobsUsingDataset(id);
        if (!users.isEmpty()) {
            // an admin's job may read a user's dataset; the user learns that it is in use, not the job's id
            List<String> visible = users.stream()
                    .filter(job -> jobs.find(job).map(j -> caller.sees(j.owner())).orElse(false)).toList();
            throw new DatasetInUseException(id, visible, users.size());
        }
        boolean deleted = store.delete(id);
        blobs.delete(id);
        return deleted;
    }

    /**
     * Deletes a dataset whose ingestion has just FAILED for a client that waited for it: it was told the reason,
     * so nothing of the upload is kept.
     */
    public void discardFailed(String id) {
        store.find(id).filter(d -> d.state() == DatasetState.FAILED).ifPresent(d -> store.delete(id));
    }

    /** Shows this process's ingestions alive, and ends those no process shows alive. */
    void beat() {
        try {
            store.touch(Set.copyOf(inFlight));
            int interrupted = store.failStale(uploadProperties.staleAfter(), INTERRUPTED);
            if (interrupted > 0) {
                log.warn("{} dataset ingestion(s) were interrupted by the end of their process; they are FAILED",
                        interrupted);
            }
        } catch (RuntimeException e) {
            log.warn("dataset heartbeat failed: {}", e.getMessage());
        }
    }

    @EventListener(ApplicationReadyEvent.class)
    void startHeartbeat() {
        try {
            int removed = uploads.removeAbandoned(uploadProperties.staleAfter());
            if (removed > 0) {
                log.info("removed {} temporary upload(s) left by an earlier process", removed);
            }
        } catch (IOException e) {
            log.warn("could not clean the upload area {}: {}", uploads.root(), e.getMessage());
        }
        long period = Math.max(250, uploadProperties.staleAfter().toMillis() / 4);
        heartbeat.scheduleWithFixedDelay(this::beat, 0, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops taking uploads and waits a little for the ingestions under way; those still unfinished then end
     * FAILED as interrupted (should even that fail, the next process's heartbeat ends them so).
     */
    @PreDestroy
    void shutdown() throws InterruptedException {
        heartbeat.shutdownNow();
        ingestion.shutdown();
        if (!ingestion.awaitTermination(10, TimeUnit.SECONDS)) {
            ingestion.shutdownNow();
        }
        for (String id : Set.copyOf(inFlight)) {
            endFailed(id, INTERRUPTED);
        }
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
        throw new DatasetValidationException(List.of(new io.l0sparsify.job.FieldError("pageToken",
                "is not a token this service issued; pass the nextPageToken of the previous page")));
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}

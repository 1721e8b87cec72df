package io.l0sparsify.dataset;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The dataset table behind a small vocabulary: insert an upload, read, page, and end its ingestion READY or
 * FAILED. Only an INGESTING dataset changes state, by a conditional update.
 */
@Component
public class DatasetStore {

    /** The width of dataset.failure_reason (V6). */
    static final int MAX_REASON = 4000;

    private final DatasetRepository repository;
    private final Clock clock;

    DatasetStore(DatasetRepository repository, Clock clock) {
        this.repository = repository;
        // Both databases keep microseconds; so does every instant handed out, so reads match writes.
        this.clock = Clock.tick(clock, Duration.of(1, ChronoUnit.MICROS));
    }

    /** A new dataset of {@code owner}, INGESTING, for an upload that has arrived whole. */
    public Dataset insert(String name, DatasetFormat format, String uploadSha256, long uploadSize, String owner) {
        Instant now = clock.instant();
        return repository.save(new Dataset(null, UUID.randomUUID().toString(), name, DatasetState.INGESTING,
                format.name(), DatasetJson.writeFormat(format), uploadSha256, uploadSize, null, null, null, null, now,
                now, owner));
    }

    public Optional<Dataset> find(String id) {
        return repository.findDataset(id);
    }

    /** Everyone's datasets older than {@code beforeSeq}, newest first; {@code state} null for all states. */
    public List<Dataset> page(DatasetState state, long beforeSeq, int limit) {
        return page(state, beforeSeq, limit, null);
    }

    /** {@link #page(DatasetState, long, int)} of one owner's datasets; {@code owner} null for everyone's. */
    public List<Dataset> page(DatasetState state, long beforeSeq, int limit, String owner) {
        if (owner == null) {
            return state == null ? repository.page(beforeSeq, limit)
                    : repository.pageInState(state.name(), beforeSeq, limit);
        }
        return state == null ? repository.pageOwned(owner, beforeSeq, limit)
                : repository.pageOwnedInState(owner, state.name(), beforeSeq, limit);
    }

    /**
     * The bytes {@code owner}'s datasets take: the stored form of READY ones, the upload of those still being
     * ingested (about what they will take); FAILED ones keep nothing.
     */
    public long storedBytes(String owner) {
        return repository.storedBytes(owner);
    }

    /** INGESTING → READY; false when the dataset is no longer INGESTING (deleted, or declared interrupted). */
    public boolean markReady(String id, String canonicalSha256, long canonicalSize, DatasetSummary summary) {
        return repository.markReady(id, canonicalSha256, canonicalSize, DatasetJson.write(summary),
                clock.instant()) == 1;
    }

    /** INGESTING → FAILED with the reason; false when the dataset is no longer INGESTING. */
    public boolean markFailed(String id, String reason) {
        String text = reason == null || reason.isBlank() ? "ingestion failed" : reason;
        if (text.length() > MAX_REASON) {
            text = text.substring(0, MAX_REASON - 3) + "...";
        }
        return repository.markFailed(id, text, clock.instant()) == 1;
    }

    /** Shows these INGESTING datasets alive now. */
    public void touch(Collection<String> ids) {
        if (!ids.isEmpty()) {
            repository.touch(ids, clock.instant());
        }
    }

    /**
     * Ends FAILED every INGESTING dataset not shown alive within {@code staleAfter}: the process ingesting it
     * ended, and its upload (a local temporary file) went with it.
     *
     * @return how many were ended
     */
    public int failStale(Duration staleAfter, String reason) {
        Instant now = clock.instant();
        return repository.failStale(now.minus(staleAfter), reason, now);
    }

    /** Removes the row; false when there was none. */
    public boolean delete(String id) {
        return repository.deleteDataset(id) == 1;
    }
}

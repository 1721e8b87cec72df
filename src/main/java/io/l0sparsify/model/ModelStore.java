package io.l0sparsify.model;

import io.l0sparsify.job.JobJson;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** The uploaded_model table behind a small vocabulary: insert a checked model, read, page, delete. */
@Component
public class ModelStore {

    private final ModelRepository repository;
    private final Clock clock;

    ModelStore(ModelRepository repository, Clock clock) {
        this.repository = repository;
        // Both databases keep microseconds; so does every instant handed out, so reads match writes.
        this.clock = Clock.tick(clock, Duration.of(1, ChronoUnit.MICROS));
    }

    /** A new READY model of {@code owner} with a fresh id. */
    public UploadedModel insert(String name, String uploadSha256, long uploadSize, ModelGraph graph, String owner) {
        return insert(UUID.randomUUID().toString(), name, uploadSha256, uploadSize, graph, owner);
    }

    /** A new READY model of {@code owner} under the given id (one its blob was stored under already). */
    public UploadedModel insert(String id, String name, String uploadSha256, long uploadSize, ModelGraph graph,
            String owner) {
        return repository.save(new UploadedModel(null, id, name, ModelState.READY, uploadSha256, uploadSize,
                graph.opset(), graph.parameters(), graph.flops(),
                JobJson.MAPPER.writeValueAsString(ModelSummary.of(graph)), clock.instant(), owner));
    }

    public Optional<UploadedModel> find(String id) {
        return repository.findModel(id);
    }

    /** Everyone's models older than {@code beforeSeq}, newest first. */
    public List<UploadedModel> page(long beforeSeq, int limit) {
        return repository.page(beforeSeq, limit);
    }

    /** {@link #page(long, int)} of one owner's models; {@code owner} null for everyone's. */
    public List<UploadedModel> page(long beforeSeq, int limit, String owner) {
        return owner == null ? repository.page(beforeSeq, limit) : repository.pageOwned(owner, beforeSeq, limit);
    }

    /** The bytes {@code owner}'s model files take. */
    public long storedBytes(String owner) {
        return repository.storedBytes(owner);
    }

    /** Removes the row; false when there was none. */
    public boolean delete(String id) {
        return repository.deleteModel(id) == 1;
    }
}

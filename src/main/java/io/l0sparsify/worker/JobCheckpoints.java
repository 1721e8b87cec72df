package io.l0sparsify.worker;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.l0.TrainingCheckpoint;
import io.l0sparsify.storage.CheckpointStore;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The worker's use of the checkpoint store. A checkpoint only shortens a rerun after an interruption, so none of
 * these ever fails a job: a checkpoint not saved, unreadable or not deleted is logged and the job goes on.
 */
@ConditionalOnRole({Role.ALL, Role.WORKER})
@Component
class JobCheckpoints {

    private static final Logger log = LoggerFactory.getLogger(JobCheckpoints.class);

    private final CheckpointStore store;

    JobCheckpoints(CheckpointStore store) {
        this.store = store;
    }

    void save(String jobId, TrainingCheckpoint checkpoint) {
        try {
            store.put(jobId, checkpoint.encode());
        } catch (IOException | RuntimeException e) {
            log.warn("job {}: checkpoint after epoch {} not saved: {}", jobId, checkpoint.epochsCompleted(),
                    e.getMessage());
        }
    }

    /** The job's last checkpoint; empty when there is none or it cannot be read (the run then starts over). */
    Optional<TrainingCheckpoint> latest(String jobId) {
        try {
            return store.get(jobId).map(TrainingCheckpoint::decode);
        } catch (IOException | RuntimeException e) {
            log.warn("job {}: checkpoint unreadable, starting over: {}", jobId, e.getMessage());
            return Optional.empty();
        }
    }

    void delete(String jobId) {
        try {
            store.delete(jobId);
        } catch (IOException | RuntimeException e) {
            log.warn("job {}: checkpoint not deleted: {}", jobId, e.getMessage());
        }
    }
}

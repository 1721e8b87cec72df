package io.l0sparsify.storage;

import java.io.IOException;
import java.util.Optional;

/**
 * The latest training checkpoint of each job, kept apart from its artifacts (users never download it): a
 * job that is interrupted (its worker stopped or died) resumes from it instead of starting over.
 */
public interface CheckpointStore {

    /** Replaces the job's checkpoint atomically. */
    void put(String jobId, StoredCheckpoint checkpoint) throws IOException;

    Optional<StoredCheckpoint> get(String jobId) throws IOException;

    void delete(String jobId) throws IOException;

    /**
     * A checkpoint as stored: where the run was and its opaque state (the core's serialization).
     *
     * @param epochsCompleted epochs finished when it was taken
     * @param step optimizer steps done
     * @param state the core's serialized parameters and averages
     */
    record StoredCheckpoint(int epochsCompleted, long step, byte[] state) {}
}

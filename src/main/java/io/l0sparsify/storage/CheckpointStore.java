package io.l0sparsify.storage;

import java.io.IOException;
import java.util.Optional;

/**
 * The latest training checkpoint of each job, kept apart from its artifacts (users never download it): a
 * job that is interrupted (its worker stopped or died) resumes from it instead of starting over. The bytes are
 * the core's ({@code TrainingCheckpoint.encode()}), stored and returned as they are.
 */
public interface CheckpointStore {

    /** Replaces the job's checkpoint atomically. */
    void put(String jobId, byte[] checkpoint) throws IOException;

    Optional<byte[]> get(String jobId) throws IOException;

    void delete(String jobId) throws IOException;
}

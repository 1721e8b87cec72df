package io.l0sparsify.model;

import java.util.List;

/**
 * Which unfinished jobs read a model, so that it is not deleted under them. Jobs cannot refer to models yet (the
 * import into training comes later); until then the only implementation, {@link #NONE}, finds none, and the job
 * store takes its place once jobs record the model they read.
 */
@FunctionalInterface
public interface ModelReferences {

    ModelReferences NONE = modelId -> List.of();

    /** Ids of the QUEUED and RUNNING jobs that read model {@code modelId}. */
    List<String> unfinishedJobsUsing(String modelId);
}

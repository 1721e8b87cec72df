package io.l0sparsify.model;

import java.util.List;

/**
 * Which unfinished jobs read a model, so that it is not deleted under them. The job store answers (it records the
 * model a job fine-tunes); {@link #NONE}, which finds none, serves where there is no job store.
 */
@FunctionalInterface
public interface ModelReferences {

    ModelReferences NONE = modelId -> List.of();

    /** Ids of the QUEUED and RUNNING jobs that read model {@code modelId}. */
    List<String> unfinishedJobsUsing(String modelId);
}

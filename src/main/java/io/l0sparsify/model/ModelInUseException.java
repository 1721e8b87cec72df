package io.l0sparsify.model;

import java.util.List;

/** A model that queued or running jobs still read cannot be deleted. */
public class ModelInUseException extends RuntimeException {

    private final List<String> jobIds;

    public ModelInUseException(String modelId, List<String> jobIds) {
        super("model " + modelId + " is read by " + jobIds.size() + " queued or running job(s) " + jobIds
                + "; cancel them or wait until they end");
        this.jobIds = List.copyOf(jobIds);
    }

    public List<String> jobIds() {
        return jobIds;
    }
}

package io.l0sparsify.dataset;

import java.util.List;

/** A dataset that queued or running jobs still read cannot be deleted. */
public final class DatasetInUseException extends RuntimeException {

    private final String datasetId;
    private final List<String> jobIds;

    public DatasetInUseException(String datasetId, List<String> jobIds) {
        super("dataset " + datasetId + " is used by " + jobIds.size() + " queued or running job"
                + (jobIds.size() == 1 ? "" : "s") + " (" + String.join(", ", jobIds)
                + "); delete it once they have finished or been cancelled");
        this.datasetId = datasetId;
        this.jobIds = List.copyOf(jobIds);
    }

    public String datasetId() {
        return datasetId;
    }

    public List<String> jobIds() {
        return jobIds;
    }
}

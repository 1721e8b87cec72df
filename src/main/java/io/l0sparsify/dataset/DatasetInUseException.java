package io.l0sparsify.dataset;

import java.util.List;

/** A dataset that queued or running jobs still read cannot be deleted. */
public final class DatasetInUseException extends RuntimeException {

    private final String datasetId;
    private final List<String> jobIds;

    /**
     * @param visibleJobIds the users the caller may see (its own, or all for an admin): the ids of other principals'
     *     jobs are not given out, only counted
     * @param users how many queued or running jobs read the dataset
     */
    public DatasetInUseException(String datasetId, List<String> visibleJobIds, int users) {
        super("dataset " + datasetId + " is used by " + users + " queued or running job" + (users == 1 ? "" : "s")
                + (visibleJobIds.isEmpty() ? "" : " (" + String.join(", ", visibleJobIds)
                        + (visibleJobIds.size() < users ? ", and others'" : "") + ")")
                + "; delete it once they have finished or been cancelled");
        this.datasetId = datasetId;
        this.jobIds = List.copyOf(visibleJobIds);
    }

    public String datasetId() {
        return datasetId;
    }

    public List<String> jobIds() {
        return jobIds;
    }
}

package io.l0sparsify.job;

import java.util.List;

/** One page of the job list, newest first; {@code nextPageToken} is null on the last page. */
public record JobPage(List<Job> items, String nextPageToken) {

    public JobPage {
        items = List.copyOf(items);
    }
}

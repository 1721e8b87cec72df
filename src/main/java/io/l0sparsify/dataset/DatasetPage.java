package io.l0sparsify.dataset;

import java.util.List;

/** One page of the dataset list, newest first; {@code nextPageToken} is null on the last page. */
public record DatasetPage(List<Dataset> items, String nextPageToken) {

    public DatasetPage {
        items = List.copyOf(items);
    }
}

package io.l0sparsify.api;

import java.util.List;

/** A page of datasets (schema {@code DatasetList}); {@code nextPageToken} is null on the last page. */
record DatasetListResponse(List<DatasetResponse> items, String nextPageToken) {}

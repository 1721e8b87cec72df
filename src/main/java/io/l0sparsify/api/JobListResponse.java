package io.l0sparsify.api;

import java.util.List;

/** A page of jobs (schema {@code JobList}); {@code nextPageToken} is null on the last page. */
record JobListResponse(List<JobResponse> items, String nextPageToken) {}

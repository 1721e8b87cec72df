package io.l0sparsify.api;

import java.util.List;

/** A page of models (schema {@code ModelList}); {@code nextPageToken} is null on the last page. */
record ModelListResponse(List<ModelResponse> items, String nextPageToken) {}

package io.l0sparsify.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.l0sparsify.dataset.Dataset;
import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.DatasetState;
import io.l0sparsify.dataset.DatasetSummary;
import java.time.Instant;
import java.util.Map;

/** A dataset as the contract shows it (schema {@code Dataset} in openapi.yaml). */
@JsonInclude(JsonInclude.Include.NON_NULL)
record DatasetResponse(
        String id,
        String uri,
        String name,
        String owner,
        DatasetState state,
        DatasetFormat format,
        Digest upload,
        Digest stored,
        DatasetSummary summary,
        String failureReason,
        Instant createdAt,
        Instant updatedAt,
        Map<String, String> links) {

    /** A content digest and size. */
    record Digest(String sha256, long sizeBytes) {}

    static DatasetResponse of(Dataset d) {
        return new DatasetResponse(d.id(), d.uri(), d.name(), d.owner(), d.state(), d.formatOptions(),
                new Digest(d.uploadSha256(), d.uploadSize()),
                d.canonicalSha256() == null ? null : new Digest(d.canonicalSha256(), d.canonicalSize()),
                d.summary().orElse(null), d.failureReason(), d.createdAt(), d.updatedAt(),
                Map.of("self", "/v1/datasets/" + d.id()));
    }
}

package io.l0sparsify.dataset;

import java.time.Instant;
import java.util.Optional;
import org.springframework.data.annotation.Id;

/**
 * One uploaded dataset as stored: a row of table {@code dataset}. The format's options and the summary are kept
 * as JSON text; {@link #formatOptions()} and {@link #summary()} read them back.
 *
 * @param seq insertion order; the list's cursor
 * @param id the public identifier (a UUID); jobs refer to it as {@code dataset:ID}
 * @param format the format's tag ({@code npz}, {@code csv}, ...)
 * @param formatJson the format with its options, as {@link DatasetFormat} writes it
 * @param uploadSha256 SHA-256 of the uploaded bytes
 * @param uploadSize size of the upload in bytes
 * @param canonicalSha256 SHA-256 of the stored canonical form ({@link CanonicalDatasetCodec}); null until READY
 * @param canonicalSize its size in bytes; null until READY
 * @param summaryJson {@link DatasetSummary} as JSON; null until READY
 * @param failureReason why ingestion FAILED, naming the file, array, row or column; null otherwise
 * @param updatedAt the last change, refreshed while an ingestion is alive
 * @param owner the principal that uploaded it; only it and admins see it
 */
public record Dataset(
        @Id Long seq,
        String id,
        String name,
        DatasetState state,
        String format,
        String formatJson,
        String uploadSha256,
        long uploadSize,
        String canonicalSha256,
        Long canonicalSize,
        String summaryJson,
        String failureReason,
        Instant createdAt,
        Instant updatedAt,
        String owner) {

    /** The scheme of a job's reference to an uploaded dataset. */
    public static final String URI_SCHEME = "dataset:";

    public DatasetFormat formatOptions() {
        return DatasetJson.readFormat(formatJson);
    }

    public Optional<DatasetSummary> summary() {
        return summaryJson == null ? Optional.empty() : Optional.of(DatasetJson.readSummary(summaryJson));
    }

    /** How a job refers to this dataset. */
    public String uri() {
        return URI_SCHEME + id;
    }
}

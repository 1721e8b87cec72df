package io.l0sparsify.dataset;

import java.util.List;

/**
 * What a job needs to know of an uploaded dataset.
 *
 * @param id the dataset's id
 * @param state INGESTING, READY or FAILED
 * @param canonicalSha256 the SHA-256 of its canonical form (a worker's cache key); null until READY
 * @param shape the shape of one example; null until READY
 * @param classNames one per class; empty until READY
 * @param hasOwnSplit whether the format shipped a test split (else a job holds one out)
 * @param failureReason why ingestion FAILED (naming the file, array, row or column); null in other states
 * @param owner the principal that uploaded it
 */
public record DatasetEntry(String id, DatasetState state, String canonicalSha256, InputShape shape,
        List<String> classNames, boolean hasOwnSplit, String failureReason, String owner) {

    public DatasetEntry {
        classNames = List.copyOf(classNames);
    }
}

package io.l0sparsify.dataset;

/**
 * Bounds a format reader enforces while it reads, so that an archive or gzip bomb, or a header promising more
 * than the file holds, fails early with a clear message instead of exhausting memory or disk.
 *
 * @param maxExpandedBytes the most bytes all decompressed entries together may produce
 * @param maxExpansionRatio the most the decompressed bytes may exceed the compressed ones, as a factor
 * @param maxClasses the most distinct classes
 */
public record IngestLimits(long maxExpandedBytes, int maxExpansionRatio, int maxClasses) {

    public IngestLimits {
        if (maxExpandedBytes < 1 || maxExpansionRatio < 1 || maxClasses < 2) {
            throw new IllegalArgumentException("ingest limits must be positive (and allow two classes)");
        }
    }
}

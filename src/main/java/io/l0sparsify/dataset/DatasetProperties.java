package io.l0sparsify.dataset;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Where datasets live and what the service accepts ({@code l0.datasets.*}).
 *
 * @param dir the directory of {@code builtin:NAME} datasets (one sub-directory per name)
 * @param allowedRoots directories under which {@code file:} datasets may lie; empty means {@link #dir} only
 * @param maxTrainExamples use at most this many training examples per job (0: all); for quick runs and tests
 * @param maxTestExamples use at most this many test examples per job (0: all)
 * @param cacheDir where a worker keeps datasets it fetched (stored, s3:, https:), by SHA-256
 * @param maxUploadSize the largest upload or fetched file accepted (413 past it)
 * @param maxExpandedSize the most bytes an archive or gzip stream may expand to while it is read
 * @param maxExpansionRatio the most an archive or gzip stream may expand relative to its compressed size
 * @param maxClasses the most classes a dataset may have
 * @param httpsAllowedHosts hosts an {@code https:} dataset may come from; empty (the default) allows none
 * @param defaultTestFraction the part of an unsplit dataset a job holds out for testing unless it says otherwise
 * @param s3AllowedBuckets buckets an {@code s3:} dataset may come from; empty (the default) allows none, so a job
 *     cannot make the service read what its credentials reach (the artifact bucket holds other users' uploads)
 */
@ConfigurationProperties("l0.datasets")
public record DatasetProperties(Path dir, List<Path> allowedRoots, Integer maxTrainExamples,
        Integer maxTestExamples, Path cacheDir, DataSize maxUploadSize, DataSize maxExpandedSize,
        Integer maxExpansionRatio, Integer maxClasses, List<String> httpsAllowedHosts, Double defaultTestFraction,
        List<String> s3AllowedBuckets) {

    public DatasetProperties {
        dir = dir != null ? dir : Path.of("data", "datasets");
        allowedRoots = allowedRoots == null || allowedRoots.isEmpty() ? List.of(dir) : List.copyOf(allowedRoots);
        maxTrainExamples = maxTrainExamples != null ? maxTrainExamples : 0;
        maxTestExamples = maxTestExamples != null ? maxTestExamples : 0;
        cacheDir = cacheDir != null ? cacheDir : Path.of("data", "dataset-cache");
        maxUploadSize = maxUploadSize != null ? maxUploadSize : DataSize.ofGigabytes(2);
        maxExpandedSize = maxExpandedSize != null ? maxExpandedSize : DataSize.ofGigabytes(4);
        maxExpansionRatio = maxExpansionRatio != null ? maxExpansionRatio : 200;
        maxClasses = maxClasses != null ? maxClasses : 1000;
        httpsAllowedHosts = httpsAllowedHosts != null ? List.copyOf(httpsAllowedHosts) : List.of();
        defaultTestFraction = defaultTestFraction != null ? defaultTestFraction : 0.2;
        s3AllowedBuckets = s3AllowedBuckets != null ? List.copyOf(s3AllowedBuckets) : List.of();
    }

    /** The configuration of the tests and tools that need only the directories. */
    public static DatasetProperties of(Path dir, List<Path> allowedRoots) {
        return new DatasetProperties(dir, allowedRoots, 0, 0, null, null, null, null, null, null, null, null);
    }

    /** The bounds format readers enforce. */
    public IngestLimits ingestLimits() {
        return new IngestLimits(maxExpandedSize.toBytes(), maxExpansionRatio, maxClasses);
    }
}

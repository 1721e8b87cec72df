package io.l0sparsify.dataset;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How uploads are received and ingested ({@code l0.datasets.upload.*}); their size limit is
 * {@link DatasetProperties#maxUploadSize()}.
 *
 * @param dir where an upload waits, as a temporary file, until it is ingested (each in a sub-directory of its
 *     own, removed when its ingestion ends; multipart bodies are buffered here too); local to the API process
 * @param ingestThreads how many uploads are ingested at once (each holds its dataset in memory); the others wait
 *     their turn on disk
 * @param staleAfter an ingestion not shown alive for this long was interrupted (its process ended) and ends
 *     FAILED; a live one shows itself every quarter of this
 */
@ConfigurationProperties("l0.datasets.upload")
public record DatasetUploadProperties(Path dir, Integer ingestThreads, Duration staleAfter) {

    public DatasetUploadProperties {
        dir = dir != null ? dir : Path.of("data", "uploads");
        ingestThreads = ingestThreads != null ? ingestThreads : 1;
        staleAfter = staleAfter != null ? staleAfter : Duration.ofMinutes(2);
        if (ingestThreads < 1) {
            throw new IllegalArgumentException("l0.datasets.upload.ingest-threads: must be at least 1");
        }
        if (staleAfter.toMillis() < 1000) {
            throw new IllegalArgumentException("l0.datasets.upload.stale-after: must be at least 1 s");
        }
    }
}

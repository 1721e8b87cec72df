package io.l0sparsify.dataset;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where datasets live ({@code l0.datasets.*}).
 *
 * @param dir the directory of {@code builtin:NAME} datasets (one sub-directory per name)
 * @param allowedRoots directories under which {@code file:} datasets may lie; empty means {@link #dir} only
 * @param maxTrainExamples use at most this many training images per job (0: all); for quick runs and tests
 * @param maxTestExamples use at most this many test images per job (0: all)
 */
@ConfigurationProperties("l0.datasets")
public record DatasetProperties(Path dir, List<Path> allowedRoots, Integer maxTrainExamples,
        Integer maxTestExamples) {

    public DatasetProperties {
        dir = dir != null ? dir : Path.of("data", "datasets");
        allowedRoots = allowedRoots == null || allowedRoots.isEmpty() ? List.of(dir) : List.copyOf(allowedRoots);
        maxTrainExamples = maxTrainExamples != null ? maxTrainExamples : 0;
        maxTestExamples = maxTestExamples != null ? maxTestExamples : 0;
    }
}

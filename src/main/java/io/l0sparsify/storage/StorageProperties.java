package io.l0sparsify.storage;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code l0.storage.dir}: the directory under which each job's artifacts live in a sub-directory. */
@ConfigurationProperties("l0.storage")
public record StorageProperties(Path dir) {

    public StorageProperties {
        dir = dir != null ? dir : Path.of("data", "artifacts");
    }
}

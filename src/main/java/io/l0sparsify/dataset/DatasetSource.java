package io.l0sparsify.dataset;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where a job's data comes from once its URI has been checked: the kinds a {@link DatasetLoader} reads, each
 * with what it needs. Closed, so that adding a kind fails the build where it must be handled.
 */
public sealed interface DatasetSource permits DatasetSource.IdxDirectory, DatasetSource.LocalFile,
        DatasetSource.Stored, DatasetSource.S3Object, DatasetSource.Remote {

    /** A directory of the four MNIST-layout IDX files ({@code builtin:NAME}, or {@code file:} naming a directory). */
    record IdxDirectory(Path dir) implements DatasetSource {}

    /** One dataset file on the server's disk, its real path under an allowed root. */
    record LocalFile(Path file, DatasetFormat format) implements DatasetSource {}

    /** An uploaded dataset ({@code dataset:ID}), READY when it was checked. */
    record Stored(DatasetEntry entry) implements DatasetSource {}

    /** An object in a bucket, read with the service's S3 client. */
    record S3Object(String bucket, String key, DatasetFormat format) implements DatasetSource {}

    /** A file on an allowed HTTPS host. */
    record Remote(URI uri, DatasetFormat format) implements DatasetSource {}
}

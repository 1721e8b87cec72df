package io.l0sparsify.dataset;

import io.l0sparsify.testing.Mnist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Dataset directories for tests, built from the project's test copy of MNIST (see {@link Mnist}) without
 * downloading anything: a fresh directory per call under target/, with {@code mnist/} holding the IDX files.
 * The files are hard links or copies, never symlinks: the service refuses a dataset file whose link leads
 * out of its directory.
 */
public final class TestDatasets {

    private TestDatasets() {}

    /** A new datasets directory containing {@code mnist/}. */
    public static Path withMnist() {
        Path root = Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();
        linkMnistInto(root.resolve("datasets").resolve("mnist"));
        return root.resolve("datasets");
    }

    /** Creates {@code dir} and hard-links (or, where that is refused, copies) the MNIST files into it. */
    public static void linkMnistInto(Path dir) {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(Mnist.directory())) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Path target = dir.resolve(file.getFileName());
                    try {
                        Files.createLink(target, file.toAbsolutePath());
                    } catch (UnsupportedOperationException | IOException e) {
                        Files.copy(file, target);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

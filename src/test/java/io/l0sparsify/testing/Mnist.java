package io.l0sparsify.testing;

import io.l0sparsify.dataset.IdxReader;
import io.l0sparsify.dataset.TrainTestSplit;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * MNIST for tests, read once per JVM from the project's sibling {@code shared/datasets/mnist} (or the
 * directory in {@code L0_MNIST_DIR}). Tests never download anything.
 */
public final class Mnist {

    private static TrainTestSplit cached;

    private Mnist() {}

    public static Path directory() {
        String env = System.getenv("L0_MNIST_DIR");
        Path dir = env != null ? Path.of(env) : Path.of("..", "shared", "datasets", "mnist").toAbsolutePath().normalize();
        if (!IdxReader.isComplete(dir)) {
            throw new IllegalStateException("MNIST not found in " + dir + "; set L0_MNIST_DIR to a directory with"
                    + " the four IDX files");
        }
        return dir;
    }

    public static synchronized TrainTestSplit full() {
        if (cached == null) {
            cached = IdxReader.readSplit(directory());
        }
        return cached;
    }
}

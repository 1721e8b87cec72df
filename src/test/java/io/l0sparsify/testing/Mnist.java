package io.l0sparsify.testing;

import io.l0sparsify.dataset.IdxReader;
import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.dataset.TrainingData;
import java.nio.file.Path;

/**
 * MNIST for tests, read once per JVM from the project's sibling {@code shared/datasets/mnist} (or the
 * directory in {@code L0_MNIST_DIR}). Tests never download anything.
 */
public final class Mnist {

    /** The flat input of a multilayer perceptron on MNIST. */
    public static final InputShape FLAT = InputShape.features(784);

    private static TrainingData cached;

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

    /** The whole of MNIST as a job reads it: images [1, 28, 28] of unsigned bytes, scaled by 1/255. */
    public static synchronized TrainingData full() {
        if (cached == null) {
            cached = TrainingData.ofGivenSplit(IdxReader.readSplit(directory()));
        }
        return cached;
    }

    /** The same images seen as 784 features, for a multilayer perceptron. */
    public static TrainingData flat() {
        return full().shapedFor(FLAT);
    }
}

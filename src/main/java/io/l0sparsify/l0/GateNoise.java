package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * The uniform noise behind gate samples, drawn in Java from a generator owned by one run. Two runs in
 * the same process then never share a random stream (PyTorch's global generator would make them
 * depend on each other), and a run resumed at an epoch boundary draws exactly what it would have drawn.
 */
final class GateNoise {

    private final long seed;
    private SplittableRandom random;

    GateNoise(long seed) {
        this.seed = seed;
        startEpoch(0);
    }

    /** Restarts the stream at the beginning of {@code epoch} (0-based). */
    void startEpoch(int epoch) {
        random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 0x5851F42DL);
    }

    /** u ~ U(ε, 1−ε) of the given shape, created on {@code manager}. */
    NDArray uniform(NDManager manager, Shape shape) {
        float[] values = new float[Math.toIntExact(shape.size())];
        double span = 1 - 2 * HardConcreteGate.EPSILON;
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (HardConcreteGate.EPSILON + span * random.nextDouble());
        }
        return NativeArrays.create(manager, values, 0, shape);
    }
}

package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;
import io.l0sparsify.spec.LayerSpec;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The network runs a ReLU that the spec puts before a max-pooling after it ({@link L0Network#poolsBeforeRelu}):
 * the outputs must be the same values (a zero's sign aside: see {@link L0Network}) and the gradients the same bits
 * as in the written order, on inputs full of what could tell them apart: windows that are all negative, zeros of
 * both signs beside negatives, ties of positive values, NaN, infinities, padding.
 */
class PoolBeforeReluTest {

    @Test
    void onlyAReluJustBeforeAMaxPoolingMoves() {
        assertThat(L0Network.poolsBeforeRelu(new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2))).isTrue();
        assertThat(L0Network.poolsBeforeRelu(new LayerSpec.Relu(), new LayerSpec.AvgPool(2, 2, 0, true))).isFalse();
        assertThat(L0Network.poolsBeforeRelu(new LayerSpec.MaxPool(2, 2), new LayerSpec.Relu())).isFalse();
        assertThat(L0Network.poolsBeforeRelu(new LayerSpec.Relu(), null)).isFalse();
    }

    @Test
    void reluThenPoolingAndPoolingThenReluGiveTheSameBitsBothWays() {
        for (int[] pool : new int[][] {{2, 2, 0}, {3, 2, 1}, {3, 1, 1}}) {
            compare(pool[0], pool[1], pool[2]);
        }
    }

    private static void compare(int size, int stride, int padding) {
        Shape kernel = new Shape(size, size);
        Shape strides = new Shape(stride, stride);
        Shape pad = new Shape(padding, padding);
        UnaryOperator<NDArray> pool = x -> Pool.maxPool2d(x, kernel, strides, pad, false);
        UnaryOperator<NDArray> written = x -> pool.apply(Activation.relu(x));
        UnaryOperator<NDArray> run = x -> Activation.relu(pool.apply(x));
        Random random = new Random(size * 31L + stride * 7L + padding);
        float[] values = new float[4 * 3 * 12 * 12];
        for (int i = 0; i < values.length; i++) {
            // small integers: many ties, zeros and all-negative windows; every 5th a fraction
            values[i] = random.nextInt(5) == 0 ? (float) random.nextGaussian() : random.nextInt(5) - 3;
            if (values[i] == 0 && random.nextBoolean()) {
                values[i] = -0f;
            }
        }
        values[7] = Float.NaN;
        values[300] = Float.POSITIVE_INFINITY;
        values[301] = Float.NEGATIVE_INFINITY;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Result a = forwardBackward(manager, values, written, null);
            Result b = forwardBackward(manager, values, run, a.upstream());
            assertThat(b.output()).hasSameSizeAs(a.output());
            for (int i = 0; i < a.output().length; i++) {
                float inOrder = a.output()[i];
                float swapped = b.output()[i];
                // == tells −0 from nothing but +0; NaN is compared by being NaN
                assertThat(swapped == inOrder || Float.isNaN(swapped) && Float.isNaN(inOrder))
                        .as("output %d, pooling %d/%d/%d: %s against %s", i, size, stride, padding, swapped, inOrder)
                        .isTrue();
            }
            assertThat(b.gradient()).as("gradients, pooling %d/%d/%d", size, stride, padding)
                    .containsExactly(a.gradient());
            int zeros = 0;
            for (float g : a.gradient()) {
                zeros += g == 0 ? 1 : 0;
            }
            assertThat(zeros).as("the inputs reach the cases that differ").isBetween(values.length / 4,
                    values.length - 1);
            boolean nan = false;
            for (float y : a.output()) {
                nan |= Float.isNaN(y);
            }
            assertThat(nan).as("NaN reaches an output").isTrue();
        }
    }

    private record Result(float[] output, float[] gradient, float[] upstream) {}

    /** The block's output and the gradient of Σ output ⊙ upstream (random weights, so every position counts). */
    private static Result forwardBackward(NDManager manager, float[] values, UnaryOperator<NDArray> block,
            float[] upstream) {
        try (NDScope scope = new NDScope(); GradientCollector collector = manager.getEngine().newGradientCollector()) {
            NDArray x = manager.create(values, new Shape(4, 3, 12, 12));
            x.setRequiresGradient(true);
            NDArray y = block.apply(x);
            float[] weights = upstream;
            if (weights == null) {
                Random random = new Random(1);
                weights = new float[(int) y.size()];
                for (int i = 0; i < weights.length; i++) {
                    weights[i] = (float) random.nextGaussian();
                }
            }
            collector.backward(y.mul(manager.create(weights, y.getShape())).sum());
            return new Result(y.toFloatArray(), x.getGradient().toFloatArray(), weights);
        }
    }
}

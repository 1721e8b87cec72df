package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The switch between libtorch's CPU convolutions. The case is LeNet-5-Caffe's second convolution (20 → 50 maps,
 * 5×5, on 12×12), the one oneDNN's wide kernels computed wrongly on some CPUs: both kinds must give what plain
 * loops give, forward and for the weights' gradient.
 */
class CpuConvolutionsTest {

    private static final int BATCH = 100;
    private static final int IN = 20;
    private static final int OUT = 50;
    private static final int SIZE = 12;
    private static final int KERNEL = 5;
    private static final int OUT_SIZE = SIZE - KERNEL + 1;

    @Test
    void theEngineRunsTheConfiguredKindGemmUnlessAPropertySaysOtherwise() {
        Libtorch.engine();
        assertThat(Libtorch.cpuConvolutions()).isEqualTo(CpuConvolutions.configured());
        String before = System.getProperty(CpuConvolutions.PROPERTY);
        try {
            System.clearProperty(CpuConvolutions.PROPERTY);
            assertThat(CpuConvolutions.configured()).isEqualTo(CpuConvolutions.GEMM);
            System.setProperty(CpuConvolutions.PROPERTY, "OneDNN");
            assertThat(CpuConvolutions.configured()).isEqualTo(CpuConvolutions.ONEDNN);
        } finally {
            restore(before);
        }
    }

    @Test
    void anUnknownKindIsRefusedNamingThePropertyAndTheKindsThereAre() {
        assertThatThrownBy(() -> CpuConvolutions.parse("winograd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(CpuConvolutions.PROPERTY)
                .hasMessageContaining("[gemm, onednn]")
                .hasMessageContaining("'winograd'");
    }

    @Test
    void bothKindsComputeWhatPlainLoopsComputeForwardAndBackward() {
        SplittableRandom random = new SplittableRandom(7);
        float[] input = normals(random, BATCH * IN * SIZE * SIZE);
        float[] weight = normals(random, OUT * IN * KERNEL * KERNEL);
        float[] bias = normals(random, OUT);
        float[] expected = loops(input, weight, bias);
        Libtorch.engine();
        CpuConvolutions configured = Libtorch.cpuConvolutions();
        float[][] gradients = new float[CpuConvolutions.values().length][];
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            for (CpuConvolutions kind : CpuConvolutions.values()) {
                assertThat(Libtorch.use(kind)).isTrue();
                assertThat(Libtorch.cpuConvolutions()).isEqualTo(kind);
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.create(input, new Shape(BATCH, IN, SIZE, SIZE));
                    NDArray w = scope.create(weight, new Shape(OUT, IN, KERNEL, KERNEL));
                    w.setRequiresGradient(true);
                    NDArray b = scope.create(bias);
                    float[] actual;
                    try (var collector = manager.getEngine().newGradientCollector()) {
                        NDArray y = Conv2d.conv2d(x, w, b, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1)
                                .singletonOrThrow();
                        actual = y.toFloatArray();
                        // a loss whose weight gradient depends on every output: Σ y²/2
                        collector.backward(y.square().sum().div(2));
                    }
                    gradients[kind.ordinal()] = w.getGradient().toFloatArray();
                    for (int i = 0; i < expected.length; i++) {
                        // 500 products of N(0,1) values: sums of size ~20, float rounding well under 1e-4
                        assertThat(actual[i]).as("%s output %d", kind, i).isCloseTo(expected[i],
                                within(1e-4f * Math.max(1, Math.abs(expected[i]))));
                    }
                }
            }
        } finally {
            Libtorch.use(configured);
        }
        double[][] reference = weightGradient(input, expected);
        for (CpuConvolutions kind : CpuConvolutions.values()) {
            float[] actual = gradients[kind.ordinal()];
            for (int i = 0; i < actual.length; i++) {
                // a sum of 1,024 products y·x that largely cancel: float rounding is bounded by the sum of their
                // magnitudes, not by the result (about 1e-7 of it per product, 1e-5 leaves a hundredfold margin)
                assertThat(actual[i]).as("%s weight gradient %d", kind, i)
                        .isCloseTo((float) reference[0][i], within((float) (1e-5 * reference[1][i])));
            }
        }
    }

    /** ∂(Σ y²/2)/∂w = Σ y·x over the batch and the output positions, and the sum of |y·x|, per weight. */
    private static double[][] weightGradient(float[] input, float[] output) {
        double[] gradient = new double[OUT * IN * KERNEL * KERNEL];
        double[] magnitude = new double[gradient.length];
        for (int n = 0; n < BATCH; n++) {
            for (int o = 0; o < OUT; o++) {
                for (int r = 0; r < OUT_SIZE; r++) {
                    for (int c = 0; c < OUT_SIZE; c++) {
                        double y = output[((n * OUT + o) * OUT_SIZE + r) * OUT_SIZE + c];
                        for (int i = 0; i < IN; i++) {
                            for (int kr = 0; kr < KERNEL; kr++) {
                                for (int kc = 0; kc < KERNEL; kc++) {
                                    double term = y * input[((n * IN + i) * SIZE + r + kr) * SIZE + c + kc];
                                    int w = ((o * IN + i) * KERNEL + kr) * KERNEL + kc;
                                    gradient[w] += term;
                                    magnitude[w] += Math.abs(term);
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {gradient, magnitude};
    }

    private static float[] loops(float[] input, float[] weight, float[] bias) {
        float[] out = new float[BATCH * OUT * OUT_SIZE * OUT_SIZE];
        for (int n = 0; n < BATCH; n++) {
            for (int o = 0; o < OUT; o++) {
                for (int r = 0; r < OUT_SIZE; r++) {
                    for (int c = 0; c < OUT_SIZE; c++) {
                        double sum = bias[o];
                        for (int i = 0; i < IN; i++) {
                            for (int kr = 0; kr < KERNEL; kr++) {
                                for (int kc = 0; kc < KERNEL; kc++) {
                                    sum += (double) input[((n * IN + i) * SIZE + r + kr) * SIZE + c + kc]
                                            * weight[((o * IN + i) * KERNEL + kr) * KERNEL + kc];
                                }
                            }
                        }
                        out[((n * OUT + o) * OUT_SIZE + r) * OUT_SIZE + c] = (float) sum;
                    }
                }
            }
        }
        return out;
    }

    private static float[] normals(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            // Box–Muller, one value per pair
            values[i] = (float) (Math.sqrt(-2 * Math.log(1 - random.nextDouble()))
                    * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        return values;
    }

    private static void restore(String before) {
        if (before == null) {
            System.clearProperty(CpuConvolutions.PROPERTY);
        } else {
            System.setProperty(CpuConvolutions.PROPERTY, before);
        }
    }
}

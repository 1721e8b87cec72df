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
 * The switches between libtorch's CPU convolutions. The case is LeNet-5-Caffe's second convolution (20 → 50 maps,
 * 5×5, on 12×12), the one oneDNN's wide kernels computed wrongly on some CPUs: every kind must give what plain
 * loops give, forward and for the gradients of the input and the weights.
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
        assertThat(Libtorch.applied()).isNotNull();
        assertThat(Libtorch.cpuConvolutions()).isEqualTo(Libtorch.applied());
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
                .hasMessageContaining("[gemm, nnpack, onednn]")
                .hasMessageContaining("'winograd'");
    }

    @Test
    void everyKindComputesWhatPlainLoopsComputeForwardAndBackward() {
        SplittableRandom random = new SplittableRandom(7);
        float[] input = normals(random, BATCH * IN * SIZE * SIZE);
        float[] weight = normals(random, OUT * IN * KERNEL * KERNEL);
        float[] bias = normals(random, OUT);
        float[] expected = loops(input, weight, bias);
        double[][][] reference = gradients(input, weight, expected);
        Libtorch.engine();
        CpuConvolutions configured = Libtorch.cpuConvolutions();
        float[][] outputs = new float[CpuConvolutions.values().length][];
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            for (CpuConvolutions kind : CpuConvolutions.values()) {
                assertThat(Libtorch.use(kind)).isTrue();
                assertThat(Libtorch.cpuConvolutions()).isEqualTo(kind);
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.create(input, new Shape(BATCH, IN, SIZE, SIZE));
                    NDArray w = scope.create(weight, new Shape(OUT, IN, KERNEL, KERNEL));
                    x.setRequiresGradient(true);
                    w.setRequiresGradient(true);
                    NDArray b = scope.create(bias);
                    try (var collector = manager.getEngine().newGradientCollector()) {
                        NDArray y = Conv2d.conv2d(x, w, b, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1)
                                .singletonOrThrow();
                        outputs[kind.ordinal()] = y.toFloatArray();
                        // a loss whose gradients depend on every output: Σ y²/2
                        collector.backward(y.square().sum().div(2));
                    }
                    float[] actual = outputs[kind.ordinal()];
                    for (int i = 0; i < expected.length; i++) {
                        // 500 products of N(0,1) values: sums of size ~20, float rounding well under 1e-4
                        assertThat(actual[i]).as("%s output %d", kind, i).isCloseTo(expected[i],
                                within(1e-4f * Math.max(1, Math.abs(expected[i]))));
                    }
                    // each a sum of products y·w or y·x that largely cancel: float rounding is bounded by the sum
                    // of their magnitudes, not by the result (about 1e-7 of it per product at these counts, 1e-5
                    // leaves a hundredfold margin)
                    assertCloseTo(kind + " input gradient", x.getGradient().toFloatArray(), reference[0]);
                    assertCloseTo(kind + " weight gradient", w.getGradient().toFloatArray(), reference[1]);
                }
            }
        } finally {
            Libtorch.use(configured);
        }
        // the switch takes effect: NNPACK's fast algorithms round differently from im2col and GEMM; on a CPU where
        // NNPACK does not initialise, libtorch falls back to im2col and GEMM, bit for bit
        Boolean nnpack = Libtorch.nnpackAvailable();
        assertThat(nnpack).as("at::native::_nnpack_available found").isNotNull();
        if (nnpack) {
            assertThat(outputs[CpuConvolutions.NNPACK.ordinal()])
                    .isNotEqualTo(outputs[CpuConvolutions.GEMM.ordinal()]);
        } else {
            assertThat(outputs[CpuConvolutions.NNPACK.ordinal()]).isEqualTo(outputs[CpuConvolutions.GEMM.ordinal()]);
        }
    }

    private static void assertCloseTo(String what, float[] actual, double[][] reference) {
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("%s %d", what, i)
                    .isCloseTo((float) reference[0][i], within((float) (1e-5 * reference[1][i])));
        }
    }

    /**
     * The gradients of Σ y²/2 with y = conv(x, w) + b, in doubles: {∂/∂x, Σ|terms| of it} and {∂/∂w, Σ|terms|}.
     * ∂/∂w sums y·x over the batch and the 8×8 output positions (6,400 products per weight); ∂/∂x sums y·w over
     * the output maps and kernel positions that read the input value (up to 1,250).
     */
    private static double[][][] gradients(float[] input, float[] weight, float[] output) {
        double[] dx = new double[input.length];
        double[] dxMagnitude = new double[input.length];
        double[] dw = new double[weight.length];
        double[] dwMagnitude = new double[weight.length];
        for (int n = 0; n < BATCH; n++) {
            for (int o = 0; o < OUT; o++) {
                for (int r = 0; r < OUT_SIZE; r++) {
                    for (int c = 0; c < OUT_SIZE; c++) {
                        double y = output[((n * OUT + o) * OUT_SIZE + r) * OUT_SIZE + c];
                        for (int i = 0; i < IN; i++) {
                            for (int kr = 0; kr < KERNEL; kr++) {
                                for (int kc = 0; kc < KERNEL; kc++) {
                                    int xi = ((n * IN + i) * SIZE + r + kr) * SIZE + c + kc;
                                    int wi = ((o * IN + i) * KERNEL + kr) * KERNEL + kc;
                                    double toW = y * input[xi];
                                    double toX = y * weight[wi];
                                    dw[wi] += toW;
                                    dwMagnitude[wi] += Math.abs(toW);
                                    dx[xi] += toX;
                                    dxMagnitude[xi] += Math.abs(toX);
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][][] {{dx, dxMagnitude}, {dw, dwMagnitude}};
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

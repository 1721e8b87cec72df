package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.spec.Presets;
import io.l0sparsify.testing.Mnist;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

/** The heap update against the engine's kernels it replaces on the CPU. */
class HostUpdateTest {

    /** Sizes with and without a tail after libtorch's vector blocks (8 and 16 floats). */
    private static final int[] SIZES = {1, 7, 37, 300, 1000, 235_200};

    @Test
    void adamsMomentsAreTheKernelsBitsAndItsWeightsDifferOnlyByTheSquareRootsRounding() {
        Random random = new Random(3);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            for (int size : SIZES) {
                float[] m = gaussians(random, size, 1e-3);
                float[] v = new float[size];
                NDArray weight = manager.create(gaussians(random, size, 1));
                NDArray mean = manager.create(m.clone());
                NDArray variance = manager.create(v.clone());
                int differingWeights = 0;
                for (int step = 1; step <= 20; step++) {
                    // gradients over many scales, some exactly zero, as a network's are
                    float[] g = gaussians(random, size, Math.exp(random.nextGaussian() * 4));
                    g[random.nextInt(size)] = 0;
                    float stepSize = (float) (1e-3 * Math.sqrt(1 - Math.pow(0.999, step)) / (1 - Math.pow(0.9, step)));
                    // both from the kernel's weights before the step, so each step's difference is seen alone
                    float[] w = weight.toFloatArray();
                    float[] before = w.clone();
                    try (NDArray gradient = manager.create(g)) {
                        weight.getNDArrayInternal().adamUpdate(new NDList(weight, gradient, mean, variance),
                                new NDList(weight), 1e-3f, stepSize, 0f, 1f, -1f, ResumableAdam.BETA1,
                                ResumableAdam.BETA2, ResumableAdam.EPSILON, true, false);
                    }
                    HostUpdate.adam(w, g, m, v, size, stepSize);
                    assertThat(m).as("means, size %d, step %d", size, step).isEqualTo(mean.toFloatArray());
                    assertThat(v).as("variances, size %d, step %d", size, step).isEqualTo(variance.toFloatArray());
                    float[] kernelW = weight.toFloatArray();
                    for (int j = 0; j < size; j++) {
                        if (Float.floatToIntBits(w[j]) != Float.floatToIntBits(kernelW[j])) {
                            differingWeights++;
                            // the step q rounded otherwise, then w − q: a unit in the last place of the larger of
                            // the operands and the result, twice at most
                            float larger = Math.max(Math.max(Math.abs(w[j]), Math.abs(kernelW[j])),
                                    Math.abs(before[j] - kernelW[j]));
                            assertThat(Math.abs(w[j] - kernelW[j])).as("weight %d", j)
                                    .isLessThanOrEqualTo(2 * Math.ulp(larger));
                        }
                    }
                }
                // the kernel's square root rounds otherwise now and then, and only that differs
                assertThat(differingWeights).as("size %d", size).isLessThanOrEqualTo(Math.max(1, size * 20 / 100));
            }
        }
    }

    @Test
    void theClampAndTheAverageAreTheKernelsBits() {
        Random random = new Random(5);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            for (int size : SIZES) {
                float[] logAlpha = gaussians(random, size, 6);
                float[] clamped = logAlpha.clone();
                HostUpdate.clamp(clamped, size);
                NDArray kernel = HardConcreteGate.clamp(manager.create(logAlpha), HardConcreteGate.MIN_LOG_ALPHA,
                        HardConcreteGate.MAX_LOG_ALPHA);
                assertThat(clamped).isEqualTo(kernel.toFloatArray());

                float[] shadow = gaussians(random, size, 1);
                float[] w = gaussians(random, size, 1);
                float decay = 0.999f;
                float complement = (float) (1 - 0.999);
                NDArray deviceShadow = manager.create(shadow.clone());
                NDArray decayScalar = manager.full(new Shape(), decay);
                NDArray complementScalar = manager.full(new Shape(), complement);
                deviceShadow.muli(decayScalar).addi(manager.create(w).mul(complementScalar));
                HostUpdate.average(shadow, w, size, decay, complement);
                assertThat(shadow).isEqualTo(deviceShadow.toFloatArray());
            }
        }
    }

    @Test
    void onlyAdamOnOneCpuUpdatesOnTheHeap() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Parameter weight = Parameter.builder().setName("weight")
                    .setType(Parameter.Type.WEIGHT).build();
            weight.setArray(manager.create(new float[] {1, 2, 3}));
            List<Parameter> parameters = List.of(weight);
            List<Device> cpu = List.of(Device.cpu());
            assertThat(HostUpdate.applies(cpu, parameters, new OptimizerSpec.Adam())).isTrue();
            assertThat(HostUpdate.applies(cpu, parameters, new OptimizerSpec.Sgd(0.9, true))).isFalse();
            assertThat(HostUpdate.applies(List.of(Device.cpu(), Device.cpu()), parameters,
                    new OptimizerSpec.Adam())).isFalse();
            // a view that is not contiguous hands out copies, which the update could not write through
            Parameter transposed = Parameter.builder().setName("transposed")
                    .setType(Parameter.Type.WEIGHT).build();
            transposed.setArray(manager.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3)).transpose());
            assertThat(HostUpdate.applies(cpu, List.of(weight, transposed), new OptimizerSpec.Adam())).isFalse();
        }
    }

    @Test
    void anMlpTrainsToTheSameNetworkWithTheHeapUpdateAsWithTheKernels() {
        TrainingData data = Mnist.flat().head(1000, 500);
        TrainingOptions config = TrainingOptions.builder().optEpochs(2).optSeed(42).build();
        TrainingResult kernels = new L0Trainer(1, false).train(Presets.MLP, config, data, RunListener.NONE, null);
        TrainingResult heap = new L0Trainer(1, true).train(Presets.MLP, config, data, RunListener.NONE, null);
        // the square root's rounding (see above) makes other bits, not another network
        assertThat(heap.gatedParameters()).isNotEqualTo(kernels.gatedParameters());
        assertThat(heap.pruned().architecture()).isEqualTo(kernels.pruned().architecture());
        assertThat(heap.gatedTestError()).isCloseTo(kernels.gatedTestError(),
                Offset.offset(0.004));
        assertThat(heap.history().getLast().trainLoss()).isCloseTo(kernels.history().getLast().trainLoss(),
                Percentage.withPercentage(0.5));
    }

    private static float[] gaussians(Random random, int size, double scale) {
        float[] values = new float[size];
        for (int j = 0; j < size; j++) {
            values[j] = (float) (random.nextGaussian() * scale);
        }
        return values;
    }
}

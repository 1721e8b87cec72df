package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import io.l0sparsify.prune.LayerParameters;
import io.l0sparsify.prune.PrunedNetwork;
import io.l0sparsify.prune.PrunedSize;
import io.l0sparsify.prune.Pruner;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.Presets;
import io.l0sparsify.spec.SpecLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ExpectedSizeTest {

    /** MLP, LeNet-5 (conv → flatten → dense), and a small net with an ungated layer and a conv→conv chain. */
    static Stream<ModelSpec> specs() {
        ModelSpec mixed = ModelSpec.of(List.of(2, 8, 8), List.of(
                new LayerSpec.Conv2d(4, 3, 1, 1, true), new LayerSpec.Relu(),
                new LayerSpec.Conv2d(6, 3, 1, 0, true), new LayerSpec.MaxPool(2, 2),
                new LayerSpec.Flatten(),
                new LayerSpec.Dense(7, false), new LayerSpec.Relu(),
                new LayerSpec.Dense(3)), SpecLimits.UNBOUNDED);
        return Stream.of(Presets.MLP, Presets.LENET5_CAFFE, mixed);
    }

    @ParameterizedTest
    @MethodSource("specs")
    void withCertainGatesTheExpectationIsWhatThePrunerBuilds(ModelSpec spec) {
        ExpectedSize size = new ExpectedSize(spec);
        Random random = new Random(5);
        for (int trial = 0; trial < 5; trial++) {
            // each gate open with probability 0.6; no layer loses every unit (the pruner would keep one)
            List<double[]> probabilities = new ArrayList<>();
            List<float[]> gates = new ArrayList<>();
            List<LayerParameters> parameters = new ArrayList<>();
            int gated = 0;
            for (int i = 0; i < spec.layers().size(); i++) {
                LayerSpec layer = spec.layers().get(i);
                int groups = groups(spec, i);
                float[] z = null;
                if (groups > 0 && isGated(layer)) {
                    z = new float[groups];
                    double[] p = new double[groups];
                    for (int g = 0; g < groups; g++) {
                        boolean open = g < 2 || random.nextDouble() < 0.6;
                        z[g] = open ? 0.5f + random.nextFloat() / 2 : 0f;
                        p[g] = open ? 1 : 0;
                    }
                    probabilities.add(p);
                    gated++;
                }
                gates.add(z);
                if (groups > 0) {
                    parameters.add(new LayerParameters(i, new float[weights(spec, i)], new float[outputs(spec, i)], z));
                }
            }
            assertThat(gated).isEqualTo(spec.gatedLayerIndices().size());
            PrunedNetwork pruned = Pruner.prune(spec, parameters);
            PrunedSize counted = Pruner.size(spec, gates);
            assertThat(counted).isEqualTo(new PrunedSize(pruned.parameterCount(), pruned.flops()));
            double[] expected = size.expected(probabilities);
            assertThat(expected[0]).isCloseTo(pruned.parameterCount(), within(1e-6));
            assertThat(expected[1]).isCloseTo(pruned.flops(), within(1e-3));
        }
        PrunedNetwork dense = Pruner.foldGates(spec, allParameters(spec));
        assertThat(size.dense()).isEqualTo(new PrunedSize(dense.parameterCount(), dense.flops()));
    }

    @Test
    void denseLayersCountExpectedInputsTimesExpectedOutputs() {
        // 4 → 3 → 2: E[in0] = 0.5·4 = 2, E[out0] = E[in1] = 0.25·3 = 0.75, E[out1] = 2
        ModelSpec spec = ModelSpec.of(List.of(4), List.of(new LayerSpec.Dense(3), new LayerSpec.Relu(),
                new LayerSpec.Dense(2)), SpecLimits.UNBOUNDED);
        ExpectedSize size = new ExpectedSize(spec);
        double[] expected = size.expected(List.of(new double[] {0.5, 0.5, 0.5, 0.5},
                new double[] {0.25, 0.25, 0.25}));
        // params: 2·0.75 + 0.75 + 0.75·2 + 2 = 5.75; FLOPs: 2·2·0.75 + 2·0.75·2 = 6
        assertThat(expected[0]).isCloseTo(5.75, within(1e-12));
        assertThat(expected[1]).isCloseTo(6, within(1e-12));
        // dense: 4·3 + 3 + 3·2 + 2 = 23 parameters, 2·12 + 2·6 = 36 FLOPs
        assertThat(size.fraction(SizeTarget.Metric.PARAMETERS, List.of(new double[] {0.5, 0.5, 0.5, 0.5},
                new double[] {0.25, 0.25, 0.25}))).isCloseTo(5.75 / 23, within(1e-12));
        assertThat(size.dense()).isEqualTo(new PrunedSize(23, 36));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void theDifferentiableFractionEqualsTheHeapOneAndFallsWhenAGateCloses(ModelSpec spec) {
        ExpectedSize size = new ExpectedSize(spec);
        Random random = new Random(9);
        List<double[]> probabilities = new ArrayList<>();
        for (int i : spec.gatedLayerIndices()) {
            double[] p = new double[groups(spec, i)];
            for (int g = 0; g < p.length; g++) {
                p[g] = 0.05 + 0.9 * random.nextDouble();
            }
            probabilities.add(p);
        }
        Autograd.disableOnThisThread();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            List<NDArray> arrays = new ArrayList<>();
            for (double[] p : probabilities) {
                float[] f = new float[p.length];
                for (int g = 0; g < p.length; g++) {
                    f[g] = (float) p[g];
                }
                NDArray a = manager.create(f);
                a.setRequiresGradient(true);
                arrays.add(a);
            }
            for (SizeTarget.Metric metric : SizeTarget.Metric.values()) {
                double heap = size.fraction(metric, probabilities);
                try (NDScope scope = new NDScope(); GradientCollector collector = manager.getEngine()
                        .newGradientCollector()) {
                    NDArray fraction = size.fractionArray(metric, arrays);
                    collector.backward(fraction);
                    assertThat((double) fraction.getFloat()).isCloseTo(heap, within(1e-5));
                    for (NDArray a : arrays) {
                        // keeping any group more likely never makes the network smaller
                        assertThat(a.getGradient().min().getFloat()).isGreaterThanOrEqualTo(0f);
                        assertThat(a.getGradient().max().getFloat()).isGreaterThan(0f);
                    }
                }
            }
        }
    }

    private static boolean isGated(LayerSpec layer) {
        return switch (layer) {
            case LayerSpec.Dense d -> d.gated();
            case LayerSpec.Conv2d c -> c.gated();
            case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Flatten _, LayerSpec.Dropout _, LayerSpec.BatchNorm _,
                    LayerSpec.GlobalAvgPool _, LayerSpec.Residual _ -> false;
        };
    }

    /** Gate groups of layer i: a dense layer's inputs, a conv layer's filters; 0 for a layer without weights. */
    private static int groups(ModelSpec spec, int i) {
        return switch (spec.layers().get(i)) {
            case LayerSpec.Dense _ -> spec.inputShapeOf(i)[0];
            case LayerSpec.Conv2d c -> c.filters();
            case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Flatten _, LayerSpec.Dropout _, LayerSpec.BatchNorm _,
                    LayerSpec.GlobalAvgPool _, LayerSpec.Residual _ -> 0;
        };
    }

    private static int outputs(ModelSpec spec, int i) {
        return switch (spec.layers().get(i)) {
            case LayerSpec.Dense d -> d.units();
            case LayerSpec.Conv2d c -> c.filters();
            case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Flatten _, LayerSpec.Dropout _, LayerSpec.BatchNorm _,
                    LayerSpec.GlobalAvgPool _, LayerSpec.Residual _ -> 0;
        };
    }

    private static int weights(ModelSpec spec, int i) {
        return switch (spec.layers().get(i)) {
            case LayerSpec.Dense d -> d.units() * spec.inputShapeOf(i)[0];
            case LayerSpec.Conv2d c -> c.filters() * spec.inputShapeOf(i)[0] * c.kernel() * c.kernel();
            case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Flatten _, LayerSpec.Dropout _, LayerSpec.BatchNorm _,
                    LayerSpec.GlobalAvgPool _, LayerSpec.Residual _ -> 0;
        };
    }

    private static List<LayerParameters> allParameters(ModelSpec spec) {
        List<LayerParameters> result = new ArrayList<>();
        for (int i = 0; i < spec.layers().size(); i++) {
            if (groups(spec, i) > 0) {
                float[] z = isGated(spec.layers().get(i)) ? new float[groups(spec, i)] : null;
                if (z != null) {
                    java.util.Arrays.fill(z, 1f);
                }
                result.add(new LayerParameters(i, new float[weights(spec, i)], new float[outputs(spec, i)], z));
            }
        }
        return result;
    }
}

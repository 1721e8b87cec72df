package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.SpecLimits;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class L0PenaltyTest {

    private static final ModelSpec SPEC = ModelSpec.of(List.of(1, 5, 5), List.of(
            new LayerSpec.Conv2d(3, 3), new LayerSpec.Relu(), new LayerSpec.Flatten(),
            new LayerSpec.Dense(4), new LayerSpec.Relu(), new LayerSpec.Dense(2)), SpecLimits.DEFAULT);
    private static final double[] LAMBDAS = {0.7, 0.2, 1.3};
    private static final int N = 50;
    // The weight decays tried below: 0, which production runs use, and 0.3, which exercises the L2 term.

    private static TrainingOptions config() {
        return TrainingOptions.builder().optSeed(11).build();
    }

    @ParameterizedTest(name = "wd = {0}")
    @ValueSource(doubles = {0.0, 0.3})
    void penaltyEqualsTheClosedFormSumOverGroups(double weightDecay) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            L0Network network = L0Network.build(SPEC, config());
            network.initialize(manager, config());
            L0Penalty penalty = new L0Penalty(network.weightedLayers(), LAMBDAS, weightDecay, N);
            double actual;
            try (NDScope ignored = new NDScope()) {
                actual = penalty.evaluate(null, null).getFloat();
            }
            double expected = closedForm(network, weightDecay);
            assertThat(actual).isCloseTo(expected, within(1e-5 * Math.abs(expected)));
        }
    }

    @Test
    void withoutWeightDecayThePenaltyIsTheExpectedNumberOfParametersTimesLambdaOverN() {
        ModelSpec spec = ModelSpec.of(List.of(3), List.of(new LayerSpec.Dense(2)), SpecLimits.DEFAULT);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            L0Network network = L0Network.build(spec, config());
            network.initialize(manager, config());
            GatedLayer dense = network.weightedLayers().get(0);
            NativeArrays.assign(dense.logAlpha().getArray(), new float[] {0f, 0f, 1.5f});
            L0Penalty penalty = new L0Penalty(network.weightedLayers(), new double[] {0.5}, 0, 10);
            double actual;
            try (NDScope ignored = new NDScope()) {
                actual = penalty.evaluate(null, null).getFloat();
            }
            // Σ P(z≠0)·λ/N·|g| with |g| = 2 units per input and λ/N = 0.05:
            // (0.8318222 + 0.8318222 + 0.9568348)·0.05·2 = 0.2620479 (P(z≠0) = 1 − P(z=0), see HardConcreteGateTest)
            assertThat(actual).isCloseTo(0.2620479197300338, within(1e-6));
        }
    }

    @ParameterizedTest(name = "wd = {0}")
    @ValueSource(doubles = {0.0, 0.3})
    void gradientWithRespectToLogAlphaMatchesFiniteDifferencesAndTheClosedForm(double weightDecay) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            L0Network network = L0Network.build(SPEC, config());
            network.initialize(manager, config());
            L0Penalty penalty = new L0Penalty(network.weightedLayers(), LAMBDAS, weightDecay, N);
            HardConcreteGate gate = network.gate();
            // one backward pass: PyTorch accumulates gradients across passes
            List<float[]> gradients = new java.util.ArrayList<>();
            try (NDScope ignored = new NDScope();
                    GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                collector.backward(penalty.evaluate(null, null));
                for (GatedLayer layer : network.weightedLayers()) {
                    gradients.add(layer.logAlpha().getArray().getGradient().toFloatArray());
                }
            }
            for (int l = 0; l < network.weightedLayers().size(); l++) {
                GatedLayer layer = network.weightedLayers().get(l);
                NDArray logAlpha = layer.logAlpha().getArray();
                float[] autograd = gradients.get(l);
                float[] base = logAlpha.toFloatArray();
                float[] groupSquares = groupSquares(layer);
                double h = 1e-2;
                for (int g = 0; g < base.length; g++) {
                    double plus = evaluateWith(penalty, logAlpha, base, g, +h);
                    double minus = evaluateWith(penalty, logAlpha, base, g, -h);
                    double finiteDifference = (plus - minus) / (2 * h);
                    // d/dlog α [P·c] = P·(1−P)·c with c = λ/N·|g| + ½·wd·Σ w²
                    double p = gate.probabilityNonZero(base[g]);
                    double c = LAMBDAS[l] / N * layer.groupSize() + 0.5 * weightDecay * groupSquares[g];
                    double closedForm = p * (1 - p) * c;
                    assertThat((double) autograd[g]).isCloseTo(closedForm, within(1e-4 * Math.abs(closedForm) + 1e-8));
                    // The penalty is a float32 sum of order 1: rounding leaves ~1e-7 in each evaluation,
                    // ~1e-5 in a central difference with h = 0.01; truncation error is O(h²) ≈ 1e-5·c.
                    assertThat(finiteDifference).isCloseTo(closedForm, within(1e-3 * Math.abs(closedForm) + 2e-5));
                }
                NativeArrays.assign(logAlpha, base);
            }
        }
    }

    private static double evaluateWith(L0Penalty penalty, NDArray logAlpha, float[] base, int index, double delta) {
        float[] shifted = base.clone();
        shifted[index] = (float) (base[index] + delta);
        NativeArrays.assign(logAlpha, shifted);
        try (NDScope ignored = new NDScope()) {
            return penalty.evaluate(null, null).getFloat();
        }
    }

    /** Σ w² per group, computed on the heap: dense per input column, conv per filter with its bias. */
    private static float[] groupSquares(GatedLayer layer) {
        float[] w = layer.weight().getArray().toFloatArray();
        float[] b = layer.bias().getArray().toFloatArray();
        int groups = layer.groups();
        float[] squares = new float[groups];
        switch (layer) {
            case GatedDense dense -> {
                for (int u = 0; u < dense.units(); u++) {
                    for (int i = 0; i < groups; i++) {
                        squares[i] += w[u * groups + i] * w[u * groups + i];
                    }
                }
            }
            case GatedConv2d _ -> {
                int per = w.length / groups;
                for (int f = 0; f < groups; f++) {
                    for (int j = 0; j < per; j++) {
                        squares[f] += w[f * per + j] * w[f * per + j];
                    }
                    squares[f] += b[f] * b[f];
                }
            }
        }
        return squares;
    }

    private static double closedForm(L0Network network, double weightDecay) {
        double total = 0;
        HardConcreteGate gate = network.gate();
        for (int l = 0; l < network.weightedLayers().size(); l++) {
            GatedLayer layer = network.weightedLayers().get(l);
            float[] logAlpha = layer.logAlpha().getArray().toFloatArray();
            float[] squares = groupSquares(layer);
            for (int g = 0; g < logAlpha.length; g++) {
                total += gate.probabilityNonZero(logAlpha[g])
                        * (LAMBDAS[l] / N * layer.groupSize() + 0.5 * weightDecay * squares[g]);
            }
            switch (layer) {
                case GatedDense _ -> {
                    // the dense bias belongs to no group and only pays the L2 term
                    for (float b : layer.bias().getArray().toFloatArray()) {
                        total += 0.5 * weightDecay * b * b;
                    }
                }
                case GatedConv2d _ -> {
                    // the conv bias belongs to its filter's group, counted above
                }
            }
        }
        return total;
    }
}

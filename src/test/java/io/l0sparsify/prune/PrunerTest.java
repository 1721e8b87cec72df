package io.l0sparsify.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.l0.GatedLayer;
import io.l0sparsify.l0.HardConcreteGate;
import io.l0sparsify.l0.L0Network;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.Presets;
import io.l0sparsify.spec.SpecLimits;
import io.l0sparsify.testing.Inputs;
import io.l0sparsify.testing.Mnist;
import io.l0sparsify.testing.ReferenceForward;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PrunerTest {

    private static final TrainingOptions CONFIG = TrainingOptions.builder().optSeed(3).build();

    private final Random random = new Random(3);

    @Test
    void denseChainDropsClosedInputsAndTheUnitsOnlyTheyRead() {
        ModelSpec spec = ModelSpec.of(List.of(4), List.of(new LayerSpec.Dense(3), new LayerSpec.Relu(),
                new LayerSpec.Dense(2)), SpecLimits.DEFAULT);
        float[] w0 = randoms(3 * 4);
        float[] w1 = randoms(2 * 3);
        List<LayerParameters> params = List.of(
                new LayerParameters(0, w0, randoms(3), new float[] {1f, 0f, 0.5f, 0.25f}),
                new LayerParameters(2, w1, randoms(2), new float[] {0f, 1f, 0.5f}));

        PrunedNetwork pruned = Pruner.prune(spec, params);

        PrunedLayer.Dense first = (PrunedLayer.Dense) pruned.layers().get(0);
        assertThat(first.keptInputs()).containsExactly(0, 2, 3);
        // unit 0 feeds only the closed input 0 of the next layer, so it goes too
        assertThat(first.keptUnits()).containsExactly(1, 2);
        assertThat(first.gather()).containsExactly(0, 2, 3);
        // W'[u][j] = W[keptUnits[u]][keptInputs[j]] · ẑ[keptInputs[j]]
        assertThat(first.weight()[0]).isEqualTo(w0[1 * 4 + 0] * 1f);
        assertThat(first.weight()[1]).isEqualTo(w0[1 * 4 + 2] * 0.5f);
        assertThat(first.weight()[5]).isEqualTo(w0[2 * 4 + 3] * 0.25f);
        PrunedLayer.Dense second = (PrunedLayer.Dense) pruned.layers().get(2);
        assertThat(second.keptInputs()).containsExactly(1, 2);
        assertThat(second.gather()).isNull();
        assertThat(second.keptUnits()).containsExactly(0, 1);
        assertThat(pruned.architecture()).isEqualTo("3-2");
        assertThat(pruned.parameterCount()).isEqualTo(2 * 3 + 2 + 2 * 2 + 2);
        assertThat(first.originalParameterCount()).isEqualTo(3 * 4 + 3);
        assertThat(first.parameterCount()).isEqualTo(2 * 3 + 2);
        assertSameFunction(spec, params, pruned, 16);
    }

    @Test
    void closedFiltersAndFiltersNoKeptInputReadsAreRemovedThroughFlatten() {
        ModelSpec spec = ModelSpec.of(List.of(1, 6, 6), List.of(new LayerSpec.Conv2d(3, 3), new LayerSpec.Relu(),
                new LayerSpec.MaxPool(2, 2), new LayerSpec.Flatten(), new LayerSpec.Dense(2)), SpecLimits.DEFAULT);
        // flatten gives 3 channels × 2 × 2 = 12 inputs; close every input of channel 2 and two of channel 0
        float[] denseGates = {0.9f, 0f, 0.3f, 0f, 1f, 1f, 1f, 1f, 0f, 0f, 0f, 0f};
        List<LayerParameters> params = List.of(
                new LayerParameters(0, randoms(3 * 9), randoms(3), new float[] {1f, 0f, 0.7f}),
                new LayerParameters(4, randoms(2 * 12), randoms(2), denseGates));

        PrunedNetwork pruned = Pruner.prune(spec, params);

        PrunedLayer.Conv2d conv = (PrunedLayer.Conv2d) pruned.layers().get(0);
        // filter 1 is closed; filter 2 is open but nothing downstream reads it
        assertThat(conv.keptFilters()).containsExactly(0);
        PrunedLayer.Dense dense = (PrunedLayer.Dense) pruned.layers().get(4);
        assertThat(dense.keptInputs()).containsExactly(0, 2);
        assertThat(dense.gather()).containsExactly(0, 2);
        assertThat(pruned.architecture()).isEqualTo("1-2");
        assertSameFunction(spec, params, pruned, 16);
    }

    @Test
    void layerWithEveryGateClosedKeepsOneZeroGroupSoShapesStayValid() {
        ModelSpec spec = ModelSpec.of(List.of(3), List.of(new LayerSpec.Dense(2)), SpecLimits.DEFAULT);
        List<LayerParameters> params = List.of(new LayerParameters(0, randoms(6), new float[] {0.5f, -1f},
                new float[] {0f, 0f, 0f}));
        PrunedNetwork pruned = Pruner.prune(spec, params);
        PrunedLayer.Dense dense = (PrunedLayer.Dense) pruned.layers().get(0);
        assertThat(dense.inputs()).isEqualTo(1);
        assertThat(dense.weight()).containsOnly(0f);
        assertThat(ReferenceForward.logits(pruned, new float[] {1, 2, 3}, 1)[0]).containsExactly(0.5f, -1.0f);
        assertSameFunction(spec, params, pruned, 8);
    }

    /** conv 3@1×1 on [1, 2, 2] → relu → flatten: dense input 4·c + p reads channel c at position p. */
    private static final ModelSpec CONV_FLATTEN_DENSE = ModelSpec.of(List.of(1, 2, 2), List.of(
            new LayerSpec.Conv2d(3, 1), new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(2)),
            SpecLimits.DEFAULT);

    @Test
    void denseLayerWithEveryArrivingInputClosedKeepsOneInputThatArrives() {
        // Only filter 0 stays; the one open dense input (5) reads channel 1, which is gone. The fallback
        // input must be one that channel 0 produces (0…3), not input 5.
        float[] denseGates = new float[12];
        denseGates[5] = 0.7f;
        List<LayerParameters> params = List.of(
                new LayerParameters(0, randoms(3), randoms(3), new float[] {0.9f, 0f, 0f}),
                new LayerParameters(3, randoms(2 * 12), randoms(2), denseGates));

        PrunedNetwork pruned = Pruner.prune(CONV_FLATTEN_DENSE, params);

        PrunedLayer.Conv2d conv = (PrunedLayer.Conv2d) pruned.layers().get(0);
        assertThat(conv.keptFilters()).containsExactly(0);
        PrunedLayer.Dense dense = (PrunedLayer.Dense) pruned.layers().get(3);
        assertThat(dense.keptInputs()).containsExactly(0);
        // the kept input's gate is closed, so its weights are zero (−0 where the weight was negative)
        for (float w : dense.weight()) {
            assertThat(Math.abs(w)).isZero();
        }
        assertThat(pruned.architecture()).isEqualTo("1-1");
        assertSameFunction(CONV_FLATTEN_DENSE, params, pruned, 8);
    }

    @Test
    void everyFilterClosedWithADenseGateOpenOnAnotherChannelStillPrunes() {
        float[] denseGates = new float[12];
        denseGates[9] = 0.7f;
        List<LayerParameters> params = List.of(
                new LayerParameters(0, randoms(3), randoms(3), new float[] {0f, 0f, 0f}),
                new LayerParameters(3, randoms(2 * 12), randoms(2), denseGates));

        PrunedNetwork pruned = Pruner.prune(CONV_FLATTEN_DENSE, params);

        PrunedLayer.Conv2d conv = (PrunedLayer.Conv2d) pruned.layers().get(0);
        assertThat(conv.keptFilters()).hasSize(1);
        PrunedLayer.Dense dense = (PrunedLayer.Dense) pruned.layers().get(3);
        int channel = conv.keptFilters()[0];
        assertThat(dense.keptInputs()).hasSize(1);
        assertThat(dense.keptInputs()[0] / 4).isEqualTo(channel);
        assertSameFunction(CONV_FLATTEN_DENSE, params, pruned, 8);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void prunedPresetComputesTheGatedNetworkOnMnistTestImages(String name, ModelSpec spec) {
        TrainingData mnist = Mnist.full();
        Examples images = mnist.test().head(300);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            L0Network gated = L0Network.build(spec, CONFIG);
            gated.initialize(manager, CONFIG);
            // about half of the gates closed, the others spread over (0, 1]
            SplittableRandom draws = new SplittableRandom(17);
            for (GatedLayer layer : gated.weightedLayers()) {
                float[] logAlpha = new float[layer.groups()];
                for (int g = 0; g < logAlpha.length; g++) {
                    logAlpha[g] = (float) (draws.nextBoolean() ? -4 : draws.nextDouble(-2, 4));
                }
                overwrite(layer.logAlpha().getArray(), logAlpha);
            }

            PrunedNetwork pruned = Pruner.prune(spec, gated.snapshot());

            assertThat(pruned.parameterCount()).isLessThan(spec.parameterCount() / 2);
            assertComputesTheGatedNetwork(gated, pruned, Inputs.of(images, mnist.preprocessing()),
                    images.size());
        }
    }

    static Stream<Arguments> presets() {
        return Stream.of(Arguments.of("mlp", Presets.MLP), Arguments.of("lenet5-caffe", Presets.LENET5_CAFFE));
    }

    @Test
    void foldingKeepsEveryUnitAndTheFlopCountFollowsTheReferenceFormula() {
        ModelSpec spec = ModelSpec.of(List.of(4), List.of(new LayerSpec.Dense(3), new LayerSpec.Relu(),
                new LayerSpec.Dense(2)), SpecLimits.DEFAULT);
        List<LayerParameters> params = List.of(
                new LayerParameters(0, randoms(12), randoms(3), new float[] {1f, 0f, 0.5f, 0.25f}),
                new LayerParameters(2, randoms(6), randoms(2), new float[] {0f, 1f, 0.5f}));
        PrunedNetwork dense = Pruner.foldGates(spec, params);
        assertThat(dense.architecture()).isEqualTo("4-3");
        // (2·4 − 1)·3 + 3 + (2·3 − 1)·2 + 2 = 24 + 12
        assertThat(dense.flops()).isEqualTo(36);
        assertThat(Pruner.prune(spec, params).flops()).isEqualTo((2 * 3 - 1) * 2 + 2 + (2 * 2 - 1) * 2 + 2);
        assertSameFunction(spec, params, dense, 8);
    }

    @Test
    void convFlopsCountEveryOutputValue() {
        ModelSpec spec = ModelSpec.of(List.of(1, 6, 6), List.of(new LayerSpec.Conv2d(3, 3), new LayerSpec.Relu(),
                new LayerSpec.MaxPool(2, 2), new LayerSpec.Flatten(), new LayerSpec.Dense(2)), SpecLimits.DEFAULT);
        List<LayerParameters> params = List.of(
                new LayerParameters(0, randoms(3 * 9), randoms(3), new float[] {1f, 1f, 1f}),
                new LayerParameters(4, randoms(2 * 12), randoms(2), allOnes(12)));
        // conv: 3 filters × 4 × 4 outputs × (2·9·1 − 1 + 1) = 864 (the reference's channels × height would
        // give 3 × 4 × 18 = 216); dense: (2·12 − 1)·2 + 2 = 48
        assertThat(Pruner.foldGates(spec, params).flops()).isEqualTo(864 + 48);
    }

    private static float[] allOnes(int n) {
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        return ones;
    }

    /**
     * The pruned network computes the gated network's own test-time function: an {@link L0Network} with
     * the given weights and biases and log α chosen so that its deterministic gates ẑ are the given ones,
     * run by DJL in inference mode, compared on {@code trials} random inputs.
     */
    private void assertSameFunction(ModelSpec spec, List<LayerParameters> params, PrunedNetwork pruned, int trials) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            L0Network gated = gatedNetwork(spec, params, manager);
            assertComputesTheGatedNetwork(gated, pruned, randoms(trials * spec.inputSize()), trials);
        }
    }

    /** Logits of {@code pruned} (plain loops) against {@code gated.predict} on the same inputs, to 1e-4. */
    private static void assertComputesTheGatedNetwork(L0Network gated, PrunedNetwork pruned, float[] inputs,
            int batch) {
        float[] expected;
        try (NDManager batchManager = NDManager.newBaseManager("PyTorch")) {
            expected = gated.predict(batchManager.create(inputs, gated.inputShape(batch))).toFloatArray();
        }
        float[][] actual = ReferenceForward.logits(pruned, inputs, batch);
        int classes = pruned.numClasses();
        for (int b = 0; b < batch; b++) {
            for (int k = 0; k < classes; k++) {
                assertThat(actual[b][k]).as("example %d, class %d", b, k)
                        .isCloseTo(expected[b * classes + k], within(1e-4f));
            }
        }
    }

    /**
     * An initialised {@link L0Network} whose weighted layers (in spec order, matching {@code params}) hold
     * the given weights and biases, and whose log α gives the given test-time gates.
     */
    private static L0Network gatedNetwork(ModelSpec spec, List<LayerParameters> params, NDManager manager) {
        L0Network network = L0Network.build(spec, CONFIG);
        network.initialize(manager, CONFIG);
        List<GatedLayer> layers = network.weightedLayers();
        assertThat(layers).hasSameSizeAs(params);
        for (int l = 0; l < layers.size(); l++) {
            GatedLayer layer = layers.get(l);
            LayerParameters p = params.get(l);
            overwrite(layer.weight().getArray(), p.weight());
            overwrite(layer.bias().getArray(), p.bias());
            if (p.gates() != null) {
                float[] logAlpha = new float[p.gates().length];
                for (int g = 0; g < logAlpha.length; g++) {
                    logAlpha[g] = logAlphaGiving(p.gates()[g]);
                }
                overwrite(layer.logAlpha().getArray(), logAlpha);
            }
        }
        return network;
    }

    /** The log α whose test-time gate ẑ = clip(sigmoid(log α)·(ζ − γ) + γ) is {@code z}. */
    private static float logAlphaGiving(float z) {
        if (z <= 0) {
            return (float) HardConcreteGate.MIN_LOG_ALPHA;
        }
        if (z >= 1) {
            return (float) HardConcreteGate.MAX_LOG_ALPHA;
        }
        double s = (z - HardConcreteGate.GAMMA) / (HardConcreteGate.ZETA - HardConcreteGate.GAMMA);
        return (float) Math.log(s / (1 - s));
    }

    /** Writes into a parameter in place, so that its storage stays PyTorch's. */
    private static void overwrite(NDArray parameter, float[] values) {
        try (NDScope ignored = new NDScope()) {
            parameter.muli(0).addi(parameter.getManager().create(values, parameter.getShape()));
        }
    }

    private float[] randoms(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}

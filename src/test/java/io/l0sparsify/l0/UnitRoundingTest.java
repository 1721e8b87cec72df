package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.prune.LayerParameters;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import io.l0sparsify.prune.PrunedSize;
import io.l0sparsify.prune.Pruner;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.Presets;
import io.l0sparsify.spec.SpecLimits;
import io.l0sparsify.testing.Mnist;
import io.l0sparsify.testing.ReferenceForward;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code roundUnitsTo}: kept units rounded up to a multiple by padding with the highest-log α closed groups. */
class UnitRoundingTest {

    private static final float P = UnitRounding.PADDING_GATE;

    @Test
    void theClosedGroupsWithTheHighestLogAlphaPadTheLayerUpToTheMultiple() {
        float[] z = {0f, 0.5f, 0f, 0f, 1f, 0f};
        float[] logAlpha = {-3f, 1f, -2.5f, -4f, 3f, -2.5f};
        // 2 open, multiple 4: two more, the highest log α first and the first of a tie (index 2 before 5)
        assertThat(UnitRounding.padGates(z, logAlpha, 4)).containsExactly(0f, 0.5f, P, 0f, 1f, P);
        // never more than the layer has
        assertThat(UnitRounding.padGates(z, logAlpha, 8)).containsExactly(P, 0.5f, P, P, 1f, P);
        // already a multiple, or no rounding: unchanged
        assertThat(UnitRounding.padGates(z, logAlpha, 2)).isSameAs(z);
        assertThat(UnitRounding.padGates(z, logAlpha, 1)).isSameAs(z);
        // every gate closed: padded to one multiple
        assertThat(UnitRounding.padGates(new float[] {0f, 0f, 0f}, new float[] {-3f, -2.6f, -4f}, 2))
                .containsExactly(P, P, 0f);
    }

    /** conv 6@1×1 on [1, 1, 3] → flatten: dense input 3·c + p reads map c at position p. */
    private static final ModelSpec SIX_MAPS_OF_THREE = ModelSpec.of(List.of(1, 1, 3), List.of(
            new LayerSpec.Conv2d(6, 1), new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(2)),
            SpecLimits.DEFAULT);

    @Test
    void aConvolutionReadThroughAFlattenIsPaddedWithMapsTheDenseLayerReads() {
        float[] conv = {0.8f, 0f, 0.6f, 0.9f, 0f, 0f};
        float[] convLogAlpha = {2f, -3f, 1f, 3f, -2.5f, -4f};
        float[] dense = {0.5f, 0f, 0f, /* map 1 */ 0.4f, 0f, 0f, /* map 2 */ 0.7f, 0.2f, 0f,
                /* map 3 */ 0f, 0f, 0f, /* map 4 */ 0f, 0f, 0f, /* map 5 */ 0.3f, 0f, 0f};
        float[] denseLogAlpha = {1f, -3f, -2.5f, 0.5f, -2.9f, -2.7f, 2f, -1f, -3.2f,
                -4f, -2.8f, -3.3f, -3.5f, -5f, -3.1f, 0.2f, -2.65f, -4.2f};

        UnitRounding.Pair padded = UnitRounding.padThroughFlatten(conv, convLogAlpha, dense, denseLogAlpha, 3, 4);

        // The pruner keeps maps 0 and 2 (open and read); map 1 is closed, map 3 open but read by no open input.
        // Two more maps, the highest log α first: 3 (open already) and 4 (closed: padded). Neither is read, so
        // each gets its input of highest log α opened: 10 (−2.8 beats −3.3, −4) and 14 (−3.1 beats −3.5, −5).
        assertThat(padded.conv()).containsExactly(0.8f, 0f, 0.6f, 0.9f, P, 0f);
        // Inputs of kept maps now open: 0, 6, 7, 10, 14 = 5, rounded to 8 with the closed inputs of kept maps of
        // highest log α: 2 (−2.5), 1 (−3), 8 (−3.2). Inputs 16 (−2.65), 5 (−2.7) and 4 (−2.9) rank higher but
        // belong to maps 5 and 1, which opening them would keep; input 3 stays open and unread, as before.
        assertThat(padded.dense()).containsExactly(0.5f, P, P, 0.4f, 0f, 0f, 0.7f, 0.2f, P,
                0f, P, 0f, 0f, 0f, P, 0.3f, 0f, 0f);

        List<LayerParameters> unrounded = List.of(
                new LayerParameters(0, weights(6, 1), weights(6, 2), conv),
                new LayerParameters(3, weights(2 * 18, 3), weights(2, 4), dense));
        // by spec layer: conv, relu, flatten, dense
        List<float[]> rounded = UnitRounding.round(SIX_MAPS_OF_THREE, Arrays.asList(conv, null, null, dense),
                Arrays.asList(convLogAlpha, null, null, denseLogAlpha), 4);
        assertThat(rounded.get(0)).isEqualTo(padded.conv());
        assertThat(rounded.get(3)).isEqualTo(padded.dense());
        assertThat(Pruner.prune(SIX_MAPS_OF_THREE, unrounded).architecture()).isEqualTo("2-3");
        List<LayerParameters> roundedParameters = List.of(
                new LayerParameters(0, unrounded.get(0).weight(), unrounded.get(0).bias(), rounded.get(0)),
                new LayerParameters(3, unrounded.get(1).weight(), unrounded.get(1).bias(), rounded.get(3)));
        assertThat(Pruner.prune(SIX_MAPS_OF_THREE, roundedParameters).architecture()).isEqualTo("4-8");
    }

    /** A convolution read through a flatten only, then a dense layer read by a dense layer. */
    private static final ModelSpec CONV_CONV_DENSE_DENSE = ModelSpec.of(List.of(1, 8, 8), List.of(
            new LayerSpec.Conv2d(12, 3), new LayerSpec.Relu(), new LayerSpec.Conv2d(24, 3), new LayerSpec.Relu(),
            new LayerSpec.MaxPool(2, 2), new LayerSpec.Flatten(), new LayerSpec.Dense(40), new LayerSpec.Relu(),
            new LayerSpec.Dense(10)), SpecLimits.DEFAULT);

    /** Gates applied after batch normalization, and a dense layer reading maps through a global average. */
    private static final ModelSpec CONV_NORM_GLOBAL_AVERAGE = ModelSpec.of(List.of(1, 8, 8), List.of(
            new LayerSpec.Conv2d(8, 3), new LayerSpec.BatchNorm(), new LayerSpec.Relu(), new LayerSpec.Conv2d(20, 3),
            new LayerSpec.BatchNorm(), new LayerSpec.Relu(), new LayerSpec.GlobalAvgPool(), new LayerSpec.Dense(10)),
            SpecLimits.DEFAULT);

    static Stream<Arguments> roundings() {
        List<Arguments> cases = new ArrayList<>();
        for (Arguments spec : List.of(Arguments.of("lenet5-caffe", Presets.LENET5_CAFFE),
                Arguments.of("mlp", Presets.MLP), Arguments.of("conv-conv-dense-dense", CONV_CONV_DENSE_DENSE),
                Arguments.of("conv-norm-global-average", CONV_NORM_GLOBAL_AVERAGE))) {
            for (long seed : new long[] {1, 2, 3}) {
                for (int multiple : new int[] {4, 8, 16}) {
                    cases.add(Arguments.of(spec.get()[0], spec.get()[1], seed, multiple));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, seed {2}, multiple {3}")
    @MethodSource("roundings")
    void everyGatedLayerEndsAtAMultipleTheBudgetCountsItAndTheFunctionStays(String name, ModelSpec spec,
            long seed, int multiple) {
        TrainingOptions config = TrainingOptions.builder().optSeed(seed).build();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            L0Network network = L0Network.build(spec, config);
            network.initialize(manager, config);
            network.assignLogAlphas(randomLogAlphas(network, new SplittableRandom(seed)));

            PrunedNetwork unrounded = Pruner.prune(spec, network.snapshot());
            List<LayerParameters> snapshot = network.snapshot(multiple);
            PrunedNetwork rounded = Pruner.prune(spec, snapshot);

            List<Integer> before = gatedCounts(unrounded);
            List<Integer> after = gatedCounts(rounded);
            List<Integer> groups = network.weightedLayers().stream().filter(GatedLayer::gated)
                    .map(GatedLayer::groups).toList();
            assertThat(after).hasSameSizeAs(groups);
            for (int k = 0; k < after.size(); k++) {
                assertThat(after.get(k) % multiple == 0 || after.get(k).equals(groups.get(k)))
                        .as("gated layer %d: %s rounded from %s, of %s", k, after, before, groups).isTrue();
                assertThat(after.get(k)).isGreaterThanOrEqualTo(before.get(k));
            }

            // the budget's gates are the delivered ones, so it counts the delivered network
            List<float[]> budgetGates = network.testTimeGatesBySpecLayer(network.logAlphas(), multiple);
            for (LayerParameters p : snapshot) {
                if (p.gates() != null) {
                    assertThat(budgetGates.get(p.specIndex())).as("layer %d", p.specIndex()).isEqualTo(p.gates());
                }
            }
            assertThat(Pruner.size(spec, budgetGates))
                    .isEqualTo(new PrunedSize(rounded.parameterCount(), rounded.flops()));

            int batch = 8;
            float[] inputs = new float[batch * spec.inputShape().stream().mapToInt(Integer::intValue)
                    .reduce(1, Math::multiplyExact)];
            SplittableRandom draws = new SplittableRandom(seed + 100);
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = (float) draws.nextDouble();
            }
            float[][] expected = ReferenceForward.logits(unrounded, inputs, batch);
            float[][] actual = ReferenceForward.logits(rounded, inputs, batch);
            for (int e = 0; e < batch; e++) {
                for (int c = 0; c < expected[e].length; c++) {
                    assertThat(actual[e][c]).as("example %d, class %d", e, c).isCloseTo(expected[e][c], within(1e-5f));
                }
            }
        }
    }

    /**
     * log α per gated layer: each layer closes a share of its groups drawn from 30 % to 99.5 % (ln α = −6 ± 1,
     * ẑ = 0), the others spread over (−3, 4), where ẑ is closed below ln α ≈ −2.4.
     */
    private static List<float[]> randomLogAlphas(L0Network network, SplittableRandom random) {
        double[] closedShares = {0.3, 0.7, 0.95, 0.995};
        List<float[]> result = new ArrayList<>();
        for (GatedLayer layer : network.weightedLayers()) {
            if (layer.gated()) {
                double closed = closedShares[random.nextInt(closedShares.length)];
                float[] logAlpha = new float[layer.groups()];
                for (int g = 0; g < logAlpha.length; g++) {
                    logAlpha[g] = (float) (random.nextDouble() < closed ? random.nextDouble(-7, -5)
                            : random.nextDouble(-3, 4));
                }
                result.add(logAlpha);
            }
        }
        return result;
    }

    private static float[] weights(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return values;
    }

    @Test
    void roundedUnitsAreMultiplesAndThePrunedNetworkComputesTheSameFunction() {
        TrainingData data = Mnist.flat().head(1000, 300);
        TrainingOptions plain = TrainingOptions.builder().optEpochs(3).optBatchSize(50).optLearningRate(0.05)
                .optLambdas(List.of(2.0)).optEmaDecay(0).optSeed(6).build();
        TrainingOptions rounded = plain.toBuilder().optRoundUnitsTo(8).build();
        TrainingResult unrounded = new L0Trainer().train(BudgetTrainingTest.SMALL_MLP, plain, data, p -> { }, null);
        TrainingResult result = new L0Trainer().train(BudgetTrainingTest.SMALL_MLP, rounded, data, p -> { }, null);

        List<Integer> before = gatedCounts(unrounded.pruned());
        List<Integer> after = gatedCounts(result.pruned());
        List<Integer> groups = List.of(784, 64);
        assertThat(before).as("the run closes groups, so there is something to round").isNotEqualTo(groups);
        for (int k = 0; k < after.size(); k++) {
            assertThat(after.get(k) % 8 == 0 || after.get(k).equals(groups.get(k))).as("layer %d: %s", k, after)
                    .isTrue();
            assertThat(after.get(k)).isGreaterThanOrEqualTo(before.get(k)).isLessThan(before.get(k) + 8);
        }
        // the same training: padding changes shapes, not the function
        assertThat(result.gatedParameters()).isEqualTo(unrounded.gatedParameters());
        assertThat(result.prunedTestError()).isCloseTo(unrounded.prunedTestError(), within(1.0 / 300));
        assertThat(result.pruned().parameterCount()).isGreaterThanOrEqualTo(unrounded.pruned().parameterCount());
    }

    private static List<Integer> gatedCounts(PrunedNetwork network) {
        List<Integer> counts = new ArrayList<>();
        for (PrunedLayer layer : network.layers()) {
            switch (layer) {
                case PrunedLayer.Dense d when d.gated() -> counts.add(d.inputs());
                case PrunedLayer.Conv2d c when c.gated() -> counts.add(c.filters());
                case PrunedLayer.Dense _, PrunedLayer.Conv2d _, PrunedLayer.MaxPool _, PrunedLayer.AvgPool _, PrunedLayer.Relu _,
                        PrunedLayer.Flatten _, PrunedLayer.BatchNorm _, PrunedLayer.GlobalAvgPool _, PrunedLayer.Residual _ -> { }
            }
        }
        return counts;
    }
}

package io.l0sparsify.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.SpecLimits;
import io.l0sparsify.testing.ReferenceForward;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrunerTest {

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
    }

    /** The pruned network computes the folded (gated, test-time) network's function. */
    private void assertSameFunction(ModelSpec spec, List<LayerParameters> params, PrunedNetwork pruned, int trials) {
        PrunedNetwork folded = Pruner.foldGates(spec, params);
        for (int t = 0; t < trials; t++) {
            float[] input = randoms(spec.inputSize());
            float[] expected = ReferenceForward.logits(folded, input, 1)[0];
            float[] actual = ReferenceForward.logits(pruned, input, 1)[0];
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f));
            }
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

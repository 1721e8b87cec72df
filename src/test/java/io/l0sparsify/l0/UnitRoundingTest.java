package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import io.l0sparsify.testing.Mnist;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code roundUnitsTo}: kept units rounded up to a multiple by padding with the highest-log α closed groups. */
class UnitRoundingTest {

    private static final float P = L0Network.PADDING_GATE;

    @Test
    void theClosedGroupsWithTheHighestLogAlphaPadTheLayerUpToTheMultiple() {
        float[] z = {0f, 0.5f, 0f, 0f, 1f, 0f};
        float[] logAlpha = {-3f, 1f, -2.5f, -4f, 3f, -2.5f};
        // 2 open, multiple 4: two more, the highest log α first and the first of a tie (index 2 before 5)
        assertThat(L0Network.padGates(z, logAlpha, 4)).containsExactly(0f, 0.5f, P, 0f, 1f, P);
        // never more than the layer has
        assertThat(L0Network.padGates(z, logAlpha, 8)).containsExactly(P, 0.5f, P, P, 1f, P);
        // already a multiple, or no rounding: unchanged
        assertThat(L0Network.padGates(z, logAlpha, 2)).isSameAs(z);
        assertThat(L0Network.padGates(z, logAlpha, 1)).isSameAs(z);
        // every gate closed: padded to one multiple
        assertThat(L0Network.padGates(new float[] {0f, 0f, 0f}, new float[] {-3f, -2.6f, -4f}, 2))
                .containsExactly(P, P, 0f);
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

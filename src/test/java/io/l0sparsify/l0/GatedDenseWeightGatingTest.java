package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * A dense layer whose input needs no gradient gates W's columns instead of its input
 * ({@link GatedDense#gatesTheWeights}): the same outputs and the same gradients of W, b and z, up to the rounding
 * of a product's other order, as gating the input; and only then.
 */
class GatedDenseWeightGatingTest {

    @Test
    void gatingTheWeightsGivesTheOutputsAndGradientsOfGatingTheInput() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            manager.getEngine().setRandomSeed(7);
            NDArray x = manager.randomNormal(new Shape(50, 30));
            NDArray w = manager.randomNormal(new Shape(20, 30));
            NDArray b = manager.randomNormal(new Shape(20));
            // gates as training samples them: some exactly 0, some 1, the rest between
            NDArray z = manager.randomUniform(-0.3f, 1.3f, new Shape(30)).clip(0, 1);
            NDArray upstream = manager.randomNormal(new Shape(50, 20));
            float[][] weights = gradients(manager, x, w, b, z, upstream, true);
            float[][] inputs = gradients(manager, x, w, b, z, upstream, false);
            for (int k = 0; k < weights.length; k++) {
                assertThat(weights[k]).as("output and gradients, %d", k).hasSameSizeAs(inputs[k]);
                for (int i = 0; i < weights[k].length; i++) {
                    assertThat(weights[k][i]).as("array %d, value %d", k, i)
                            .isCloseTo(inputs[k][i], within(1e-5f * (1 + Math.abs(inputs[k][i]))));
                }
            }
            assertThat(GatedDense.gatesTheWeights(x, z)).as("the data: no gradient").isTrue();
            assertThat(GatedDense.gatesTheWeights(x, manager.ones(new Shape(50, 30))))
                    .as("a gate per example").isFalse();
            try (GradientCollector ignored = manager.getEngine().newGradientCollector()) {
                NDArray carriesGradient = x.duplicate();
                carriesGradient.setRequiresGradient(true);
                assertThat(GatedDense.gatesTheWeights(carriesGradient, z)).as("an input with a gradient").isFalse();
            }
        }
    }

    /** y, dL/dW, dL/db and dL/dz for L = Σ y ⊙ upstream, z gating W's columns or x. */
    private static float[][] gradients(NDManager manager, NDArray x, NDArray w, NDArray b, NDArray z,
            NDArray upstream, boolean gateWeights) {
        try (NDScope scope = new NDScope(); GradientCollector collector = manager.getEngine().newGradientCollector()) {
            NDArray wt = w.duplicate();
            NDArray bt = b.duplicate();
            NDArray zt = z.duplicate();
            for (NDArray a : new NDArray[] {wt, bt, zt}) {
                a.setRequiresGradient(true);
            }
            NDArray y = gateWeights ? Linear.linear(x, wt.mul(zt), bt).singletonOrThrow()
                    : Linear.linear(x.mul(zt), wt, bt).singletonOrThrow();
            collector.backward(y.mul(upstream).sum());
            return new float[][] {y.toFloatArray(), wt.getGradient().toFloatArray(), bt.getGradient().toFloatArray(),
                zt.getGradient().toFloatArray()};
        }
    }
}

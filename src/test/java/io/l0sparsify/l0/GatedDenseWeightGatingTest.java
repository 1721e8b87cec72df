package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.testing.Mnist;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.mockito.MockedStatic;
import org.mockito.Mockito;

/**
 * A dense layer whose input is the data gates W's columns instead of its input ({@link GatedDense#gatesTheWeights}):
 * the same outputs and the same gradients of W, b and z, up to the rounding of a product's other order, as gating the
 * input; and only that layer does.
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
            assertThat(GatedDense.gatesTheWeights(true, z)).as("the data").isTrue();
            assertThat(GatedDense.gatesTheWeights(true, manager.ones(new Shape(50, 30)))).as("a gate per example")
                    .isFalse();
            assertThat(GatedDense.gatesTheWeights(false, z)).as("after a layer with parameters").isFalse();
        }
    }

    /**
     * The layers themselves pick the path: trained on MNIST (784-64-10, batch 50, 300 examples: 6 steps, then the
     * evaluation of 100 test examples in one batch), the first layer multiplies its [64, 784] weight by the gate in
     * every forward pass, training's and evaluation's, and never its input; the second, whose input carries the
     * gradient back to the first, multiplies its input, [50, 64] in training and [100, 64] in evaluation, and never
     * its weight. Counted at libtorch's multiply, by the shapes of its two operands.
     */
    @Test
    void theFirstLayerGatesItsWeightsAndALayerWhoseInputCarriesAGradientGatesItsInput() throws Exception {
        TrainingData data = Mnist.flat().head(300, 100);
        Map<String, AtomicInteger> products = new ConcurrentHashMap<>();
        Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
        try (MockedStatic<?> counted = Mockito.mockStatic(jni, invocation -> {
            if (invocation.getMethod().getName().equals("mul") && invocation.getArguments().length == 2
                    && invocation.getArgument(0) instanceof NDArray a && invocation.getArgument(1) instanceof NDArray b) {
                products.computeIfAbsent(a.getShape() + "*" + b.getShape(), k -> new AtomicInteger()).incrementAndGet();
            }
            return invocation.callRealMethod();
        })) {
            new L0Trainer().train(BudgetTrainingTest.SMALL_MLP, TrainingOptions.builder().optEpochs(1).optBatchSize(50)
                    .optEmaDecay(0).optSeed(2).build(), data, progress -> { }, null);
        }
        int steps = 6;
        assertThat(count(products, "(64, 784)*(784)")).as("first layer, weight gated").isGreaterThanOrEqualTo(steps + 1);
        assertThat(count(products, "(50, 784)*(784)")).as("first layer, input gated in training").isZero();
        assertThat(count(products, "(100, 784)*(784)")).as("first layer, input gated in evaluation").isZero();
        assertThat(count(products, "(50, 64)*(64)")).as("second layer, input gated in training").isEqualTo(steps);
        assertThat(count(products, "(100, 64)*(64)")).as("second layer, input gated in evaluation")
                .isGreaterThanOrEqualTo(1);
        assertThat(count(products, "(10, 64)*(64)")).as("second layer, weight gated").isZero();
    }

    private static int count(Map<String, AtomicInteger> products, String key) {
        AtomicInteger n = products.get(key);
        return n == null ? 0 : n.get();
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

package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.prune.LayerParameters;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import io.l0sparsify.prune.PrunedNetworkRunner;
import io.l0sparsify.prune.Pruner;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.LayerSpec.BatchNorm;
import io.l0sparsify.spec.LayerSpec.Conv2d;
import io.l0sparsify.spec.LayerSpec.Dense;
import io.l0sparsify.spec.LayerSpec.GlobalAvgPool;
import io.l0sparsify.spec.LayerSpec.Relu;
import io.l0sparsify.spec.LayerSpec.Residual;
import io.l0sparsify.spec.LayerSpec.Shortcut;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.SpecLimits;
import io.l0sparsify.testing.KeptCheckpoints;
import io.l0sparsify.testing.Mnist;
import io.l0sparsify.testing.ReferenceForward;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Residual blocks, batch normalization and global average pooling in the L0 core: the gated forward pass against
 * a reference written from the definitions, batch normalization in training and evaluation, pruning with the gates
 * after batch normalization, and a resumed run with running statistics.
 */
class ResidualNetworkTest {

    /**
     * [2, 5, 5] → conv 3 → pre-activation block (gated inner maps, stride-2 projection to 4) → post-activation
     * block (identity) → ReLU → GAP → dense 3 with gated inputs. Units by flat index: 0 conv; 1 BN, 2 ReLU, 3 conv
     * (gated), 4 BN (applies 3's gates), 5 ReLU, 6 conv, 7 projection; 8 conv (gated), 9 BN (applies 8's gates),
     * 10 ReLU, 11 conv, 12 BN; 13 ReLU, 14 GAP, 15 dense.
     */
    static final ModelSpec SPEC = ModelSpec.of(List.of(2, 5, 5), List.of(
            new Conv2d(3, 3, 1, 1, false),
            new Residual(List.of(new BatchNorm(), new Relu(), new Conv2d(4, 3, 2, 1, true), new BatchNorm(),
                    new Relu(), new Conv2d(4, 3, 1, 1, false)), new Shortcut.Projection(2)),
            new Residual(List.of(new Conv2d(4, 3, 1, 1, true), new BatchNorm(), new Relu(),
                    new Conv2d(4, 3, 1, 1, false), new BatchNorm()), new Shortcut.Identity()),
            new Relu(), new GlobalAvgPool(), new Dense(3, true)), SpecLimits.DEFAULT);

    // ẑ = clip(sigmoid(log α)·1.2 − 0.1): 3 → 1, −5 → 0 (closed), 0.2 → 0.5598, −0.3 → 0.4107
    private static final float[] GATES_3 = {3f, -5f, 0.2f, -0.3f};
    // −4 → 0 (closed), 2 → 0.9568, −0.5 → 0.3533, 5 → 1
    private static final float[] GATES_8 = {-4f, 2f, -0.5f, 5f};
    // 1 → 0.7772, −6 → 0 (closed), 0 → 0.5, 4 → 1
    private static final float[] GATES_15 = {1f, -6f, 0f, 4f};

    @Test
    void gatedForwardOfResidualBlocksEqualsAReferenceWrittenFromTheDefinitions() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainingOptions config = TrainingOptions.defaults();
            L0Network network = fixedNetwork(manager, config);
            float[] inputs = values(new Random(3), 2 * 2 * 5 * 5, 1.0);
            NDArray x = manager.create(inputs, new Shape(2, 2, 5, 5));
            float[] gated = network.predict(x).toFloatArray();

            float[][] reference = ReferenceForward.logits(byHand(network.snapshot()), inputs, 2);
            assertThat(gated).containsExactly(flatten(reference), within(2e-5f));

            // the closed gates remove conv 3's filter 1 with BN 4's channel 1 and conv 6's input channel 1, conv 8's
            // filter 0 with BN 9's channel 0 and conv 11's input channel 0, and the dense layer's input 1
            PrunedNetwork pruned = Pruner.prune(SPEC, network.snapshot());
            assertThat(pruned.architecture()).isEqualTo("3-3-3");
            PrunedLayer.Residual first = (PrunedLayer.Residual) pruned.layers().get(1);
            assertThat(((PrunedLayer.Conv2d) first.body().get(2)).keptFilters()).containsExactly(0, 2, 3);
            assertThat(((PrunedLayer.BatchNorm) first.body().get(3)).keptChannels()).containsExactly(0, 2, 3);
            assertThat(((PrunedLayer.Conv2d) first.body().get(5)).keptInChannels()).containsExactly(0, 2, 3);
            assertThat(((PrunedLayer.Conv2d) first.body().get(5)).keptFilters()).containsExactly(0, 1, 2, 3);
            assertThat(first.projection().name()).isEqualTo("residual1.shortcut");
            PrunedLayer.Residual second = (PrunedLayer.Residual) pruned.layers().get(2);
            assertThat(((PrunedLayer.BatchNorm) second.body().get(1)).keptChannels()).containsExactly(1, 2, 3);
            assertThat(((PrunedLayer.Dense) pruned.layers().get(5)).keptInputs()).containsExactly(0, 2, 3);
            assertThat(pruned.parameterCount()).isLessThan(SPEC.parameterCount());
            assertThat(Pruner.foldGates(SPEC, network.snapshot()).parameterCount()).isEqualTo(SPEC.parameterCount());

            try (PrunedNetworkRunner runner = new PrunedNetworkRunner(pruned, manager)) {
                assertThat(runner.forward(x).toFloatArray()).containsExactly(gated, within(2e-5f));
            }
            assertThat(flatten(ReferenceForward.logits(pruned, inputs, 2))).containsExactly(gated, within(2e-5f));
        }
    }

    @Test
    void prunedSizeAndExpectedSizeCountBatchNormTheShortcutAndTheAdd() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainingOptions config = TrainingOptions.defaults();
            L0Network network = fixedNetwork(manager, config);
            PrunedNetwork pruned = Pruner.prune(SPEC, network.snapshot());
            var size = Pruner.size(SPEC, network.testTimeGatesBySpecLayer(network.logAlphas(), 1));
            assertThat(size.parameters()).isEqualTo(pruned.parameterCount());
            assertThat(size.flops()).isEqualTo(pruned.flops());

            // every gate open: the dense network. conv 3·2·9+3 = 57, 2·3·9·25 = 2700 FLOPs; block 1: BN 6 / 150,
            // conv 4·3·9+4 = 112 / 2·27·4·9 = 1944, BN 8 / 72, conv 148 / 2·36·4·9 = 2592, projection 16 / 216,
            // add 36; block 2: conv 148 / 2592, BN 8 / 72, conv 148 / 2592, BN 8 / 72, add 36; GAP 36; dense 15 / 24
            ExpectedSize expected = new ExpectedSize(SPEC);
            assertThat(expected.dense().parameters()).isEqualTo(SPEC.parameterCount())
                    .isEqualTo(57 + 6 + 112 + 8 + 148 + 16 + 148 + 8 + 148 + 8 + 15);
            assertThat(expected.dense().flops())
                    .isEqualTo(2700 + 150 + 1944 + 72 + 2592 + 216 + 36 + 2592 + 72 + 2592 + 72 + 36 + 36 + 24);
            // with probabilities 0 or 1 the expectation is the pruner's count
            List<double[]> probabilities = new ArrayList<>();
            for (float[] la : List.of(GATES_3, GATES_8, GATES_15)) {
                double[] p = new double[la.length];
                for (int g = 0; g < la.length; g++) {
                    p[g] = network.gate().isClosed(la[g]) ? 0 : 1;
                }
                probabilities.add(p);
            }
            double[] both = expected.expected(probabilities);
            assertThat(both[0]).isEqualTo(pruned.parameterCount());
            assertThat(both[1]).isEqualTo(pruned.flops());
            // and the differentiable version agrees with the heap one
            List<NDArray> arrays = probabilities.stream().map(p -> manager.create(toFloats(p))).toList();
            assertThat(expected.fractionArray(SizeTarget.Metric.FLOPS, arrays).getFloat())
                    .isCloseTo((float) expected.fraction(SizeTarget.Metric.FLOPS, probabilities), within(1e-6f));
        }
    }

    @Test
    void theWideResidualPresetTrainsAStepAndPredictsWithEveryUnitAccountedFor() {
        ModelSpec wrn = io.l0sparsify.spec.Presets.WRN_16_4;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainingOptions config = TrainingOptions.defaults();
            L0Network network = L0Network.build(wrn, config);
            network.initialize(manager, config);
            // log α ~ N(log(0.7/0.3), 0.01²) = 0.847: the reference's droprate_init 0.3 inside the blocks
            float[] logAlpha = network.weightedLayers().get(1).logAlpha().getArray().toFloatArray();
            assertThat((double) logAlpha[0]).isCloseTo(Math.log(0.7 / 0.3), within(0.05));
            NDArray x = manager.randomNormal(new Shape(2, 3, 32, 32));
            NDArray trained = network.block().forward(new ParameterStore(manager, false), new NDList(x), true)
                    .singletonOrThrow();
            assertThat(trained.getShape()).isEqualTo(new Shape(2, 10));
            assertThat(network.predict(x).getShape()).isEqualTo(new Shape(2, 10));
            // every trained value is in the parameter count: weights, biases, γ and β (log α and statistics aside)
            long counted = 0;
            for (GatedLayer layer : network.weightedLayers()) {
                counted += layer.weight().getArray().size() + layer.bias().getArray().size();
            }
            for (BatchNormLayer bn : network.batchNorms()) {
                counted += bn.gamma().getArray().size() + bn.beta().getArray().size();
            }
            assertThat(counted).isEqualTo(wrn.parameterCount());
            assertThat(new ExpectedSize(wrn).dense().parameters()).isEqualTo(wrn.parameterCount());
        }
    }

    @Test
    void thePenaltyDecaysBatchNormalizationsGammaAndBetaWithoutAGate() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainingOptions config = TrainingOptions.defaults();
            L0Network network = fixedNetwork(manager, config);
            double[] lambdas = {0, 0.5, 0, 0, 0.5, 0, 0.5}; // conv 3, conv 8 and the dense layer are gated
            double weightDecay = 0.1;
            float withoutNorms = new L0Penalty(network.weightedLayers(), lambdas, weightDecay, 10)
                    .evaluate(null, null).getFloat();
            float withNorms = new L0Penalty(network.weightedLayers(), lambdas, weightDecay, 10, null,
                    network.batchNorms()).evaluate(null, null).getFloat();
            double squares = 0;
            for (BatchNormLayer bn : network.batchNorms()) {
                for (float v : bn.gamma().getArray().toFloatArray()) {
                    squares += v * v;
                }
                for (float v : bn.beta().getArray().toFloatArray()) {
                    squares += v * v;
                }
            }
            // ½·wd·Σ(γ² + β²) over the 5 batch normalizations, added to the groups' terms
            assertThat((double) withNorms - withoutNorms).isCloseTo(0.5 * weightDecay * squares, within(1e-4));
            assertThat(network.weightedLayers()).hasSize(lambdas.length);
        }
    }

    @Test
    void batchNormalizationUsesTheMinibatchInTrainingAndTheRunningStatisticsInEvaluation() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            BatchNormLayer bn = new BatchNormLayer(1e-5, 0.1, null);
            bn.initialize(manager, DataType.FLOAT32, new Shape(4, 2, 3, 3));
            float[] values = values(new Random(9), 4 * 2 * 3 * 3, 2.0);
            for (int i = 0; i < values.length; i++) {
                values[i] += i % 18 < 9 ? 5 : -1; // channel 0 around 5, channel 1 around −1
            }
            NDArray x = manager.create(values, new Shape(4, 2, 3, 3));
            float[] trained = bn.forward(new ParameterStore(manager, false), new NDList(x), true)
                    .singletonOrThrow().toFloatArray();
            float[] mean = new float[2];
            float[] runningMean = bn.runningMean().getArray().toFloatArray();
            float[] runningVar = bn.runningVar().getArray().toFloatArray();
            for (int c = 0; c < 2; c++) {
                double[] channel = channel(values, c);
                double m = Arrays.stream(channel).average().orElseThrow();
                double biased = Arrays.stream(channel).map(v -> (v - m) * (v - m)).sum() / channel.length;
                double unbiased = biased * channel.length / (channel.length - 1);
                double[] normalized = channel(trained, c);
                for (int i = 0; i < channel.length; i++) {
                    assertThat(normalized[i]).isCloseTo((channel[i] - m) / Math.sqrt(biased + 1e-5), within(1e-4));
                }
                // running ← 0.9·running + 0.1·batch, from mean 0 and variance 1
                assertThat((double) runningMean[c]).isCloseTo(0.1 * m, within(1e-5));
                assertThat((double) runningVar[c]).isCloseTo(0.9 + 0.1 * unbiased, within(1e-4));
                mean[c] = (float) m;
            }
            float[] evaluated = bn.forward(new ParameterStore(manager, false), new NDList(x), false)
                    .singletonOrThrow().toFloatArray();
            for (int c = 0; c < 2; c++) {
                double[] channel = channel(values, c);
                double[] out = channel(evaluated, c);
                for (int i = 0; i < channel.length; i++) {
                    assertThat(out[i]).isCloseTo((channel[i] - runningMean[c]) / Math.sqrt(runningVar[c] + 1e-5),
                            within(1e-4));
                }
            }
            // evaluation leaves the running statistics alone
            assertThat(bn.runningMean().getArray().toFloatArray()).containsExactly(runningMean);
            assertThat(mean[0]).isGreaterThan(mean[1]);
        }
    }

    @Test
    void aTrainingBatchWithOneValuePerChannelUsesAndKeepsTheRunningStatistics() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            BatchNormLayer bn = new BatchNormLayer(1e-5, 0.1, null);
            bn.initialize(manager, DataType.FLOAT32, new Shape(1, 3));
            NDArray x = manager.create(new float[] {2f, -1f, 0.5f}, new Shape(1, 3));
            float[] out = bn.forward(new ParameterStore(manager, false), new NDList(x), true)
                    .singletonOrThrow().toFloatArray();
            // running mean 0 and variance 1 at the start: the output is x/√(1 + eps), and nothing became NaN
            assertThat(out[0]).isCloseTo((float) (2 / Math.sqrt(1 + 1e-5)), within(1e-5f));
            assertThat(bn.runningVar().getArray().toFloatArray()).containsExactly(1f, 1f, 1f);
            assertThat(bn.runningMean().getArray().toFloatArray()).containsExactly(0f, 0f, 0f);
        }
    }

    @Test
    void aResumedResidualRunContinuesWithItsRunningStatisticsExactly() {
        ModelSpec spec = mnistResidual();
        TrainingData data = Mnist.full().head(600, 200);
        TrainingOptions config = TrainingOptions.builder().optEpochs(2).optBatchSize(50).optLearningRate(0.01)
                .optSeed(11).build();
        List<TrainingCheckpoint> checkpoints = new ArrayList<>();
        RunListener keep = KeptCheckpoints.into(checkpoints);
        TrainingResult full = new L0Trainer().train(spec, config, data, keep, null);
        TrainingCheckpoint first = TrainingCheckpoint.decode(checkpoints.getFirst().encode());
        // trainable parameters (weights, biases, log α, then γ and β of the 5 BNs) and their running statistics
        L0Network shape = L0Network.build(spec, config);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            shape.initialize(manager, config);
            assertThat(first.parameters()).hasSize(shape.trainableParameters().size() + 2 * 5);
            float[] savedVar = first.parameters().getLast();
            assertThat(savedVar).isNotEqualTo(new float[savedVar.length]);
            assertThat(savedVar[0]).isNotEqualTo(1f); // the running variance moved from its start
        }
        TrainingResult resumed = new L0Trainer().train(spec, config, data, RunListener.NONE, first);
        // compared as a whole: a mismatch would print two arrays of several thousand bytes
        assertThat(Arrays.equals(resumed.gatedParameters(), full.gatedParameters())).isTrue();
        assertThat(resumed.gatedTestError()).isEqualTo(full.gatedTestError());
        assertThat(resumed.pruned().architecture()).isEqualTo(full.pruned().architecture());
    }

    /** [1, 28, 28] → conv 8, BN, ReLU, maxpool → pre-activation block to 16 (stride 2) → post-activation block. */
    static ModelSpec mnistResidual() {
        return ModelSpec.of(List.of(1, 28, 28), List.of(
                new Conv2d(8, 3, 1, 1, false), new BatchNorm(), new Relu(), new LayerSpec.MaxPool(2, 2),
                new Residual(List.of(new BatchNorm(), new Relu(), new Conv2d(16, 3, 2, 1, true), new BatchNorm(),
                        new Relu(), new Conv2d(16, 3, 1, 1, false)),
                        new Shortcut.Projection(2)),
                new Residual(List.of(new Conv2d(16, 3, 1, 1, true), new BatchNorm(), new Relu(),
                        new Conv2d(16, 3, 1, 1, false), new BatchNorm()), new Shortcut.Identity()),
                new Relu(), new GlobalAvgPool(), new Dense(10, false)), SpecLimits.DEFAULT);
    }

    /** {@link #SPEC} with seeded weights, non-trivial BN statistics and the fixed log α above. */
    static L0Network fixedNetwork(NDManager manager, TrainingOptions config) {
        L0Network network = L0Network.build(SPEC, config);
        network.initialize(manager, config);
        Random random = new Random(7);
        for (GatedLayer layer : network.weightedLayers()) {
            NativeArrays.assign(layer.weight().getArray(),
                    values(random, Math.toIntExact(layer.weight().getArray().size()), 0.4));
            NativeArrays.assign(layer.bias().getArray(),
                    values(random, Math.toIntExact(layer.bias().getArray().size()), 0.1));
        }
        for (BatchNormLayer bn : network.batchNorms()) {
            int c = Math.toIntExact(bn.gamma().getArray().size());
            float[] gamma = values(random, c, 0.3);
            float[] var = values(random, c, 0.3);
            for (int i = 0; i < c; i++) {
                gamma[i] += 1;
                var[i] = 0.5f + Math.abs(var[i]);
            }
            NativeArrays.assign(bn.gamma().getArray(), gamma);
            NativeArrays.assign(bn.beta().getArray(), values(random, c, 0.5));
            NativeArrays.assign(bn.runningMean().getArray(), values(random, c, 0.5));
            NativeArrays.assign(bn.runningVar().getArray(), var);
        }
        network.assignLogAlphas(List.of(GATES_3, GATES_8, GATES_15));
        return network;
    }

    /**
     * The gated network as a plain {@link PrunedNetwork} written by hand, every unit kept: a gated convolution's ẑ
     * multiplies the output of the batch normalization after it (ReLU(z·a) = z·ReLU(a) for z ≥ 0), so it scales that
     * layer's γ and β; the dense layer's ẑ scales its input columns.
     */
    private static PrunedNetwork byHand(List<LayerParameters> snapshot) {
        LayerParameters[] p = new LayerParameters[16];
        for (LayerParameters values : snapshot) {
            p[values.specIndex()] = values;
        }
        float[] z3 = p[3].gates();
        float[] z8 = p[8].gates();
        float[] z15 = p[15].gates();
        assertThat(z3[1]).isZero();
        assertThat(z3[2]).isStrictlyBetween(0f, 1f);
        float[] dense = p[15].weight().clone();
        for (int u = 0; u < 3; u++) {
            for (int j = 0; j < 4; j++) {
                dense[u * 4 + j] *= z15[j];
            }
        }
        return new PrunedNetwork(List.of(2, 5, 5), List.of(
                conv("c0", p[0], 2, 3, 1, 1),
                new PrunedLayer.Residual("r1", List.of(bn("b1", p[1], null), new PrunedLayer.Relu("a2"),
                        conv("c3", p[3], 3, 3, 2, 1), bn("b4", p[4], z3), new PrunedLayer.Relu("a5"),
                        conv("c6", p[6], 4, 3, 1, 1)), conv("c7", p[7], 3, 1, 2, 0)),
                new PrunedLayer.Residual("r2", List.of(conv("c8", p[8], 4, 3, 1, 1), bn("b9", p[9], z8),
                        new PrunedLayer.Relu("a10"), conv("c11", p[11], 4, 3, 1, 1), bn("b12", p[12], null)), null),
                new PrunedLayer.Relu("a13"), new PrunedLayer.GlobalAvgPool("g14"),
                new PrunedLayer.Dense("d15", true, 4, 3, all(4), all(3), null, dense, p[15].bias())), 3);
    }

    private static PrunedLayer.Conv2d conv(String name, LayerParameters p, int channels, int kernel, int stride,
            int padding) {
        int filters = p.bias().length;
        return new PrunedLayer.Conv2d(name, false, filters, channels, all(filters), all(channels), kernel, stride,
                padding, p.weight(), p.bias());
    }

    private static PrunedLayer.BatchNorm bn(String name, LayerParameters p, float[] z) {
        int c = p.weight().length;
        float[] gamma = p.weight().clone();
        float[] beta = p.bias().clone();
        for (int i = 0; z != null && i < c; i++) {
            gamma[i] *= z[i];
            beta[i] *= z[i];
        }
        return new PrunedLayer.BatchNorm(name, c, all(c), gamma, beta, p.runningMean(), p.runningVar(), 1e-5f);
    }

    private static int[] all(int n) {
        int[] indices = new int[n];
        for (int i = 0; i < n; i++) {
            indices[i] = i;
        }
        return indices;
    }

    private static float[] values(Random random, int n, double scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * scale);
        }
        return values;
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }

    /** Channel c of a [4, 2, 3, 3] tensor. */
    private static double[] channel(float[] values, int c) {
        double[] channel = new double[4 * 9];
        for (int n = 0; n < 4; n++) {
            for (int i = 0; i < 9; i++) {
                channel[n * 9 + i] = values[(n * 2 + c) * 9 + i];
            }
        }
        return channel;
    }

    private static float[] flatten(float[][] rows) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * rows[0].length, rows[r].length);
        }
        return flat;
    }
}

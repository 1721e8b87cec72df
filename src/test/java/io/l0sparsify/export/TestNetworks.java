package io.l0sparsify.export;

import io.l0sparsify.dataset.Preprocessing;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Small pruned networks with seeded random weights, shaped like the results of real pruning. */
final class TestNetworks {

    /**
     * What the networks here are recorded with: MNIST's bytes scaled to [0, 1], one mean and standard deviation
     * for every input, classes "0" to "9".
     */
    static final DataConventions MNIST = new DataConventions(Preprocessing.scaleOnly(1.0 / 255.0, 1),
            IntStream.range(0, 10).mapToObj(Integer::toString).toList());

    private TestNetworks() {}

    /**
     * MLP on 784 inputs: dense0 gathers 300 of the 784 pixels and keeps 50 of 64 units; dense1 keeps 20 of
     * 32; dense2 has lost 5 of its 20 remaining inputs to its input gates (so it gathers 15 of them) and
     * keeps all 10 classes.
     */
    static PrunedNetwork mlp(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] pixels = subset(784, 300, random);
        int[] units0 = subset(64, 50, random);
        int[] units1 = subset(32, 20, random);
        int[] gather2 = subset(20, 15, random);
        int[] inputs2 = IntStream.of(gather2).map(g -> units1[g]).toArray();
        return new PrunedNetwork(List.of(784), List.of(
                dense("dense0", 784, 64, pixels, units0, pixels.clone(), random),
                new PrunedLayer.Relu("relu0"),
                dense("dense1", 64, 32, units0, units1, null, random),
                new PrunedLayer.Relu("relu1"),
                dense("dense2", 32, 10, inputs2, IntStream.range(0, 10).toArray(), gather2, random)), 10);
    }

    /**
     * LeNet-like on [1, 28, 28]: conv0 5×5 pad 2 keeps 3 of 5 filters → relu → maxpool 2 → conv1 4×4
     * stride 2 keeps 4 of 6 filters (its windows cover all 14 rows and columns, so every padded border
     * pixel reaches the logits) → relu → maxpool 2 → flatten (4·3·3 = 36 of the unpruned 6·3·3 = 54) →
     * dense0 gathers 25 of the 36 and keeps 12 of 16 units → relu → dense1 with all 10 classes.
     */
    static PrunedNetwork lenet(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] filters0 = subset(5, 3, random);
        int[] filters1 = subset(6, 4, random);
        int[] gather = subset(36, 25, random);
        int[] kept = IntStream.of(gather).map(g -> filters1[g / 9] * 9 + g % 9).toArray();
        int[] units = subset(16, 12, random);
        return new PrunedNetwork(List.of(1, 28, 28), List.of(
                conv("conv0", 5, 1, filters0, new int[] {0}, 5, 1, 2, random),
                new PrunedLayer.Relu("relu0"),
                new PrunedLayer.MaxPool("pool0", 2, 2),
                conv("conv1", 6, 5, filters1, filters0, 4, 2, 0, random),
                new PrunedLayer.Relu("relu1"),
                new PrunedLayer.MaxPool("pool1", 2, 2),
                new PrunedLayer.Flatten("flatten"),
                dense("dense0", 54, 16, kept, units, gather, random),
                new PrunedLayer.Relu("relu2"),
                dense("dense1", 16, 10, units, IntStream.range(0, 10).toArray(), null, random)), 10);
    }

    /** {@code batch} inputs of {@code network}'s input shape, uniform in [0, 1) like scaled pixels. */
    static float[] inputs(PrunedNetwork network, int batch, long seed) {
        int size = network.inputShape().stream().mapToInt(Integer::intValue).reduce(1, (a, b) -> a * b);
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[batch * size];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble();
        }
        return values;
    }

    static PrunedLayer.Dense dense(String name, int originalInputs, int originalUnits, int[] keptInputs,
            int[] keptUnits, int[] gather, SplittableRandom random) {
        return new PrunedLayer.Dense(name, true, originalInputs, originalUnits, keptInputs, keptUnits, gather,
                values(keptUnits.length * keptInputs.length, keptInputs.length, random),
                values(keptUnits.length, 1, random));
    }

    static PrunedLayer.Conv2d conv(String name, int originalFilters, int originalInChannels, int[] keptFilters,
            int[] keptInChannels, int kernel, int stride, int padding, SplittableRandom random) {
        int fanIn = keptInChannels.length * kernel * kernel;
        return new PrunedLayer.Conv2d(name, true, originalFilters, originalInChannels, keptFilters,
                keptInChannels, kernel, stride, padding, values(keptFilters.length * fanIn, fanIn, random),
                values(keptFilters.length, 1, random));
    }

    /** Uniform in ±1/√fanIn, so that activations stay of order one through the layers. */
    private static float[] values(int n, int fanIn, SplittableRandom random) {
        double bound = 1 / Math.sqrt(fanIn);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextDouble(-bound, bound);
        }
        return values;
    }

    /** {@code k} distinct indices of {@code [0, n)} in ascending order. */
    static int[] subset(int n, int k, SplittableRandom random) {
        int[] all = IntStream.range(0, n).toArray();
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return IntStream.of(all).limit(k).sorted().toArray();
    }
}

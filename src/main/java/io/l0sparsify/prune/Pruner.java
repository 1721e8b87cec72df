package io.l0sparsify.prune;

import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.NetworkWalk;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Builds the physically smaller network from a trained gated one.
 *
 * <p>Three passes over the spec's walk ({@link NetworkWalk}: residual blocks opened up), in the original index
 * space of every activation:
 * <ol>
 *   <li>forward: a dense layer keeps the inputs that still arrive and whose gate ẑ is non-zero; a conv
 *       layer keeps the filters whose gate is non-zero; pooling, ReLU and dropout pass channels through;
 *       flatten turns kept channels into kept positions;</li>
 *   <li>backward: an output unit (or filter) that no kept input of the next weighted layer reads is
 *       dropped too — a zero gate downstream makes it dead weight;</li>
 *   <li>build: gather indices where a dense layer reads a subset of what arrives, weights sliced and
 *       multiplied by ẑ.</li>
 * </ol>
 * The result computes exactly the gated network's test-time function (up to float rounding): every
 * removed unit contributed zero. A layer whose gates are all closed keeps one group with zero weights so
 * that every shape stays non-empty.
 *
 * <p>A gated convolution followed by batch normalization is gated after it: its ẑ is folded into that layer's γ
 * and β, and a closed gate removes the filter, its batch normalization channel and the next layer's input
 * channel. The residual stream is never gated, so a residual block keeps every channel of its input and output
 * (its body's inner maps are pruned like any others) and its projection shortcut stays whole.
 */
public final class Pruner {

    private Pruner() {}

    /** Removes every closed group and everything only it fed. */
    public static PrunedNetwork prune(ModelSpec spec, List<LayerParameters> parameters) {
        return build(spec, parameters, true);
    }

    /**
     * Folds the gates into the weights but keeps every unit: the dense baseline that a pruned network is
     * compared against (same function, original size).
     */
    public static PrunedNetwork foldGates(ModelSpec spec, List<LayerParameters> parameters) {
        return build(spec, parameters, false);
    }

    /**
     * The parameters and FLOPs of the network {@link #prune} would build from these gates, computed from the
     * kept masks alone (no weights are copied): {@code gates.get(i)} is the test-time gate ẑ per group of the
     * i-th layer of the spec, null for an ungated layer or a layer without weights. Equal to
     * {@link PrunedNetwork#parameterCount()} and {@link PrunedNetwork#flops()} of the pruned network.
     */
    public static PrunedSize size(ModelSpec spec, List<float[]> gates) {
        NetworkWalk walk = spec.walk();
        if (gates.size() != walk.units().size()) {
            throw new IllegalArgumentException(walk.units().size() + " layers but " + gates.size() + " gate arrays");
        }
        Masks masks = masks(spec, walk, gates.toArray(new float[0][]), true);
        long parameters = 0;
        long flops = 0;
        boolean[] avail = allTrue(spec.inputShapeOf(0)[0]);
        for (NetworkWalk.Step step : walk.steps()) {
            switch (step) {
                case NetworkWalk.Step.Unit u -> {
                    int i = u.index();
                    switch (u.layer()) {
                        case LayerSpec.Dense _ -> {
                            long in = indices(masks.keptIn()[i]).length;
                            long out = indices(masks.keptOut()[i]).length;
                            parameters += in * out + out;
                            flops += 2 * in * out;
                            avail = masks.keptOut()[i];
                        }
                        case LayerSpec.Conv2d c -> {
                            long channels = indices(avail).length;
                            long filters = indices(masks.keptOut()[i]).length;
                            parameters += filters * channels * c.kernel() * c.kernel() + filters;
                            flops += 2 * channels * c.kernel() * c.kernel() * filters * u.outShape()[1]
                                    * u.outShape()[2];
                            avail = masks.keptOut()[i];
                        }
                        case LayerSpec.BatchNorm _ -> {
                            long channels = indices(avail).length;
                            parameters += 2 * channels;
                            flops += 2 * channels * area(u.inShape());
                        }
                        case LayerSpec.GlobalAvgPool _ -> flops += indices(avail).length * area(u.inShape());
                        case LayerSpec.Flatten _ -> avail = flatten(avail, u.inShape());
                        // pooling counts no multiply-adds (see PrunedNetwork.flops)
                        case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Dropout _ -> { }
                    }
                }
                case NetworkWalk.Step.BlockStart _ -> { }
                case NetworkWalk.Step.BlockEnd end -> {
                    int[] in = end.inShape();
                    int[] out = end.outShape();
                    if (end.projection() != null) {
                        parameters += (long) in[0] * out[0] + out[0];
                        flops += 2L * in[0] * out[0] * area(out);
                    }
                    flops += (long) out[0] * area(out);
                    avail = allTrue(out[0]);
                }
            }
        }
        return new PrunedSize(parameters, flops);
    }

    /**
     * What each unit keeps, by flat index, in the original index space: {@code keptIn[i]} the inputs of a dense
     * layer or the input channels of a conv layer, {@code keptOut[i]} the units of a dense layer or the filters of a
     * conv layer.
     */
    private record Masks(boolean[][] keptIn, boolean[][] keptOut) {}

    private static PrunedNetwork build(ModelSpec spec, List<LayerParameters> parameters, boolean remove) {
        NetworkWalk walk = spec.walk();
        int n = walk.units().size();
        LayerParameters[] values = new LayerParameters[n];
        for (LayerParameters p : parameters) {
            values[p.specIndex()] = p;
        }
        float[][] gates = new float[n][];
        for (NetworkWalk.Step.Unit u : walk.units()) {
            int i = u.index();
            if (hasParameters(u.layer()) && values[i] == null) {
                throw new IllegalArgumentException("no parameters for layer " + i + " (" + u.path() + ", "
                        + u.layer().type() + ")");
            }
            gates[i] = values[i] == null ? null : values[i].gates();
        }
        Masks masks = masks(spec, walk, gates, remove);
        boolean[][] keptIn = masks.keptIn();
        boolean[][] keptOut = masks.keptOut();

        // 3. build, tracking what actually arrives at each layer; a block's body is built into its own list
        Deque<List<PrunedLayer>> lists = new ArrayDeque<>();
        Deque<String> blockNames = new ArrayDeque<>();
        lists.push(new ArrayList<>());
        boolean[] avail = allTrue(spec.inputShapeOf(0)[0]);
        for (NetworkWalk.Step step : walk.steps()) {
            switch (step) {
                case NetworkWalk.Step.Unit u -> {
                    int i = u.index();
                    String name = name(u.path(), u.layer().type());
                    List<PrunedLayer> target = lists.peek();
                    switch (u.layer()) {
                        case LayerSpec.Dense d -> {
                            target.add(dense(name, d, values[i], indices(keptIn[i]), indices(keptOut[i]),
                                    indices(avail)));
                            avail = keptOut[i];
                        }
                        case LayerSpec.Conv2d c -> {
                            // a deferred gate is folded into the batch normalization that applies it
                            target.add(conv(name, c, u.inShape()[0], values[i], u.gateDeferred() ? null
                                    : values[i].gates(), indices(keptOut[i]), indices(avail)));
                            avail = keptOut[i];
                        }
                        case LayerSpec.BatchNorm b -> target.add(batchNorm(name, b, u.inShape()[0], values[i],
                                u.gateOf() < 0 ? null : values[u.gateOf()].gates(), indices(avail)));
                        case LayerSpec.MaxPool p -> target.add(new PrunedLayer.MaxPool(name, p.size(), p.stride(),
                                p.padding()));
                        // per channel: the kept channels pass through, in order
                        case LayerSpec.AvgPool p -> target.add(new PrunedLayer.AvgPool(name, p.size(), p.stride(),
                                p.padding(), p.countIncludePad()));
                        case LayerSpec.Relu _ -> target.add(new PrunedLayer.Relu(name));
                        case LayerSpec.Flatten _ -> {
                            target.add(new PrunedLayer.Flatten(name));
                            avail = flatten(avail, u.inShape());
                        }
                        case LayerSpec.GlobalAvgPool _ -> target.add(new PrunedLayer.GlobalAvgPool(name));
                        case LayerSpec.Dropout _ -> {
                            // the identity at test time: it has no place in the pruned network
                        }
                    }
                }
                case NetworkWalk.Step.BlockStart start -> {
                    requireWholeStream(avail, start.path());
                    lists.push(new ArrayList<>());
                    blockNames.push(name(start.path(), start.block().type()));
                }
                case NetworkWalk.Step.BlockEnd end -> {
                    requireWholeStream(avail, end.path() + ".body");
                    List<PrunedLayer> body = lists.pop();
                    String name = blockNames.pop();
                    PrunedLayer.Conv2d projection = null;
                    if (end.projection() != null) {
                        NetworkWalk.Step.Unit p = end.projection();
                        LayerSpec.Conv2d c = (LayerSpec.Conv2d) p.layer();
                        projection = conv(name + ".shortcut", c, end.inShape()[0], values[p.index()], null,
                                indices(keptOut[p.index()]), indices(keptIn[p.index()]));
                    }
                    lists.peek().add(new PrunedLayer.Residual(name, body, projection));
                    avail = allTrue(end.outShape()[0]);
                }
            }
        }
        return new PrunedNetwork(spec.inputShape(), lists.pop(), spec.numClasses());
    }

    /**
     * A layer's name from its place in the spec: {@code conv2d0} for {@code layers[0]}, {@code residual3.batchnorm2}
     * for {@code layers[3].body[2]}.
     */
    private static String name(String path, String type) {
        String[] parts = path.split("\\.");
        StringBuilder name = new StringBuilder();
        for (int k = 0; k < parts.length; k++) {
            String part = parts[k];
            int open = part.indexOf('[');
            String position = part.substring(open + 1, part.length() - 1);
            if (k > 0) {
                name.append('.');
            }
            name.append(k == parts.length - 1 ? type : "residual").append(position);
        }
        return name.toString();
    }

    /** The residual stream is never gated, so every channel of it must arrive. */
    private static void requireWholeStream(boolean[] avail, String at) {
        for (boolean a : avail) {
            if (!a) {
                throw new IllegalStateException(at + ": the residual stream lost a channel");
            }
        }
    }

    /** Passes 1 and 2 of the class comment; {@code gates[i]} is null for an ungated or unweighted unit. */
    private static Masks masks(ModelSpec spec, NetworkWalk walk, float[][] gates, boolean remove) {
        int n = walk.units().size();
        boolean[][] keptIn = new boolean[n][];
        boolean[][] keptOut = new boolean[n][];

        // 1. forward
        boolean[] avail = allTrue(spec.inputShapeOf(0)[0]);
        for (NetworkWalk.Step step : walk.steps()) {
            switch (step) {
                case NetworkWalk.Step.Unit u -> {
                    int i = u.index();
                    switch (u.layer()) {
                        case LayerSpec.Dense d -> {
                            keptIn[i] = open(avail, gates[i], remove);
                            keptOut[i] = allTrue(d.units());
                            avail = keptOut[i];
                        }
                        case LayerSpec.Conv2d c -> {
                            keptIn[i] = avail;
                            keptOut[i] = open(allTrue(c.filters()), gates[i], remove);
                            avail = keptOut[i];
                        }
                        case LayerSpec.Flatten _ -> avail = flatten(avail, u.inShape());
                        // channels (or features) pass through unchanged; a global average keeps one value each
                        case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Dropout _,
                                LayerSpec.BatchNorm _, LayerSpec.GlobalAvgPool _ -> { }
                    }
                }
                case NetworkWalk.Step.BlockStart _ -> { }
                case NetworkWalk.Step.BlockEnd end -> {
                    if (end.projection() != null) {
                        keptIn[end.projection().index()] = allTrue(end.inShape()[0]);
                        keptOut[end.projection().index()] = allTrue(end.outShape()[0]);
                    }
                    avail = allTrue(end.outShape()[0]);
                }
            }
        }

        // 2. backward
        boolean[] needed = allTrue(spec.numClasses());
        List<NetworkWalk.Step> steps = walk.steps();
        for (int s = steps.size() - 1; s >= 0; s--) {
            switch (steps.get(s)) {
                case NetworkWalk.Step.Unit u -> {
                    int i = u.index();
                    switch (u.layer()) {
                        case LayerSpec.Dense _ -> {
                            keptOut[i] = and(keptOut[i], needed);
                            needed = keptIn[i];
                        }
                        case LayerSpec.Conv2d _ -> {
                            keptOut[i] = nonEmpty(and(keptOut[i], needed), keptOut[i], gates[i]);
                            needed = keptIn[i];
                        }
                        case LayerSpec.Flatten _ -> needed = channelsOf(needed, u.inShape());
                        case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Dropout _,
                                LayerSpec.BatchNorm _, LayerSpec.GlobalAvgPool _ -> { }
                    }
                }
                // the sum and the shortcut read every channel of the stream, whatever comes after the block
                case NetworkWalk.Step.BlockEnd end -> needed = allTrue(end.outShape()[0]);
                case NetworkWalk.Step.BlockStart start -> needed = allTrue(start.shape()[0]);
            }
        }
        return new Masks(keptIn, keptOut);
    }

    /** Whether the layer has trained values, and so needs a {@link LayerParameters}. */
    private static boolean hasParameters(LayerSpec.Unit layer) {
        return switch (layer) {
            case LayerSpec.Dense _, LayerSpec.Conv2d _, LayerSpec.BatchNorm _ -> true;
            case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Flatten _,
                    LayerSpec.Dropout _, LayerSpec.GlobalAvgPool _ -> false;
        };
    }

    private static PrunedLayer.BatchNorm batchNorm(String name, LayerSpec.BatchNorm spec, int originalChannels,
            LayerParameters p, float[] gates, int[] channels) {
        if (p.runningMean() == null || p.runningVar() == null) {
            throw new IllegalArgumentException(name + ": batch normalization without running statistics");
        }
        float[] gamma = new float[channels.length];
        float[] beta = new float[channels.length];
        float[] mean = new float[channels.length];
        float[] var = new float[channels.length];
        for (int c = 0; c < channels.length; c++) {
            int k = channels[c];
            // ẑ·(γ·x̂ + β) = (ẑγ)·x̂ + ẑβ: the gate folds into the affine part
            float z = gates == null ? 1f : gates[k];
            gamma[c] = p.weight()[k] * z;
            beta[c] = p.bias()[k] * z;
            mean[c] = p.runningMean()[k];
            var[c] = p.runningVar()[k];
        }
        return new PrunedLayer.BatchNorm(name, originalChannels, channels, gamma, beta, mean, var,
                (float) spec.eps());
    }

    private static PrunedLayer.Dense dense(String name, LayerSpec.Dense spec, LayerParameters p, int[] in,
            int[] out, int[] arriving) {
        int originalInputs = p.weight().length / spec.units();
        float[] weight = new float[out.length * in.length];
        float[] bias = new float[out.length];
        for (int u = 0; u < out.length; u++) {
            int row = out[u] * originalInputs;
            for (int j = 0; j < in.length; j++) {
                float z = p.gates() == null ? 1f : p.gates()[in[j]];
                weight[u * in.length + j] = p.weight()[row + in[j]] * z;
            }
            bias[u] = p.bias()[out[u]];
        }
        int[] gather = null;
        if (!Arrays.equals(in, arriving)) {
            gather = new int[in.length];
            for (int j = 0; j < in.length; j++) {
                gather[j] = Arrays.binarySearch(arriving, in[j]);
                if (gather[j] < 0) {
                    throw new IllegalStateException(name + ": input " + in[j] + " kept but not produced upstream");
                }
            }
        }
        return new PrunedLayer.Dense(name, spec.gated(), originalInputs, spec.units(), in, out, gather, weight,
                bias);
    }

    /** {@code gates}: the ẑ to fold into the filters, or null when none (ungated, or applied after a BN). */
    private static PrunedLayer.Conv2d conv(String name, LayerSpec.Conv2d spec, int originalChannels,
            LayerParameters p, float[] gates, int[] filters, int[] channels) {
        int k = spec.kernel();
        int area = k * k;
        float[] weight = new float[filters.length * channels.length * area];
        float[] bias = new float[filters.length];
        for (int f = 0; f < filters.length; f++) {
            float z = gates == null ? 1f : gates[filters[f]];
            for (int c = 0; c < channels.length; c++) {
                int from = (filters[f] * originalChannels + channels[c]) * area;
                int to = (f * channels.length + c) * area;
                for (int a = 0; a < area; a++) {
                    weight[to + a] = p.weight()[from + a] * z;
                }
            }
            bias[f] = p.bias()[filters[f]] * z;
        }
        return new PrunedLayer.Conv2d(name, spec.gated(), spec.filters(), originalChannels, filters, channels, k,
                spec.stride(), spec.padding(), spec.dilation(), weight, bias);
    }

    /** Units still arriving whose gate is open; never empty (see the class comment). */
    private static boolean[] open(boolean[] arriving, float[] gates, boolean remove) {
        boolean[] kept = arriving.clone();
        if (gates != null && remove) {
            for (int i = 0; i < kept.length; i++) {
                kept[i] &= gates[i] > 0;
            }
        }
        return nonEmpty(kept, arriving, gates);
    }

    /**
     * {@code kept} when it keeps anything; otherwise the one candidate with the largest gate (the first on
     * a tie). The fallback is chosen among the candidates only: after a flatten, an input whose channel was
     * removed upstream does not arrive, and keeping it would leave the layer reading a value nobody produces.
     */
    private static boolean[] nonEmpty(boolean[] kept, boolean[] candidates, float[] gates) {
        for (boolean k : kept) {
            if (k) {
                return kept;
            }
        }
        int best = -1;
        for (int i = 0; i < candidates.length; i++) {
            if (candidates[i] && (best < 0 || gates != null && gates[i] > gates[best])) {
                best = i;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("no unit arrives to keep");
        }
        boolean[] one = new boolean[kept.length];
        one[best] = true;
        return one;
    }

    private static boolean[] flatten(boolean[] channels, int[] shape) {
        int area = shape.length == 3 ? shape[1] * shape[2] : 1;
        boolean[] flat = new boolean[channels.length * area];
        for (int c = 0; c < channels.length; c++) {
            if (channels[c]) {
                Arrays.fill(flat, c * area, (c + 1) * area, true);
            }
        }
        return flat;
    }

    private static boolean[] channelsOf(boolean[] flat, int[] shape) {
        int area = shape.length == 3 ? shape[1] * shape[2] : 1;
        boolean[] channels = new boolean[flat.length / area];
        for (int i = 0; i < flat.length; i++) {
            channels[i / area] |= flat[i];
        }
        return channels;
    }

    private static int area(int[] shape) {
        return shape.length == 3 ? shape[1] * shape[2] : 1;
    }

    private static boolean[] allTrue(int size) {
        boolean[] mask = new boolean[size];
        Arrays.fill(mask, true);
        return mask;
    }

    private static boolean[] and(boolean[] a, boolean[] b) {
        boolean[] r = new boolean[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] && b[i];
        }
        return r;
    }

    private static int[] indices(boolean[] mask) {
        int count = 0;
        for (boolean m : mask) {
            count += m ? 1 : 0;
        }
        int[] result = new int[count];
        int j = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                result[j++] = i;
            }
        }
        return result;
    }
}

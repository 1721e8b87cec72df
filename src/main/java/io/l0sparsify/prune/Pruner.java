package io.l0sparsify.prune;

import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the physically smaller network from a trained gated one.
 *
 * <p>Three passes over the layers, in the original index space of every activation:
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
        List<LayerSpec> layers = spec.layers();
        if (gates.size() != layers.size()) {
            throw new IllegalArgumentException(layers.size() + " layers but " + gates.size() + " gate arrays");
        }
        Masks masks = masks(spec, gates.toArray(new float[0][]), true);
        List<int[]> outShapes = spec.outputShapes();
        long parameters = 0;
        long flops = 0;
        boolean[] avail = allTrue(units(masks.inShapes()[0]));
        for (int i = 0; i < layers.size(); i++) {
            switch (layers.get(i)) {
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
                    long area = (long) c.kernel() * c.kernel();
                    int[] out = outShapes.get(i);
                    parameters += filters * channels * area + filters;
                    flops += 2 * channels * area * filters * out[1] * out[2];
                    avail = masks.keptOut()[i];
                }
                case LayerSpec.Flatten _ -> avail = flatten(avail, masks.inShapes()[i]);
                case LayerSpec.MaxPool _, LayerSpec.Relu _, LayerSpec.Dropout _ -> { }
            }
        }
        return new PrunedSize(parameters, flops);
    }

    /**
     * What each layer keeps, in the original index space: {@code keptIn[i]} the inputs of a dense layer,
     * {@code keptOut[i]} the units of a dense layer or the filters of a conv layer; {@code inShapes[i]} the shape
     * entering layer i.
     */
    private record Masks(boolean[][] keptIn, boolean[][] keptOut, int[][] inShapes) {}

    private static PrunedNetwork build(ModelSpec spec, List<LayerParameters> parameters, boolean remove) {
        List<LayerSpec> layers = spec.layers();
        int n = layers.size();
        LayerParameters[] values = new LayerParameters[n];
        for (LayerParameters p : parameters) {
            values[p.specIndex()] = p;
        }
        float[][] gates = new float[n][];
        for (int i = 0; i < n; i++) {
            if (isWeighted(layers.get(i)) && values[i] == null) {
                throw new IllegalArgumentException("no parameters for layer " + i + " (" + layers.get(i).type() + ")");
            }
            gates[i] = values[i] == null ? null : values[i].gates();
        }
        Masks masks = masks(spec, gates, remove);
        boolean[][] keptIn = masks.keptIn();
        boolean[][] keptOut = masks.keptOut();
        int[][] inShapes = masks.inShapes();

        // 3. build, tracking what actually arrives at each layer
        List<PrunedLayer> result = new ArrayList<>();
        boolean[] avail = allTrue(units(inShapes[0]));
        for (int i = 0; i < n; i++) {
            LayerSpec layer = layers.get(i);
            String name = layer.type() + i;
            switch (layer) {
                case LayerSpec.Dense d -> {
                    result.add(dense(name, d, values[i], indices(keptIn[i]), indices(keptOut[i]), indices(avail)));
                    avail = keptOut[i];
                }
                case LayerSpec.Conv2d c -> {
                    result.add(conv(name, c, inShapes[i][0], values[i], indices(keptOut[i]), indices(avail)));
                    avail = keptOut[i];
                }
                case LayerSpec.MaxPool p -> result.add(new PrunedLayer.MaxPool(name, p.size(), p.stride()));
                case LayerSpec.Relu _ -> result.add(new PrunedLayer.Relu(name));
                case LayerSpec.Flatten _ -> {
                    result.add(new PrunedLayer.Flatten(name));
                    avail = flatten(avail, inShapes[i]);
                }
                case LayerSpec.Dropout _ -> {
                    // the identity at test time: it has no place in the pruned network
                }
            }
        }
        return new PrunedNetwork(spec.inputShape(), result, spec.numClasses());
    }

    /** Passes 1 and 2 of the class comment; {@code gates[i]} is null for an ungated or unweighted layer. */
    private static Masks masks(ModelSpec spec, float[][] gates, boolean remove) {
        List<LayerSpec> layers = spec.layers();
        int n = layers.size();
        int[][] inShapes = new int[n][];
        List<int[]> outShapes = spec.outputShapes();
        for (int i = 0; i < n; i++) {
            inShapes[i] = i == 0 ? spec.inputShapeOf(0) : outShapes.get(i - 1);
        }

        // keptIn[i]: dense inputs kept (original index space); keptOut[i]: dense units / conv filters kept.
        boolean[][] keptIn = new boolean[n][];
        boolean[][] keptOut = new boolean[n][];

        // 1. forward
        boolean[] avail = allTrue(units(inShapes[0]));
        for (int i = 0; i < n; i++) {
            switch (layers.get(i)) {
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
                case LayerSpec.Flatten _ -> avail = flatten(avail, inShapes[i]);
                // channels (or features) pass through unchanged
                case LayerSpec.MaxPool _, LayerSpec.Relu _, LayerSpec.Dropout _ -> { }
            }
        }

        // 2. backward
        boolean[] needed = allTrue(spec.numClasses());
        for (int i = n - 1; i >= 0; i--) {
            switch (layers.get(i)) {
                case LayerSpec.Dense _ -> {
                    keptOut[i] = and(keptOut[i], needed);
                    needed = keptIn[i];
                }
                case LayerSpec.Conv2d _ -> {
                    keptOut[i] = nonEmpty(and(keptOut[i], needed), keptOut[i], gates[i]);
                    needed = keptIn[i];
                }
                case LayerSpec.Flatten _ -> needed = channelsOf(needed, inShapes[i]);
                case LayerSpec.MaxPool _, LayerSpec.Relu _, LayerSpec.Dropout _ -> { }
            }
        }
        return new Masks(keptIn, keptOut, inShapes);
    }

    /** Whether the layer has weights, and so needs a {@link LayerParameters}. */
    private static boolean isWeighted(LayerSpec layer) {
        return switch (layer) {
            case LayerSpec.Dense _, LayerSpec.Conv2d _ -> true;
            case LayerSpec.MaxPool _, LayerSpec.Relu _, LayerSpec.Flatten _, LayerSpec.Dropout _ -> false;
        };
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

    private static PrunedLayer.Conv2d conv(String name, LayerSpec.Conv2d spec, int originalChannels,
            LayerParameters p, int[] filters, int[] channels) {
        int k = spec.kernel();
        int area = k * k;
        float[] weight = new float[filters.length * channels.length * area];
        float[] bias = new float[filters.length];
        for (int f = 0; f < filters.length; f++) {
            float z = p.gates() == null ? 1f : p.gates()[filters[f]];
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
                spec.stride(), spec.padding(), weight, bias);
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

    /** Features of a flat input, channels of an image. */
    private static int units(int[] shape) {
        return shape[0];
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

package io.l0sparsify.l0;

import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.NetworkWalk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * {@code roundUnitsTo}: the test-time gates of a network changed so that {@link io.l0sparsify.prune.Pruner#prune}
 * keeps a multiple of {@code multiple} groups in every gated layer (at most every group), without changing the
 * function. A padded group gets {@link #PADDING_GATE}: the pruner keeps it, and folding multiplies its weights by
 * that gate, so it adds shapes but (up to float rounding) nothing to any output.
 *
 * <p>Padding must survive the pruner's backward pass, which removes every unit nothing kept reads. For most layers
 * that pass removes nothing gated: a dense layer's gated groups are its inputs, which the pass never removes, and a
 * convolution read by a convolution (or by the residual stream) is read whole. The exception is a convolution whose
 * maps a dense layer reads through a flatten (or a global average): the pruner keeps a map only when its gate is
 * open and the dense layer keeps one of its positions, and keeps a dense input only when its gate is open and its
 * map is kept. Such a pair is padded together ({@link #padThroughFlatten}); every other gated layer on its own
 * ({@link #padGates}).
 */
final class UnitRounding {

    /** A gate value that keeps a group in the pruned network while its folded weights are zero (padding). */
    static final float PADDING_GATE = Float.MIN_VALUE;

    private UnitRounding() {}

    /**
     * The gates of every layer rounded for {@code spec}, by flat index ({@link NetworkWalk}); {@code gates} and
     * {@code logAlphas} likewise, null for a unit without gates. Returns {@code gates} itself without rounding,
     * and otherwise a new list that holds the unchanged arrays themselves.
     */
    static List<float[]> round(ModelSpec spec, List<float[]> gates, List<float[]> logAlphas, int multiple) {
        if (multiple <= 1) {
            return gates;
        }
        List<float[]> result = new ArrayList<>(gates);
        boolean[] done = new boolean[gates.size()];
        for (FlattenRead read : flattenReads(spec)) {
            Pair padded = padThroughFlatten(gates.get(read.conv()), logAlphas.get(read.conv()),
                    gates.get(read.dense()), logAlphas.get(read.dense()), read.area(), multiple);
            result.set(read.conv(), padded.conv());
            result.set(read.dense(), padded.dense());
            done[read.conv()] = true;
            done[read.dense()] = true;
        }
        for (int i = 0; i < gates.size(); i++) {
            if (!done[i] && gates.get(i) != null) {
                result.set(i, padGates(gates.get(i), logAlphas.get(i), multiple));
            }
        }
        return result;
    }

    /**
     * A dense layer that reads a convolution's maps: {@code area} consecutive inputs per map (the spatial size at
     * the flatten; 1 after a global average), by flat index.
     */
    private record FlattenRead(int conv, int dense, int area) {}

    /**
     * Every dense layer whose inputs are a convolution's maps passed on by pooling, ReLU, dropout, batch
     * normalization, a flatten or a global average (the layers through which the pruner carries kept maps).
     */
    private static List<FlattenRead> flattenReads(ModelSpec spec) {
        List<FlattenRead> reads = new ArrayList<>();
        int conv = -1;
        int area = 1;
        for (NetworkWalk.Step step : spec.walk().steps()) {
            switch (step) {
                case NetworkWalk.Step.Unit u -> {
                    switch (u.layer()) {
                        case LayerSpec.Conv2d _ -> {
                            conv = u.index();
                            area = 1;
                        }
                        case LayerSpec.Flatten _ -> area = u.inShape().length == 3
                                ? u.inShape()[1] * u.inShape()[2] : 1;
                        case LayerSpec.Dense _ -> {
                            if (conv >= 0) {
                                reads.add(new FlattenRead(conv, u.index(), area));
                            }
                            conv = -1;
                        }
                        case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Dropout _,
                                LayerSpec.BatchNorm _, LayerSpec.GlobalAvgPool _ -> { }
                    }
                }
                // the residual stream is kept whole: what a block's body or its sum gives is read entirely
                case NetworkWalk.Step.BlockStart _, NetworkWalk.Step.BlockEnd _ -> conv = -1;
            }
        }
        return reads;
    }

    /** The gates of a convolution and of the dense layer that reads it through a flatten; null where ungated. */
    record Pair(float[] conv, float[] dense) {}

    /**
     * Pads a convolution and the dense layer reading it through a flatten together, so that the pruner keeps a
     * multiple of maps and a multiple of inputs. The pruner keeps map c when {@code conv[c] > 0} and some input
     * of c ({@code c·area … c·area + area − 1}) has an open dense gate, and keeps an input when its gate is open
     * and its map is kept (an ungated layer's gates count as open).
     * <ol>
     *   <li>Maps: the kept maps are rounded up with the other maps of highest log α (the first on a tie), which
     *       ranks the maps that are open but read by nothing first. A padded map whose gate is closed gets
     *       {@link #PADDING_GATE}; one that no open dense gate reads gets its input of highest log α opened with
     *       {@link #PADDING_GATE}. Either way it adds nothing: its output or the weights reading it are zero.</li>
     *   <li>Inputs: the open inputs of kept maps are rounded up with the other inputs of kept maps of highest
     *       log α. Inputs of maps that are not kept are never opened, since that would keep their maps too.</li>
     * </ol>
     * A multiple of kept maps always has room for the next multiple of inputs ({@code maps·area} is then a
     * multiple itself), and every map kept means every input may be.
     */
    static Pair padThroughFlatten(float[] conv, float[] convLogAlpha, float[] dense, float[] denseLogAlpha,
            int area, int multiple) {
        if (multiple <= 1 || conv == null && dense == null) {
            return new Pair(conv, dense);
        }
        int maps = conv != null ? conv.length : dense.length / area;
        float[] paddedConv = conv == null ? null : conv.clone();
        float[] paddedDense = dense == null ? null : dense.clone();
        // an ungated convolution keeps every map that is read; every map is available to the dense layer
        boolean[] kept = new boolean[maps];
        Arrays.fill(kept, conv == null);
        if (conv != null) {
            int count = 0;
            for (int c = 0; c < maps; c++) {
                kept[c] = conv[c] > 0 && read(dense, c, area);
                count += kept[c] ? 1 : 0;
            }
            int[] candidates = byLogAlpha(maps, c -> !kept[c], convLogAlpha);
            for (int k = 0; k < roundedUp(count, maps, multiple) - count; k++) {
                int c = candidates[k];
                kept[c] = true;
                if (!(paddedConv[c] > 0)) {
                    paddedConv[c] = PADDING_GATE;
                }
                if (!read(paddedDense, c, area)) {
                    paddedDense[byLogAlpha(dense.length, p -> p / area == c, denseLogAlpha)[0]] = PADDING_GATE;
                }
            }
        }
        if (dense != null) {
            int count = 0;
            for (int p = 0; p < dense.length; p++) {
                count += paddedDense[p] > 0 && kept[p / area] ? 1 : 0;
            }
            int[] candidates = byLogAlpha(dense.length, p -> kept[p / area] && !(paddedDense[p] > 0), denseLogAlpha);
            for (int k = 0; k < roundedUp(count, dense.length, multiple) - count; k++) {
                paddedDense[candidates[k]] = PADDING_GATE;
            }
        }
        return new Pair(conv != null && Arrays.equals(conv, paddedConv) ? conv : paddedConv,
                dense != null && Arrays.equals(dense, paddedDense) ? dense : paddedDense);
    }

    /** Whether an open gate of {@code dense} (every gate of an ungated layer) reads map {@code c}. */
    private static boolean read(float[] dense, int c, int area) {
        if (dense == null) {
            return true;
        }
        for (int p = c * area; p < (c + 1) * area; p++) {
            if (dense[p] > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The test-time gates {@code z} of one layer with its kept groups rounded UP to a multiple of {@code multiple}
     * (at most every group): the closed groups with the highest log α (the first on a tie) get
     * {@link #PADDING_GATE}. A layer with every gate closed is padded to {@code multiple} groups (the pruner would
     * keep one). Exact for a layer whose open groups the pruner keeps, which is every gated layer but those
     * {@link #padThroughFlatten} handles. Returns {@code z} itself when nothing changes.
     */
    static float[] padGates(float[] z, float[] logAlpha, int multiple) {
        if (multiple <= 1) {
            return z;
        }
        int open = 0;
        for (float v : z) {
            open += v > 0 ? 1 : 0;
        }
        int wanted = roundedUp(open, z.length, multiple);
        if (wanted == open) {
            return z;
        }
        int[] closed = byLogAlpha(z.length, g -> !(z[g] > 0), logAlpha);
        float[] padded = z.clone();
        for (int k = 0; k < wanted - open; k++) {
            padded[closed[k]] = PADDING_GATE;
        }
        return padded;
    }

    /** {@code count} rounded up to a multiple, at least one multiple, at most {@code size}. */
    private static int roundedUp(int count, int size, int multiple) {
        return Math.min(size, Math.max(1, (count + multiple - 1) / multiple) * multiple);
    }

    /** The indices below {@code size} that {@code candidate} accepts, highest log α first, the first on a tie. */
    private static int[] byLogAlpha(int size, IntPredicate candidate, float[] logAlpha) {
        return IntStream.range(0, size).filter(candidate).boxed()
                .sorted((a, b) -> logAlpha[a] != logAlpha[b] ? Float.compare(logAlpha[b], logAlpha[a])
                        : Integer.compare(a, b))
                .mapToInt(Integer::intValue).toArray();
    }
}

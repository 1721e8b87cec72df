package io.l0sparsify.export;

import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks that a {@link PrunedNetwork} is internally consistent before it is written or exported, so that a
 * broken network fails here with the offending field named rather than inside ONNX Runtime or a user's
 * numpy code. Field names in messages are those of weights.json ({@code layers[i].keptIndices} is the
 * kept-unit index array of dense and conv layers alike).
 */
final class NetworkValidator {

    private NetworkValidator() {}

    /**
     * Walks the layers, propagating the shape (without batch dimension) from {@code inputShape}.
     *
     * @throws IllegalArgumentException naming the first inconsistent field
     */
    static void validate(PrunedNetwork network) {
        List<Integer> inputShape = network.inputShape();
        if (inputShape.size() != 1 && inputShape.size() != 3) {
            throw new IllegalArgumentException(
                    "inputShape: expected [features] or [channels, height, width], found " + inputShape);
        }
        for (int d : inputShape) {
            if (d < 1) {
                throw new IllegalArgumentException("inputShape: dimensions must be positive, found " + inputShape);
            }
        }
        if (network.numClasses() < 1) {
            throw new IllegalArgumentException("numClasses: must be positive, found " + network.numClasses());
        }
        if (network.layers().isEmpty()) {
            throw new IllegalArgumentException("layers: the network has no layers");
        }
        int[] shape = inputShape.stream().mapToInt(Integer::intValue).toArray();
        Set<String> names = new HashSet<>();
        shape = checkList(network.layers(), shape, "layers", names);
        if (shape.length != 1 || shape[0] != network.numClasses()) {
            throw new IllegalArgumentException("numClasses: the last layer produces " + Arrays.toString(shape)
                    + ", expected [" + network.numClasses() + "]");
        }
    }

    /** Checks the layers of one list (the network's or a block's body) and gives the shape after them. */
    private static int[] checkList(List<PrunedLayer> layers, int[] shape, String field, Set<String> names) {
        for (int i = 0; i < layers.size(); i++) {
            PrunedLayer layer = layers.get(i);
            String at = field + "[" + i + "]";
            if (layer == null) {
                throw new IllegalArgumentException(at + ": null layer");
            }
            requireName(layer.name(), at, names);
            at = at + " (" + layer.name() + ")";
            shape = check(layer, shape, at, field + "[" + i + "]", names);
        }
        return shape;
    }

    private static void requireName(String name, String at, Set<String> names) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(at + ".name: missing or blank");
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException(at + ".name: duplicate layer name '" + name + "'");
        }
    }

    /** The output shape of {@code layer} given its input {@code shape}; {@code field} is its path. */
    private static int[] check(PrunedLayer layer, int[] shape, String at, String field, Set<String> names) {
        return switch (layer) {
            case PrunedLayer.Dense d -> checkDense(d, shape, at);
            case PrunedLayer.Conv2d c -> checkConv(c, shape, at);
            case PrunedLayer.MaxPool p -> checkPool(p.size(), p.stride(), p.padding(), shape, at);
            case PrunedLayer.AvgPool p -> checkPool(p.size(), p.stride(), p.padding(), shape, at);
            case PrunedLayer.Flatten _ -> {
                requireRank3(shape, at);
                yield new int[] {shape[0] * shape[1] * shape[2]};
            }
            case PrunedLayer.Relu _ -> shape;
            case PrunedLayer.BatchNorm b -> checkBatchNorm(b, shape, at);
            case PrunedLayer.GlobalAvgPool _ -> {
                requireRank3(shape, at);
                yield new int[] {shape[0]};
            }
            case PrunedLayer.Residual r -> {
                if (r.body() == null || r.body().isEmpty()) {
                    throw new IllegalArgumentException(at + ".body: a residual block needs at least one layer");
                }
                int[] out = checkList(r.body(), shape, field + ".body", names);
                if (r.projection() == null) {
                    if (!Arrays.equals(out, shape)) {
                        throw new IllegalArgumentException(at + ".body: gives " + Arrays.toString(out)
                                + " but the identity shortcut gives " + Arrays.toString(shape));
                    }
                } else {
                    requireName(r.projection().name(), field + ".shortcut", names);
                    int[] projected = checkConv(r.projection(), shape, field + ".shortcut");
                    if (!Arrays.equals(out, projected)) {
                        throw new IllegalArgumentException(field + ".shortcut: gives " + Arrays.toString(projected)
                                + " but the body gives " + Arrays.toString(out));
                    }
                }
                yield out;
            }
        };
    }

    private static int[] checkBatchNorm(PrunedLayer.BatchNorm b, int[] shape, String at) {
        if (shape.length != 1 && shape.length != 3) {
            throw new IllegalArgumentException(at + ": needs a [channels, height, width] or [features] input, found "
                    + Arrays.toString(shape));
        }
        requireIndices(b.keptChannels(), b.originalChannels(), at + ".keptIndices", "originalUnits");
        if (b.channels() != shape[0]) {
            throw new IllegalArgumentException(at + ".keptIndices: " + b.channels()
                    + " channels kept, but the previous layer produces " + shape[0]);
        }
        if (!(b.eps() > 0) || !Float.isFinite(b.eps())) {
            throw new IllegalArgumentException(at + ".epsilon: must be positive, found " + b.eps());
        }
        requireValues(b.gamma(), b.channels(), at + ".weight", "[" + b.channels() + "]");
        requireValues(b.beta(), b.channels(), at + ".bias", "[" + b.channels() + "]");
        requireValues(b.runningMean(), b.channels(), at + ".runningMean", "[" + b.channels() + "]");
        requireValues(b.runningVar(), b.channels(), at + ".runningVar", "[" + b.channels() + "]");
        for (int c = 0; c < b.channels(); c++) {
            if (b.runningVar()[c] < 0) {
                throw new IllegalArgumentException(at + ".runningVar: negative variance " + b.runningVar()[c]
                        + " at " + c);
            }
        }
        return shape;
    }

    private static int[] checkDense(PrunedLayer.Dense d, int[] shape, String at) {
        int incoming = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        requireIndices(d.keptInputs(), d.originalInputs(), at + ".keptInputs", "originalInputs");
        requireIndices(d.keptUnits(), d.originalUnits(), at + ".keptIndices", "originalUnits");
        if (d.gather() == null) {
            if (incoming != d.inputs()) {
                throw new IllegalArgumentException(at + ".gather: absent, so the layer must receive exactly its "
                        + d.inputs() + " kept inputs, but the previous layer produces " + incoming);
            }
        } else {
            if (d.gather().length != d.inputs()) {
                throw new IllegalArgumentException(at + ".gather: expected " + d.inputs()
                        + " indices (one per kept input), found " + d.gather().length);
            }
            for (int g : d.gather()) {
                if (g < 0 || g >= incoming) {
                    throw new IllegalArgumentException(at + ".gather: index " + g
                            + " outside the incoming vector of " + incoming + " values");
                }
            }
        }
        requireValues(d.weight(), (long) d.units() * d.inputs(), at + ".weight",
                "[" + d.units() + ", " + d.inputs() + "]");
        requireValues(d.bias(), d.units(), at + ".bias", "[" + d.units() + "]");
        return new int[] {d.units()};
    }

    private static int[] checkConv(PrunedLayer.Conv2d c, int[] shape, String at) {
        requireRank3(shape, at);
        requireIndices(c.keptFilters(), c.originalFilters(), at + ".keptIndices", "originalUnits");
        requireIndices(c.keptInChannels(), c.originalInChannels(), at + ".keptInputs", "originalInputs");
        if (c.inChannels() != shape[0]) {
            throw new IllegalArgumentException(at + ".keptInputs: " + c.inChannels()
                    + " input channels kept, but the previous layer produces " + shape[0]);
        }
        if (c.kernel() < 1 || c.stride() < 1 || c.padding() < 0) {
            throw new IllegalArgumentException(at + ": kernel and stride must be positive and padding"
                    + " non-negative, found kernel " + c.kernel() + ", stride " + c.stride()
                    + ", padding " + c.padding());
        }
        if (c.dilation() < 1) {
            throw new IllegalArgumentException(at + ".dilation: must be positive, found " + c.dilation());
        }
        long extent = (long) c.dilation() * (c.kernel() - 1) + 1;
        if (shape[1] + 2L * c.padding() < extent || shape[2] + 2L * c.padding() < extent) {
            throw new IllegalArgumentException(at + ".kernel: " + c.kernel()
                    + (c.dilation() == 1 ? "" : " with dilation " + c.dilation()) + " does not fit the input "
                    + Arrays.toString(shape) + " with padding " + c.padding());
        }
        int h = c.outExtent(shape[1]);
        int w = c.outExtent(shape[2]);
        long k2 = (long) c.kernel() * c.kernel();
        requireValues(c.weight(), c.filters() * c.inChannels() * k2, at + ".weight",
                "[" + c.filters() + ", " + c.inChannels() + ", " + c.kernel() + ", " + c.kernel() + "]");
        requireValues(c.bias(), c.filters(), at + ".bias", "[" + c.filters() + "]");
        return new int[] {c.filters(), h, w};
    }

    /** Max or average pooling (floor mode); padding beyond half the window is refused, as PyTorch does. */
    private static int[] checkPool(int size, int stride, int padding, int[] shape, String at) {
        requireRank3(shape, at);
        if (size < 1 || stride < 1) {
            throw new IllegalArgumentException(at + ": size and stride must be positive, found size "
                    + size + ", stride " + stride);
        }
        if (padding < 0 || padding > size / 2) {
            throw new IllegalArgumentException(at + ".padding: must be between 0 and half the size (" + size / 2
                    + "), found " + padding);
        }
        if (shape[1] + 2 * padding < size || shape[2] + 2 * padding < size) {
            throw new IllegalArgumentException(at + ".size: " + size + " does not fit the input "
                    + Arrays.toString(shape) + (padding == 0 ? "" : " with padding " + padding));
        }
        return new int[] {shape[0], (shape[1] + 2 * padding - size) / stride + 1,
            (shape[2] + 2 * padding - size) / stride + 1};
    }

    private static void requireRank3(int[] shape, String at) {
        if (shape.length != 3) {
            throw new IllegalArgumentException(at + ": needs a [channels, height, width] input, found "
                    + Arrays.toString(shape));
        }
    }

    /** Kept indices: at least one, distinct, inside {@code [0, original)}. */
    private static void requireIndices(int[] indices, int original, String field, String originalField) {
        if (indices == null || indices.length == 0) {
            throw new IllegalArgumentException(field + ": at least one index is required");
        }
        BitSet seen = new BitSet(original);
        for (int index : indices) {
            if (index < 0 || index >= original) {
                throw new IllegalArgumentException(field + ": index " + index + " outside [0, " + original
                        + ") given by " + originalField);
            }
            if (seen.get(index)) {
                throw new IllegalArgumentException(field + ": index " + index + " appears twice");
            }
            seen.set(index);
        }
    }

    private static void requireValues(float[] values, long expected, String field, String shape) {
        if (values == null) {
            throw new IllegalArgumentException(field + ": missing");
        }
        if (values.length != expected) {
            throw new IllegalArgumentException(field + ": expected " + expected + " values for shape " + shape
                    + ", found " + values.length);
        }
        for (int j = 0; j < values.length; j++) {
            if (!Float.isFinite(values[j])) {
                throw new IllegalArgumentException(field + ": non-finite value " + values[j] + " at " + j);
            }
        }
    }
}

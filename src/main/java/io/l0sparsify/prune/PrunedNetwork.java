package io.l0sparsify.prune;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * A network with the removed units physically gone. It maps an input of {@link #inputShape()} (the
 * original, unpruned input; a first dense layer gathers the inputs it kept) to {@link #numClasses()} logits.
 */
public record PrunedNetwork(List<Integer> inputShape, List<PrunedLayer> layers, int numClasses) {

    public PrunedNetwork {
        inputShape = List.copyOf(inputShape);
        layers = List.copyOf(layers);
    }

    /**
     * The paper's notation: kept units per gated layer joined by '-' (kept inputs of a dense layer,
     * kept filters of a conv layer), e.g. "219-214-100" for the MLP.
     */
    public String architecture() {
        StringJoiner joiner = new StringJoiner("-");
        addArchitecture(layers, joiner);
        return joiner.toString();
    }

    private static void addArchitecture(List<PrunedLayer> layers, StringJoiner joiner) {
        for (PrunedLayer layer : layers) {
            switch (layer) {
                case PrunedLayer.Dense d when d.gated() -> joiner.add(Integer.toString(d.inputs()));
                case PrunedLayer.Conv2d c when c.gated() -> joiner.add(Integer.toString(c.filters()));
                case PrunedLayer.Residual r -> addArchitecture(r.body(), joiner);
                // ungated weighted layers and the layers without weights have no gates to count
                case PrunedLayer.Dense _, PrunedLayer.Conv2d _, PrunedLayer.MaxPool _, PrunedLayer.AvgPool _,
                        PrunedLayer.Relu _, PrunedLayer.Flatten _, PrunedLayer.BatchNorm _,
                        PrunedLayer.GlobalAvgPool _ -> { }
            }
        }
    }

    /**
     * The same network fed only the inputs its first layer kept (input {@code [kept]}, in the order of that
     * layer's {@code keptInputs}), when it starts with a dense layer that gathers from a flat input. Selecting
     * the inputs on the caller's side saves the gather, which the FLOP count does not see but the latency
     * does. Empty for other networks.
     */
    public Optional<PrunedNetwork> keptInputsOnly() {
        if (inputShape.size() != 1) {
            return Optional.empty();
        }
        return switch (layers.getFirst()) {
            case PrunedLayer.Dense first when first.gather() != null -> {
                List<PrunedLayer> compact = new ArrayList<>(layers);
                compact.set(0, new PrunedLayer.Dense(first.name(), first.gated(), first.originalInputs(),
                        first.originalUnits(), first.keptInputs(), first.keptUnits(), null, first.weight(),
                        first.bias()));
                yield Optional.of(new PrunedNetwork(List.of(first.inputs()), compact, numClasses));
            }
            case PrunedLayer.Dense _, PrunedLayer.Conv2d _, PrunedLayer.MaxPool _, PrunedLayer.AvgPool _,
                    PrunedLayer.Relu _, PrunedLayer.Flatten _, PrunedLayer.BatchNorm _, PrunedLayer.GlobalAvgPool _,
                    PrunedLayer.Residual _ -> Optional.empty();
        };
    }

    /** Values in one input: the product of {@link #inputShape()}. */
    public int inputSize() {
        return inputShape.stream().mapToInt(Integer::intValue).reduce(1, Math::multiplyExact);
    }

    /** Weights and biases (and batch normalization's γ and β) that remain. */
    public long parameterCount() {
        return parameters(layers);
    }

    private static long parameters(List<PrunedLayer> layers) {
        long count = 0;
        for (PrunedLayer layer : layers) {
            count += switch (layer) {
                case PrunedLayer.Dense d -> d.parameterCount();
                case PrunedLayer.Conv2d c -> c.parameterCount();
                case PrunedLayer.BatchNorm b -> b.parameterCount();
                case PrunedLayer.Residual r -> parameters(r.body())
                        + (r.projection() == null ? 0 : r.projection().parameterCount());
                case PrunedLayer.MaxPool _, PrunedLayer.AvgPool _, PrunedLayer.Relu _, PrunedLayer.Flatten _,
                        PrunedLayer.GlobalAvgPool _ -> 0;
            };
        }
        return count;
    }

    /** The shape after each (top-level) layer, without the batch dimension. */
    public List<int[]> outputShapes() {
        List<int[]> shapes = new ArrayList<>();
        int[] shape = inputShape.stream().mapToInt(Integer::intValue).toArray();
        for (PrunedLayer layer : layers) {
            shape = shapeAfter(layer, shape);
            shapes.add(shape);
        }
        return shapes;
    }

    /** The shape {@code layer} gives for an input of {@code shape}. */
    static int[] shapeAfter(PrunedLayer layer, int[] shape) {
        return switch (layer) {
            case PrunedLayer.Dense d -> new int[] {d.units()};
            case PrunedLayer.Conv2d c -> new int[] {c.filters(), c.outExtent(shape[1]), c.outExtent(shape[2])};
            case PrunedLayer.MaxPool p -> new int[] {shape[0], p.outExtent(shape[1]), p.outExtent(shape[2])};
            case PrunedLayer.AvgPool p -> new int[] {shape[0], p.outExtent(shape[1]), p.outExtent(shape[2])};
            case PrunedLayer.Flatten _ -> new int[] {shape[0] * shape[1] * shape[2]};
            case PrunedLayer.GlobalAvgPool _ -> new int[] {shape[0]};
            case PrunedLayer.Residual r -> {
                int[] out = shape;
                for (PrunedLayer inner : r.body()) {
                    out = shapeAfter(inner, out);
                }
                yield out;
            }
            case PrunedLayer.Relu _, PrunedLayer.BatchNorm _ -> shape;
        };
    }

    /**
     * Multiply-add FLOPs of one forward pass: (2n − 1) per output value of a dot product of length n, plus
     * one for its bias. For a dense layer this is the reference implementation's count. For a convolution
     * it is not: the reference multiplies by the number of channels times the output height only (its
     * authors acknowledged the slip), whereas every output value costs a dot product, so we count
     * filters × output height × output width × (2·k²·inChannels − 1 + 1). Batch normalization costs a multiply
     * and an add per value (its test-time affine map), global average pooling an add per input value, a residual
     * block its body, its projection and one add per output value.
     */
    public long flops() {
        return flops(layers, inputShape.stream().mapToInt(Integer::intValue).toArray());
    }

    private static long flops(List<PrunedLayer> layers, int[] shape) {
        long flops = 0;
        for (PrunedLayer layer : layers) {
            int[] out = shapeAfter(layer, shape);
            flops += switch (layer) {
                case PrunedLayer.Dense d -> (2L * d.inputs() - 1) * d.units() + d.units();
                case PrunedLayer.Conv2d c -> convFlops(c, out);
                case PrunedLayer.BatchNorm _ -> 2 * values(shape);
                case PrunedLayer.GlobalAvgPool _ -> values(shape);
                case PrunedLayer.Residual r -> flops(r.body(), shape) + values(out)
                        + (r.projection() == null ? 0 : convFlops(r.projection(), out));
                // comparisons, copies and window sums, not multiply-adds (the expected FLOPs count no pooling
                // either, so the pruned count and the trained expectation stay comparable)
                case PrunedLayer.MaxPool _, PrunedLayer.AvgPool _, PrunedLayer.Relu _, PrunedLayer.Flatten _ -> 0L;
            };
            shape = out;
        }
        return flops;
    }

    private static long convFlops(PrunedLayer.Conv2d c, int[] out) {
        long n = (long) c.inChannels() * c.kernel() * c.kernel();
        return ((2 * n - 1) + 1) * out[0] * out[1] * out[2];
    }

    private static long values(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}

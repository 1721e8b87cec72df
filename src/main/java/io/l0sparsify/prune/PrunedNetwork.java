package io.l0sparsify.prune;

import java.util.ArrayList;
import java.util.List;
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
        for (PrunedLayer layer : layers) {
            if (layer instanceof PrunedLayer.Dense d && d.gated()) {
                joiner.add(Integer.toString(d.inputs()));
            } else if (layer instanceof PrunedLayer.Conv2d c && c.gated()) {
                joiner.add(Integer.toString(c.filters()));
            }
        }
        return joiner.toString();
    }

    /** Weights and biases that remain. */
    public long parameterCount() {
        long count = 0;
        for (PrunedLayer layer : layers) {
            if (layer instanceof PrunedLayer.Dense d) {
                count += d.parameterCount();
            } else if (layer instanceof PrunedLayer.Conv2d c) {
                count += c.parameterCount();
            }
        }
        return count;
    }

    /** The shape after each layer, without the batch dimension. */
    public List<int[]> outputShapes() {
        List<int[]> shapes = new ArrayList<>();
        int[] shape = inputShape.stream().mapToInt(Integer::intValue).toArray();
        for (PrunedLayer layer : layers) {
            if (layer instanceof PrunedLayer.Dense d) {
                shape = new int[] {d.units()};
            } else if (layer instanceof PrunedLayer.Conv2d c) {
                shape = new int[] {c.filters(), (shape[1] + 2 * c.padding() - c.kernel()) / c.stride() + 1,
                    (shape[2] + 2 * c.padding() - c.kernel()) / c.stride() + 1};
            } else if (layer instanceof PrunedLayer.MaxPool p) {
                shape = new int[] {shape[0], (shape[1] - p.size()) / p.stride() + 1,
                    (shape[2] - p.size()) / p.stride() + 1};
            } else if (layer instanceof PrunedLayer.Flatten) {
                shape = new int[] {shape[0] * shape[1] * shape[2]};
            }
            shapes.add(shape);
        }
        return shapes;
    }

    /**
     * Multiply-add FLOPs of one forward pass, counted as the reference implementation counts them:
     * (2n − 1) per output value of a dot product of length n, plus one for its bias.
     */
    public long flops() {
        long flops = 0;
        List<int[]> shapes = outputShapes();
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof PrunedLayer.Dense d) {
                flops += (2L * d.inputs() - 1) * d.units() + d.units();
            } else if (layers.get(i) instanceof PrunedLayer.Conv2d c) {
                int[] out = shapes.get(i);
                long n = (long) c.inChannels() * c.kernel() * c.kernel();
                flops += ((2 * n - 1) + 1) * out[0] * out[1] * out[2];
            }
        }
        return flops;
    }
}

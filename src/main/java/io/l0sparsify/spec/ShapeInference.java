package io.l0sparsify.spec;

import java.util.ArrayList;
import java.util.List;

/** Walks a spec once, checking every layer against the shape it receives and against the limits. */
final class ShapeInference {

    record Result(List<int[]> outputShapes, long parameterCount) {}

    private ShapeInference() {}

    static Result infer(ModelSpec spec, SpecLimits limits) {
        int[] shape = checkInputShape(spec.inputShape(), limits);
        List<LayerSpec> layers = spec.layers();
        if (layers.isEmpty()) {
            throw new SpecException("layers", "must contain at least one layer");
        }
        if (layers.size() > limits.maxLayers()) {
            throw new SpecException("layers", "has " + layers.size() + " layers; at most " + limits.maxLayers()
                    + " are allowed");
        }
        List<int[]> shapes = new ArrayList<>(layers.size());
        long parameters = 0;
        for (int i = 0; i < layers.size(); i++) {
            String at = "layers[" + i + "]";
            LayerSpec layer = layers.get(i);
            if (layer == null) {
                throw new SpecException(at, "must not be null");
            }
            switch (layer) {
                case LayerSpec.Dense d -> {
                    requireRange(at + ".units", d.units(), 1, limits.maxUnits());
                    if (shape.length != 1) {
                        throw new SpecException(at, "dense needs a flat input but receives "
                                + ModelSpec.shapeText(shape) + "; add a flatten layer before it");
                    }
                    parameters = Math.addExact(parameters, (long) shape[0] * d.units() + d.units());
                    shape = new int[] {d.units()};
                }
                case LayerSpec.Conv2d c -> {
                    requireRange(at + ".filters", c.filters(), 1, limits.maxUnits());
                    requireRange(at + ".kernel", c.kernel(), 1, limits.maxKernel());
                    requireRange(at + ".stride", c.stride(), 1, limits.maxKernel());
                    requireRange(at + ".padding", c.padding(), 0, c.kernel() - 1);
                    requireImage(at, c.type(), shape);
                    int height = windows(at, shape[1], c.kernel(), c.stride(), c.padding());
                    int width = windows(at, shape[2], c.kernel(), c.stride(), c.padding());
                    long weights = (long) c.filters() * shape[0] * c.kernel() * c.kernel();
                    parameters = Math.addExact(parameters, weights + c.filters());
                    shape = new int[] {c.filters(), height, width};
                }
                case LayerSpec.MaxPool p -> {
                    requireRange(at + ".size", p.size(), 1, limits.maxKernel());
                    requireRange(at + ".stride", p.stride(), 1, limits.maxKernel());
                    requireImage(at, p.type(), shape);
                    shape = new int[] {shape[0], windows(at, shape[1], p.size(), p.stride(), 0),
                            windows(at, shape[2], p.size(), p.stride(), 0)};
                }
                case LayerSpec.Flatten _ -> shape = new int[] {flattened(at, shape)};
                case LayerSpec.Dropout d -> {
                    if (!(d.rate() >= 0 && d.rate() < 1)) {
                        throw new SpecException(at + ".rate", "must be in [0, 1) but is " + d.rate());
                    }
                }
                case LayerSpec.Relu _ -> {
                    // keeps the shape
                }
            }
            if (parameters > limits.maxParameters()) {
                throw new SpecException(at, "brings the network to " + parameters
                        + " parameters; at most " + limits.maxParameters() + " are allowed");
            }
            shapes.add(shape);
        }
        String last = "layers[" + (layers.size() - 1) + "]";
        switch (layers.get(layers.size() - 1)) {
            case LayerSpec.Dense logits when logits.units() < 2 ->
                throw new SpecException(last + ".units", "the last layer gives class logits and needs at least 2 units");
            case LayerSpec.Dense _ -> {
                // gives the class logits
            }
            case LayerSpec.Conv2d _, LayerSpec.MaxPool _, LayerSpec.Relu _, LayerSpec.Flatten _,
                    LayerSpec.Dropout _ -> throw new SpecException(last,
                            "the last layer must be dense (it gives the class logits), not "
                            + layers.get(layers.size() - 1).type());
        }
        if (spec.gatedLayerIndices().isEmpty()) {
            throw new SpecException("layers", "no layer is gated, so there is nothing to sparsify");
        }
        return new Result(shapes, parameters);
    }

    private static int[] checkInputShape(List<Integer> inputShape, SpecLimits limits) {
        if (inputShape == null || !(inputShape.size() == 1 || inputShape.size() == 3)) {
            throw new SpecException("inputShape", "must be [features] or [channels, height, width]");
        }
        int[] shape = new int[inputShape.size()];
        for (int i = 0; i < shape.length; i++) {
            Integer dim = inputShape.get(i);
            if (dim == null) {
                throw new SpecException("inputShape[" + i + "]", "must not be null");
            }
            requireRange("inputShape[" + i + "]", dim, 1, limits.maxUnits());
            shape[i] = dim;
        }
        long size = values(shape);
        if (size > limits.maxUnits() * 64L) {
            throw new SpecException("inputShape", "has " + size + " input values; at most "
                    + limits.maxUnits() * 64L + " are allowed");
        }
        return shape;
    }

    private static void requireImage(String at, String type, int[] shape) {
        if (shape.length != 3) {
            throw new SpecException(at, type + " needs a [channels, height, width] input but receives "
                    + ModelSpec.shapeText(shape));
        }
    }

    private static int windows(String at, int size, int kernel, int stride, int padding) {
        int padded = size + 2 * padding;
        if (kernel > padded) {
            throw new SpecException(at, "window " + kernel + " is larger than its input extent " + padded
                    + " (size " + size + " with padding " + padding + ")");
        }
        return (padded - kernel) / stride + 1;
    }

    private static void requireRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new SpecException(field, "must be between " + min + " and " + max + " but is " + value);
        }
    }

    /** The flat size of {@code shape}, multiplied in {@code long}: an {@code int} product wraps (2^31 → 0). */
    private static int flattened(String at, int[] shape) {
        long size = values(shape);
        if (size > Integer.MAX_VALUE) {
            throw new SpecException(at, "would flatten " + ModelSpec.shapeText(shape) + " into " + size
                    + " values; at most " + Integer.MAX_VALUE + " fit in one tensor dimension");
        }
        return (int) size;
    }

    /** The number of values in a tensor of {@code shape}; exact, since every dimension is at most 2^31 − 1. */
    static long values(int[] shape) {
        long size = 1;
        for (int d : shape) {
            size = Math.multiplyExact(size, d);
        }
        return size;
    }
}

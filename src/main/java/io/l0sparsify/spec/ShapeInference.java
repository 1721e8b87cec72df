package io.l0sparsify.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Walks a spec once, checking every layer against the shape it receives and against the limits. */
final class ShapeInference {

    /**
     * @param outputShapes the shape after each top-level layer
     * @param walk the units and block boundaries in forward order
     */
    record Result(List<int[]> outputShapes, long parameterCount, NetworkWalk walk) {}

    private ShapeInference() {}

    static Result infer(ModelSpec spec, SpecLimits limits) {
        int[] shape = checkInputShape(spec.inputShape(), limits);
        List<LayerSpec> layers = spec.layers();
        if (layers == null || layers.isEmpty()) {
            throw new SpecException("layers", "must contain at least one layer");
        }
        Walker walker = new Walker(limits);
        List<int[]> shapes = walker.list(layers, "layers", shape, false);
        String last = "layers[" + (layers.size() - 1) + "]";
        switch (layers.getLast()) {
            case LayerSpec.Dense logits when logits.units() < 2 ->
                throw new SpecException(last + ".units", "the last layer gives class logits and needs at least 2 units");
            case LayerSpec.Dense _ -> {
                // gives the class logits
            }
            case LayerSpec.Conv2d _, LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _,
                    LayerSpec.Flatten _, LayerSpec.Dropout _, LayerSpec.BatchNorm _, LayerSpec.GlobalAvgPool _,
                    LayerSpec.Residual _ -> throw new SpecException(last,
                            "the last layer must be dense (it gives the class logits), not " + layers.getLast().type());
        }
        NetworkWalk walk = new NetworkWalk(walker.steps, walker.units);
        if (walk.units().stream().noneMatch(u -> LayerSpec.isGated(u.layer()))) {
            throw new SpecException("layers", "no layer is gated, so there is nothing to sparsify");
        }
        return new Result(shapes, walker.parameters, walk);
    }

    /** Checks one list of layers (the spec's or a block's body) and records its steps. */
    private static final class Walker {
        private final SpecLimits limits;
        private final List<NetworkWalk.Step> steps = new ArrayList<>();
        private final List<NetworkWalk.Step.Unit> units = new ArrayList<>();
        private long parameters;

        Walker(SpecLimits limits) {
            this.limits = limits;
        }

        /** The shape after each layer of {@code layers}, which receive {@code shape}; {@code inBody} for a body. */
        List<int[]> list(List<LayerSpec> layers, String field, int[] shape, boolean inBody) {
            if (layers.size() > limits.maxLayers()) {
                throw new SpecException(field, "has " + layers.size() + " layers; at most " + limits.maxLayers()
                        + " are allowed");
            }
            List<int[]> shapes = new ArrayList<>(layers.size());
            int gateOf = -1;
            for (int i = 0; i < layers.size(); i++) {
                String at = field + "[" + i + "]";
                LayerSpec layer = layers.get(i);
                if (layer == null) {
                    throw new SpecException(at, "must not be null");
                }
                int[] in = shape;
                switch (layer) {
                    case LayerSpec.Residual r -> {
                        if (inBody) {
                            throw new SpecException(at, "a residual block cannot hold another residual block");
                        }
                        shape = block(r, at, shape);
                        gateOf = -1;
                    }
                    case LayerSpec.Unit u -> {
                        if (inBody && (u instanceof LayerSpec.Flatten || u instanceof LayerSpec.GlobalAvgPool)) {
                            throw new SpecException(at, u.type() + " cannot be inside a residual block: the body"
                                    + " must give maps that can be added to its input");
                        }
                        shape = unit(u, at, shape);
                        boolean deferred = u instanceof LayerSpec.Conv2d c && c.gated()
                                && i + 1 < layers.size() && layers.get(i + 1) instanceof LayerSpec.BatchNorm;
                        if (LayerSpec.isGated(u) && u instanceof LayerSpec.Conv2d) {
                            checkGateReaches(layers, i, field);
                        }
                        int index = units.size();
                        NetworkWalk.Step.Unit step = new NetworkWalk.Step.Unit(index, at, u, in, shape, deferred,
                                u instanceof LayerSpec.BatchNorm ? gateOf : -1);
                        units.add(step);
                        steps.add(step);
                        gateOf = deferred ? index : -1;
                    }
                }
                if (parameters > limits.maxParameters()) {
                    throw new SpecException(at, "brings the network to " + parameters
                            + " parameters; at most " + limits.maxParameters() + " are allowed");
                }
                shapes.add(shape);
            }
            return shapes;
        }

        private int[] block(LayerSpec.Residual r, String at, int[] in) {
            if (r.body() == null || r.body().isEmpty()) {
                throw new SpecException(at + ".body", "must contain at least one layer");
            }
            if (r.shortcut() == null) {
                throw new SpecException(at + ".shortcut", "must be identity or projection");
            }
            NetworkWalk.Step.BlockStart start = new NetworkWalk.Step.BlockStart(at, r, in);
            steps.add(start);
            List<int[]> bodyShapes = list(r.body(), at + ".body", in, true);
            int[] out = bodyShapes.getLast();
            NetworkWalk.Step.Unit projection = null;
            switch (r.shortcut()) {
                case LayerSpec.Shortcut.Identity _ -> {
                    if (!Arrays.equals(in, out)) {
                        throw new SpecException(at + ".shortcut", "the identity needs a body that keeps the shape "
                                + ModelSpec.shapeText(in) + ", but the body gives " + ModelSpec.shapeText(out)
                                + "; use a projection shortcut");
                    }
                }
                case LayerSpec.Shortcut.Projection p -> {
                    requireRange(at + ".shortcut.stride", p.stride(), 1, limits.maxKernel());
                    if (in.length != 3 || out.length != 3) {
                        throw new SpecException(at + ".shortcut", "a projection is a 1×1 convolution and needs"
                                + " [channels, height, width] maps, but the block maps " + ModelSpec.shapeText(in)
                                + " to " + ModelSpec.shapeText(out));
                    }
                    LayerSpec.Conv2d conv = new LayerSpec.Conv2d(out[0], 1, p.stride(), 0, false);
                    int[] projected = unit(conv, at + ".shortcut", in);
                    if (!Arrays.equals(projected, out)) {
                        throw new SpecException(at + ".shortcut", "the projection with stride " + p.stride()
                                + " gives " + ModelSpec.shapeText(projected) + " but the body gives "
                                + ModelSpec.shapeText(out) + "; choose the stride of the body's downsampling");
                    }
                    projection = new NetworkWalk.Step.Unit(units.size(), at + ".shortcut", conv, in, out, false, -1);
                    units.add(projection);
                }
            }
            steps.add(new NetworkWalk.Step.BlockEnd(at, r, projection, in, out));
            return out;
        }

        /** The output shape of a unit layer given its input, counting its parameters. */
        private int[] unit(LayerSpec.Unit layer, String at, int[] shape) {
            switch (layer) {
                case LayerSpec.Dense d -> {
                    requireRange(at + ".units", d.units(), 1, limits.maxUnits());
                    if (shape.length != 1) {
                        throw new SpecException(at, "dense needs a flat input but receives "
                                + ModelSpec.shapeText(shape) + "; add a flatten layer before it");
                    }
                    parameters = Math.addExact(parameters, (long) shape[0] * d.units() + d.units());
                    return new int[] {d.units()};
                }
                case LayerSpec.Conv2d c -> {
                    requireRange(at + ".filters", c.filters(), 1, limits.maxUnits());
                    requireRange(at + ".kernel", c.kernel(), 1, limits.maxKernel());
                    requireRange(at + ".stride", c.stride(), 1, limits.maxKernel());
                    requireRange(at + ".dilation", c.dilation(), 1, limits.maxKernel());
                    // a pad as wide as the dilated window would only add outputs that see nothing but zeros
                    requireRange(at + ".padding", c.padding(), 0, c.dilation() * (c.kernel() - 1));
                    requireImage(at, c.type(), shape);
                    int height = windows(at, shape[1], c.kernel(), c.stride(), c.padding(), c.dilation());
                    int width = windows(at, shape[2], c.kernel(), c.stride(), c.padding(), c.dilation());
                    long weights = (long) c.filters() * shape[0] * c.kernel() * c.kernel();
                    parameters = Math.addExact(parameters, weights + c.filters());
                    return new int[] {c.filters(), height, width};
                }
                case LayerSpec.MaxPool p -> {
                    return pool(at, p.type(), shape, p.size(), p.stride(), p.padding());
                }
                case LayerSpec.AvgPool p -> {
                    return pool(at, p.type(), shape, p.size(), p.stride(), p.padding());
                }
                case LayerSpec.Flatten _ -> {
                    return new int[] {flattened(at, shape)};
                }
                case LayerSpec.Dropout d -> {
                    if (!(d.rate() >= 0 && d.rate() < 1)) {
                        throw new SpecException(at + ".rate", "must be in [0, 1) but is " + d.rate());
                    }
                    return shape;
                }
                case LayerSpec.BatchNorm b -> {
                    if (!(b.eps() > 0 && b.eps() <= 1)) {
                        throw new SpecException(at + ".eps", "must be in (0, 1] but is " + b.eps());
                    }
                    if (!(b.momentum() > 0 && b.momentum() <= 1)) {
                        throw new SpecException(at + ".momentum", "must be in (0, 1] but is " + b.momentum());
                    }
                    // γ and β per channel; the running statistics are not trained
                    parameters = Math.addExact(parameters, 2L * shape[0]);
                    return shape;
                }
                case LayerSpec.GlobalAvgPool g -> {
                    requireImage(at, g.type(), shape);
                    return new int[] {shape[0]};
                }
                case LayerSpec.Relu _ -> {
                    return shape;
                }
            }
        }

        /**
         * The maps after max or average pooling. PyTorch refuses padding beyond half the window (a window could then
         * hold padding alone), and so does the spec, naming the field.
         */
        private int[] pool(String at, String type, int[] shape, int size, int stride, int padding) {
            requireRange(at + ".size", size, 1, limits.maxKernel());
            requireRange(at + ".stride", stride, 1, limits.maxKernel());
            if (padding < 0 || padding > size / 2) {
                throw new SpecException(at + ".padding", "must be between 0 and half the window size (" + size / 2
                        + ") but is " + padding);
            }
            requireImage(at, type, shape);
            return new int[] {shape[0], windows(at, shape[1], size, stride, padding, 1),
                windows(at, shape[2], size, stride, padding, 1)};
        }
    }

    /**
     * A gated convolution's gates must act where a closed gate's zero reaches every reader as zero: on its output,
     * or after the batch normalization directly following it; from there only ReLU, pooling, dropout and flatten
     * may lie before the next convolution or dense layer. Another batch normalization would turn a removed map into
     * the constant β − γμ/σ; the end of a block's body or a block would add it to the residual stream, which keeps
     * every channel.
     */
    private static void checkGateReaches(List<LayerSpec> layers, int conv, String field) {
        String at = field + "[" + conv + "]";
        int k = conv + 1;
        if (k < layers.size() && layers.get(k) instanceof LayerSpec.BatchNorm) {
            k++;
        }
        for (; k < layers.size(); k++) {
            String reader = field + "[" + k + "]";
            switch (layers.get(k)) {
                case LayerSpec.Dense _, LayerSpec.Conv2d _ -> {
                    return;
                }
                case LayerSpec.Relu _, LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Dropout _,
                        LayerSpec.Flatten _, LayerSpec.GlobalAvgPool _ -> { }
                case LayerSpec.BatchNorm _ -> throw new SpecException(at + ".gated", "the batch normalization at "
                        + reader + " would turn a removed map into a constant; put the batch normalization directly"
                        + " after the convolution or set gated to false");
                case LayerSpec.Residual _ -> throw new SpecException(at + ".gated", "its maps enter the residual"
                        + " stream at " + reader + ", which is never gated; set gated to false");
            }
        }
        throw new SpecException(at + ".gated", "its maps leave the residual block's body and join the residual"
                + " stream, which is never gated; gate the body's inner convolutions only or set gated to false");
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

    /** PyTorch's output extent: {@code ⌊(size + 2·padding − dilation·(kernel − 1) − 1)/stride⌋ + 1}. */
    private static int windows(String at, int size, int kernel, int stride, int padding, int dilation) {
        int padded = size + 2 * padding;
        long extent = (long) dilation * (kernel - 1) + 1;
        if (extent > padded) {
            throw new SpecException(at, "window " + (dilation == 1 ? Integer.toString(kernel)
                    : kernel + " with dilation " + dilation + " (extent " + extent + ")")
                    + " is larger than its input extent " + padded + " (size " + size + " with padding " + padding
                    + ")");
        }
        return (int) ((padded - extent) / stride + 1);
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

package io.l0sparsify.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A network to sparsify: an input shape (without the batch dimension) and a chain of layers ending in a
 * dense layer that gives class logits. Construct through {@link #of}, which checks that the shapes chain.
 *
 * @param inputShape {@code [features]} for a dense network or {@code [channels, height, width]} for a
 *     convolutional one
 * @param layers the layers in order
 */
public record ModelSpec(List<Integer> inputShape, List<LayerSpec> layers) {

    public ModelSpec {
        inputShape = List.copyOf(inputShape);
        layers = List.copyOf(layers);
    }

    /** Validates the spec against the given limits and returns it, or throws naming the first bad part. */
    public static ModelSpec of(List<Integer> inputShape, List<LayerSpec> layers, SpecLimits limits) {
        ModelSpec spec = new ModelSpec(inputShape, layers);
        ShapeInference.infer(spec, limits);
        return spec;
    }

    /** The shape after every layer: element i is the output shape of layer i. */
    public List<int[]> outputShapes() {
        return ShapeInference.infer(this, SpecLimits.UNBOUNDED).outputShapes();
    }

    /** The shape entering layer i (the input shape for i = 0). */
    public int[] inputShapeOf(int layerIndex) {
        if (layerIndex == 0) {
            return inputShape.stream().mapToInt(Integer::intValue).toArray();
        }
        return outputShapes().get(layerIndex - 1);
    }

    /** The units and block boundaries in forward order (see {@link NetworkWalk}). */
    public NetworkWalk walk() {
        return ShapeInference.infer(this, SpecLimits.UNBOUNDED).walk();
    }

    /** Number of trainable weights and biases (and batch normalization's γ and β), gates not counted. */
    public long parameterCount() {
        return ShapeInference.infer(this, SpecLimits.UNBOUNDED).parameterCount();
    }

    /**
     * Values one example holds on its way through the network: its input and the output of every layer. A
     * training step keeps all of them (and as many gradients) for each example of the minibatch, so this times
     * the batch size is what bounds the memory of a step.
     */
    public long activationsPerExample() {
        long values = ShapeInference.values(inputShapeOf(0));
        for (NetworkWalk.Step step : walk().steps()) {
            values = Math.addExact(values, switch (step) {
                case NetworkWalk.Step.Unit u -> ShapeInference.values(u.outShape());
                case NetworkWalk.Step.BlockStart _ -> 0L;
                // the sum, and the projection's output beside the body's
                case NetworkWalk.Step.BlockEnd end -> ShapeInference.values(end.outShape())
                        * (end.projection() == null ? 1 : 2);
            });
        }
        return values;
    }

    /**
     * The values of the largest unfolded input among the convolutions, per example: C_in·k²·H_out·W_out. On a CPU
     * with the default kernels ({@code l0.worker.cpu-convolutions: gemm}) libtorch unfolds a convolution's input
     * for the whole batch at once (im2col) before the matrix multiply, in the forward pass and again for the
     * gradients; the buffer lives while that one convolution runs. 0 where no convolution unfolds: 1×1 ones with
     * stride 1 and no padding multiply the input as it is, dilated ones unfold one example at a time.
     */
    public long unfoldedInputPerExample() {
        long largest = 0;
        for (NetworkWalk.Step step : walk().steps()) {
            largest = Math.max(largest, switch (step) {
                case NetworkWalk.Step.Unit u -> unfoldedInput(u);
                case NetworkWalk.Step.BlockStart _ -> 0L;
                case NetworkWalk.Step.BlockEnd end -> end.projection() == null ? 0L : unfoldedInput(end.projection());
            });
        }
        return largest;
    }

    private static long unfoldedInput(NetworkWalk.Step.Unit unit) {
        if (!(unit.layer() instanceof LayerSpec.Conv2d conv) || conv.dilation() != 1
                || (conv.kernel() == 1 && conv.stride() == 1 && conv.padding() == 0)) {
            return 0;
        }
        return Math.multiplyExact(Math.multiplyExact((long) unit.inShape()[0], (long) conv.kernel() * conv.kernel()),
                (long) unit.outShape()[1] * unit.outShape()[2]);
    }

    /** The index of the layer with the largest output, the one to shrink when a step needs too much memory. */
    public int largestOutputLayer() {
        List<int[]> shapes = outputShapes();
        int largest = 0;
        for (int i = 1; i < shapes.size(); i++) {
            if (ShapeInference.values(shapes.get(i)) > ShapeInference.values(shapes.get(largest))) {
                largest = i;
            }
        }
        return largest;
    }

    /** Number of classes: the units of the final dense layer. */
    public int numClasses() {
        return switch (layers.get(layers.size() - 1)) {
            case LayerSpec.Dense logits -> logits.units();
            // unreachable for a spec built through of(): its last layer is checked to be dense
            case LayerSpec.Conv2d _, LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _,
                    LayerSpec.Flatten _, LayerSpec.Dropout _, LayerSpec.BatchNorm _, LayerSpec.GlobalAvgPool _,
                    LayerSpec.Residual _ -> throw new IllegalStateException(
                            "the last layer must be dense to give class logits, not " + layers.getLast().type());
        };
    }

    /**
     * Flat indices (see {@link NetworkWalk}; for a spec without residual blocks, indices into {@link #layers}) of
     * the gated layers, in order.
     */
    public List<Integer> gatedLayerIndices() {
        List<Integer> indices = new ArrayList<>();
        for (NetworkWalk.Step.Unit unit : walk().units()) {
            if (LayerSpec.isGated(unit.layer())) {
                indices.add(unit.index());
            }
        }
        return indices;
    }

    /** Product of the input dimensions. */
    public int inputSize() {
        return inputShape.stream().mapToInt(Integer::intValue).reduce(1, Math::multiplyExact);
    }

    @Override
    public String toString() {
        return "ModelSpec" + inputShape + layers;
    }

    static String shapeText(int[] shape) {
        return Arrays.toString(shape);
    }
}

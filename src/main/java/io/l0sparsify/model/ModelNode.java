package io.l0sparsify.model;

import java.util.List;
import java.util.Optional;

/**
 * One layer of an uploaded model, as the reader understood it: a closed set of kinds, each with the shapes it
 * reads and writes and the weights it holds. Shapes are per example, without the batch dimension ({@code [F]} or
 * {@code [C, H, W]}), as a dataset's input shape is. Values are named as in the ONNX graph, so that an importer can
 * wire the nodes as the file does; Dropout and Identity are gone (their readers read what they read), and a MatMul
 * with the Add of its bias is one {@link Dense} node.
 *
 * <p>Every node has a name (the ONNX node's, or {@code #index} for an unnamed one), the ONNX operator(s) it came
 * from ({@link #opType()}), the activations it reads ({@link #inputs()}, in order), the one it writes
 * ({@link #output()}) and their shapes.
 */
public sealed interface ModelNode {

    String name();

    /** The ONNX operator, or {@code MatMul+Add} for a MatMul fused with its bias. */
    String opType();

    List<String> inputs();

    String output();

    /** The shape of (each of) its inputs. */
    List<Integer> inputShape();

    List<Integer> outputShape();

    /** The layer kind's tag, as the API writes it. */
    default String kind() {
        return switch (this) {
            case Dense d -> "dense";
            case Conv c -> "conv2d";
            case BatchNorm b -> "batchnorm";
            case Relu r -> "relu";
            case MaxPool m -> "maxpool";
            case AveragePool a -> "avgpool";
            case GlobalAveragePool g -> "globalavgpool";
            case Flatten f -> "flatten";
            case ResidualAdd r -> "add";
            case Softmax s -> s.log() ? "logsoftmax" : "softmax";
        };
    }

    /** Trainable values: weights and biases of dense and conv layers, scale and shift of batch normalization. */
    default long parameters() {
        return switch (this) {
            case Dense d -> d.weight().size() + d.bias().map(Weights::size).orElse(0);
            case Conv c -> c.weight().size() + c.bias().map(Weights::size).orElse(0);
            case BatchNorm b -> b.scale().size() + b.shift().size();
            case Relu r -> 0;
            case MaxPool m -> 0;
            case AveragePool a -> 0;
            case GlobalAveragePool g -> 0;
            case Flatten f -> 0;
            case ResidualAdd r -> 0;
            case Softmax s -> 0;
        };
    }

    /**
     * Multiply-add FLOPs of one example, counted as the pruned network's are ({@code prune.PrunedNetwork#flops}):
     * (2n − 1) per output value of a dot product of length n, plus one where there is a bias. Only dense and conv
     * layers are counted; normalization, activations, pooling and additions are not multiply-adds.
     */
    default long flops() {
        return switch (this) {
            case Dense d -> ((2L * d.inFeatures() - 1) + (d.bias().isPresent() ? 1 : 0)) * d.units();
            case Conv c -> {
                long n = (long) c.inChannels() * c.kernel().get(0) * c.kernel().get(1);
                long outputs = (long) c.outputShape().get(0) * c.outputShape().get(1) * c.outputShape().get(2);
                yield ((2 * n - 1) + (c.bias().isPresent() ? 1 : 0)) * outputs;
            }
            case BatchNorm b -> 0L;
            case Relu r -> 0L;
            case MaxPool m -> 0L;
            case AveragePool a -> 0L;
            case GlobalAveragePool g -> 0L;
            case Flatten f -> 0L;
            case ResidualAdd r -> 0L;
            case Softmax s -> 0L;
        };
    }

    /**
     * y = x·Wᵀ + b (Gemm) or y = x·W + b (MatMul then Add): {@code [inFeatures] → [units]}.
     *
     * @param weight as stored: {@code [units, inFeatures]} when {@code transposed} (Gemm with transB=1, PyTorch's
     *     layout), else {@code [inFeatures, units]}
     */
    record Dense(String name, String opType, List<String> inputs, String output, List<Integer> inputShape,
            List<Integer> outputShape, int inFeatures, int units, Weights weight, boolean transposed,
            Optional<Weights> bias) implements ModelNode {}

    /**
     * 2-D cross-correlation, group 1: {@code [inChannels, H, W] → [outChannels, H', W']} with
     * {@code H' = ⌊(H + padTop + padBottom − dilation·(kernel − 1) − 1) / stride⌋ + 1} (likewise W').
     *
     * @param weight {@code [outChannels, inChannels, kernelH, kernelW]}
     * @param pads top, left, bottom, right
     */
    record Conv(String name, String opType, List<String> inputs, String output, List<Integer> inputShape,
            List<Integer> outputShape, int inChannels, int outChannels, List<Integer> kernel, List<Integer> strides,
            List<Integer> pads, List<Integer> dilations, Weights weight, Optional<Weights> bias)
            implements ModelNode {}

    /** y = scale·(x − mean)/√(variance + epsilon) + shift per channel (inference form); each vector {@code [C]}. */
    record BatchNorm(String name, String opType, List<String> inputs, String output, List<Integer> inputShape,
            List<Integer> outputShape, Weights scale, Weights shift, Weights mean, Weights variance, double epsilon)
            implements ModelNode {}

    record Relu(String name, String opType, List<String> inputs, String output, List<Integer> inputShape,
            List<Integer> outputShape) implements ModelNode {}

    /** @param pads top, left, bottom, right */
    record MaxPool(String name, String opType, List<String> inputs, String output, List<Integer> inputShape,
            List<Integer> outputShape, List<Integer> kernel, List<Integer> strides, List<Integer> pads,
            List<Integer> dilations, boolean ceilMode) implements ModelNode {}

    /** @param pads top, left, bottom, right */
    record AveragePool(String name, String opType, List<String> inputs, String output, List<Integer> inputShape,
            List<Integer> outputShape, List<Integer> kernel, List<Integer> strides, List<Integer> pads,
            boolean ceilMode, boolean countIncludePad) implements ModelNode {}

    /** {@code [C, H, W] → [C, 1, 1]}. */
    record GlobalAveragePool(String name, String opType, List<String> inputs, String output,
            List<Integer> inputShape, List<Integer> outputShape) implements ModelNode {}

    /** Flatten (axis 1) or a Reshape to {@code [N, −1]}: each example becomes a vector, row-major. */
    record Flatten(String name, String opType, List<String> inputs, String output, List<Integer> inputShape,
            List<Integer> outputShape) implements ModelNode {}

    /** The sum of two branches of the same shape: a residual connection. */
    record ResidualAdd(String name, String opType, List<String> inputs, String output, List<Integer> inputShape,
            List<Integer> outputShape) implements ModelNode {}

    /** Softmax or LogSoftmax over the classes, at the model's output. */
    record Softmax(String name, String opType, List<String> inputs, String output, List<Integer> inputShape,
            List<Integer> outputShape, boolean log) implements ModelNode {}
}

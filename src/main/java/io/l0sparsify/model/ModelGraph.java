package io.l0sparsify.model;

import java.util.List;
import java.util.Optional;

/**
 * An uploaded ONNX model as the reader understood it: one input, its layers in an order where every node comes
 * after the nodes it reads (a topological order), their weights, and what follows from them. Immutable. Shapes
 * are per example, without the batch dimension.
 *
 * @param irVersion the ONNX IR version of the file
 * @param opset the default-domain opset it was written for
 * @param producer the tool that wrote it (e.g. {@code pytorch 1.13.0}), or empty
 * @param inputName the graph input's name
 * @param inputShape the input's shape per example
 * @param outputNames the graph outputs, in order
 * @param outputShapes their shapes per example
 * @param nodes the layers, topologically ordered
 * @param parameters sum of {@link ModelNode#parameters()}; an initializer read by several nodes counts once
 * @param flops sum of {@link ModelNode#flops()}
 * @param gateGroups candidate gate positions, each with whether gating there is exact and why
 */
public record ModelGraph(long irVersion, int opset, String producer, String inputName, List<Integer> inputShape,
        List<String> outputNames, List<List<Integer>> outputShapes, List<ModelNode> nodes, long parameters,
        long flops, List<GateGroup> gateGroups) {

    public ModelGraph {
        inputShape = List.copyOf(inputShape);
        outputNames = List.copyOf(outputNames);
        outputShapes = List.copyOf(outputShapes);
        nodes = List.copyOf(nodes);
        gateGroups = List.copyOf(gateGroups);
    }

    /** The node named so. */
    public Optional<ModelNode> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    /** The nodes that read {@code value}. */
    public List<ModelNode> readersOf(String value) {
        return nodes.stream().filter(n -> n.inputs().contains(value)).toList();
    }
}

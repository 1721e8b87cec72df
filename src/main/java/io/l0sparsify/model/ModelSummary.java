package io.l0sparsify.model;

import java.util.List;

/**
 * What the API shows of a model's graph, kept with its row as JSON (schema {@code Model} in openapi.yaml). Shapes
 * are per example, without the batch dimension.
 *
 * @param producer the tool that wrote the file, or empty
 * @param layers the layers in topological order
 */
public record ModelSummary(long irVersion, int opset, String producer, Tensor input, List<Tensor> outputs,
        List<Layer> layers, List<GateGroup> gateGroups) {

    /** A named tensor and its per-example shape. */
    public record Tensor(String name, List<Integer> shape) {}

    /** One layer: its kind, the ONNX node(s) it came from, what it reads and writes, and its cost. */
    public record Layer(String kind, String name, String opType, List<String> inputs, String output,
            List<Integer> inputShape, List<Integer> outputShape, long parameters, long flops) {}

    public static ModelSummary of(ModelGraph graph) {
        List<Tensor> outputs = new java.util.ArrayList<>();
        for (int i = 0; i < graph.outputNames().size(); i++) {
            outputs.add(new Tensor(graph.outputNames().get(i), graph.outputShapes().get(i)));
        }
        return new ModelSummary(graph.irVersion(), graph.opset(), graph.producer(),
                new Tensor(graph.inputName(), graph.inputShape()), outputs,
                graph.nodes().stream().map(n -> new Layer(n.kind(), n.name(), n.opType(), n.inputs(), n.output(),
                        n.inputShape(), n.outputShape(), n.parameters(), n.flops())).toList(),
                graph.gateGroups());
    }
}

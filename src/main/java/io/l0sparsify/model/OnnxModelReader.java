package io.l0sparsify.model;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an ONNX file into a {@link ModelGraph}, or refuses it with every problem found, each naming the node
 * (name and operator) or tensor concerned ({@link ModelRejectedException}).
 *
 * <p>Supported are the operators exporters write for MLPs, CNNs and residual networks: Gemm, MatMul (with the Add
 * of its bias), Conv (group 1), BatchNormalization (inference form), Relu, MaxPool, AveragePool, GlobalAveragePool,
 * Flatten, Reshape to {@code [N, −1]}, Add of two branches, Dropout and Identity (dropped), Softmax and LogSoftmax
 * at the output, initializers and Constant. Shape, Gather, Unsqueeze and Concat are followed only where they
 * compute a Reshape's target from the batch size, as PyTorch writes {@code x.view(x.size(0), -1)}.
 *
 * <p>Refused are also: a file that is not ONNX or is truncated, a default-domain opset outside the configured
 * range, tensors kept in external files, dimensions other than the batch left open, cycles, more than one
 * graph input (initializers listed as inputs, as older exporters write them, do not count), weights whose shapes
 * contradict what reaches them (shapes are inferred here, node by node), and more parameters than the limit.
 */
public final class OnnxModelReader {

    /**
     * @param maxBytes the largest file read
     * @param maxParameters the most parameters a model may have
     * @param minOpset the oldest default-domain opset accepted
     * @param maxOpset the newest default-domain opset accepted
     */
    public record Limits(long maxBytes, long maxParameters, int minOpset, int maxOpset) {}

    /** Layer operators, in the order the refusal lists them. */
    static final List<String> SUPPORTED = List.of("Gemm", "MatMul", "Add", "Conv", "BatchNormalization", "Relu",
            "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Dropout", "Identity", "Softmax",
            "LogSoftmax", "Constant");
    /** Operators followed only while they compute a Reshape's target shape. */
    static final Set<String> SHAPE_OPERATORS = Set.of("Shape", "Gather", "Unsqueeze", "Concat");

    private static final int FLOAT = OnnxTensors.FLOAT;

    private final Limits limits;

    public OnnxModelReader(Limits limits) {
        this.limits = limits;
    }

    public ModelGraph read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        }
    }

    /** Reads at most {@link Limits#maxBytes()} bytes of a model; the caller closes the stream. */
    public ModelGraph read(InputStream in) throws IOException {
        ModelProto model;
        try {
            CodedInputStream coded = CodedInputStream.newInstance(in);
            coded.setSizeLimit((int) Math.min(limits.maxBytes(), Integer.MAX_VALUE));
            model = ModelProto.parseFrom(coded);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelRejectedException(ModelProblem.ofFile("not an ONNX model, or the file is truncated: "
                    + e.getMessage()));
        }
        if (model.getIrVersion() <= 0 || !model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new ModelRejectedException(ModelProblem.ofFile("not an ONNX model: the file has "
                    + (model.getIrVersion() <= 0 ? "no IR version" : "no graph with nodes")));
        }
        return new Reading(model, limits).graph();
    }

    /** A value flowing along the graph: an activation with its per-example shape, or an integer vector. */
    private sealed interface Value {}

    private record Activation(List<Integer> shape) implements Value {}

    /** Integers known when reading (a shape being computed); {@link #BATCH} stands for the batch size. */
    private record Ints(List<Long> values, boolean scalar) implements Value {}

    private static final long BATCH = Long.MIN_VALUE;

    /** A float tensor known when reading: an initializer or a Constant's value. */
    private record Floats(Weights weights) implements Value {}

    /** One model's checks; collects problems and throws them together. */
    private static final class Reading {

        private final ModelProto model;
        private final GraphProto graph;
        private final Limits limits;
        private final List<ModelProblem> problems = new ArrayList<>();
        private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
        private final Map<String, Value> values = new HashMap<>();
        /** Dropout and Identity outputs → the value they pass on. */
        private final Map<String, String> aliases = new HashMap<>();
        private final Map<String, List<Integer>> readers = new HashMap<>();
        private final Set<Integer> fusedAdds = new HashSet<>();
        private final List<ModelNode> nodes = new ArrayList<>();
        private int opset;

        Reading(ModelProto model, Limits limits) {
            this.model = model;
            this.graph = model.getGraph();
            this.limits = limits;
        }

        ModelGraph graph() {
            checkOpset();
            for (TensorProto t : graph.getInitializerList()) {
                checkStoredInFile(t.getName(), t, null);
                initializers.put(t.getName(), t);
            }
            if (graph.getSparseInitializerCount() > 0) {
                problems.add(ModelProblem.ofTensor(graph.getSparseInitializer(0).getValues().getName(),
                        "sparse initializers are not supported"));
            }
            checkOperators();
            String input = checkInput();
            throwIfAny();
            List<Integer> order = topologicalOrder();
            throwIfAny();
            for (int i : order) {
                if (!fusedAdds.contains(i)) {
                    visit(i);
                }
            }
            List<List<Integer>> outputShapes = checkOutputs();
            throwIfAny();
            long parameters = parameters();
            if (parameters > limits.maxParameters()) {
                problems.add(ModelProblem.ofFile("the model has " + parameters + " parameters, more than the limit "
                        + limits.maxParameters() + " (l0.models.max-parameters)"));
            }
            throwIfAny();
            long flops = nodes.stream().mapToLong(ModelNode::flops).sum();
            ValueInfoProto in = graph.getInputList().stream().filter(v -> v.getName().equals(input)).findFirst()
                    .orElseThrow();
            List<Integer> inputShape = ((Activation) values.get(input)).shape();
            String producer = (model.getProducerName() + " " + model.getProducerVersion()).trim();
            return new ModelGraph(model.getIrVersion(), opset, producer, in.getName(), inputShape,
                    graph.getOutputList().stream().map(ValueInfoProto::getName).toList(), outputShapes, nodes,
                    parameters, flops, GateGroups.of(nodes, graph.getOutputList().stream()
                            .map(v -> canonical(v.getName())).toList()));
        }

        private void throwIfAny() {
            if (!problems.isEmpty()) {
                throw new ModelRejectedException(problems);
            }
        }

        private void checkOpset() {
            Integer found = null;
            for (OnnxMl.OperatorSetIdProto id : model.getOpsetImportList()) {
                if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
                    found = (int) id.getVersion();
                }
            }
            if (found == null) {
                problems.add(ModelProblem.ofFile("the model imports no default-domain opset"));
                throw new ModelRejectedException(problems);
            }
            opset = found;
            if (opset < limits.minOpset() || opset > limits.maxOpset()) {
                problems.add(ModelProblem.ofFile("opset " + opset + " is outside the supported range "
                        + limits.minOpset() + "–" + limits.maxOpset()));
                throw new ModelRejectedException(problems);
            }
        }

        /** Every node whose operator is not supported, each named. */
        private void checkOperators() {
            for (int i = 0; i < graph.getNodeCount(); i++) {
                NodeProto node = graph.getNode(i);
                boolean defaultDomain = node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx");
                if (!defaultDomain || !(SUPPORTED.contains(node.getOpType())
                        || SHAPE_OPERATORS.contains(node.getOpType()))) {
                    problems.add(problem(i, "operator " + (defaultDomain ? "" : node.getDomain() + ".")
                            + node.getOpType() + " is not supported; supported: " + String.join(", ", SUPPORTED)));
                }
                for (AttributeProto attribute : node.getAttributeList()) {
                    if (attribute.hasT()) {
                        checkStoredInFile(attribute.getT().getName(), attribute.getT(), i);
                    }
                    if (attribute.hasG() || attribute.getGraphsCount() > 0) {
                        problems.add(problem(i, "sub-graphs (attribute '" + attribute.getName()
                                + "') are not supported"));
                    }
                }
            }
        }

        private void checkStoredInFile(String name, TensorProto t, Integer node) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
                String location = t.getExternalDataList().stream().filter(e -> e.getKey().equals("location"))
                        .map(OnnxMl.StringStringEntryProto::getValue).findFirst().orElse("?");
                String message = "its data is kept in an external file ('" + location + "'); upload a model with "
                        + "the weights inside the file (onnx.save_model(..., save_as_external_data=False))";
                problems.add(node == null ? ModelProblem.ofTensor(name, message)
                        : new ModelProblem(nodeName(node), graph.getNode(node).getOpType(), name, message));
            }
        }

        /** The one graph input that is not an initializer; its shape has no open dimension but the batch. */
        private String checkInput() {
            List<ValueInfoProto> inputs = graph.getInputList().stream()
                    .filter(v -> !initializers.containsKey(v.getName())).toList();
            if (inputs.size() != 1) {
                problems.add(ModelProblem.ofFile("the graph has " + inputs.size() + " inputs "
                        + inputs.stream().map(ValueInfoProto::getName).toList() + "; exactly one is supported"));
                return null;
            }
            ValueInfoProto input = inputs.get(0);
            Optional<List<Integer>> shape = perExampleShape(input, true);
            if (shape.isPresent()) {
                int rank = shape.get().size();
                if (rank != 1 && rank != 3) {
                    problems.add(ModelProblem.ofTensor(input.getName(), "has rank " + (rank + 1)
                            + "; supported are [N, features] and [N, channels, height, width]"));
                } else {
                    values.put(input.getName(), new Activation(shape.get()));
                }
            }
            return input.getName();
        }

        /** The shape without the batch dimension; a problem (and empty) when another dimension is open. */
        private Optional<List<Integer>> perExampleShape(ValueInfoProto value, boolean required) {
            OnnxMl.TypeProto type = value.getType();
            if (!type.hasTensorType()) {
                problems.add(ModelProblem.ofTensor(value.getName(), "is not a tensor"));
                return Optional.empty();
            }
            if (required && type.getTensorType().getElemType() != FLOAT) {
                problems.add(ModelProblem.ofTensor(value.getName(), "has element type "
                        + TensorProto.DataType.forNumber(type.getTensorType().getElemType()) + "; float is supported"));
                return Optional.empty();
            }
            if (!type.getTensorType().hasShape()) {
                if (required) {
                    problems.add(ModelProblem.ofTensor(value.getName(), "has no shape"));
                }
                return Optional.empty();
            }
            List<TensorShapeProto.Dimension> dims = type.getTensorType().getShape().getDimList();
            if (dims.isEmpty()) {
                problems.add(ModelProblem.ofTensor(value.getName(), "is a scalar; a batch of examples is expected"));
                return Optional.empty();
            }
            List<Integer> shape = new ArrayList<>();
            boolean open = false;
            for (int d = 1; d < dims.size(); d++) {
                TensorShapeProto.Dimension dim = dims.get(d);
                if (!dim.hasDimValue() || dim.getDimValue() <= 0 || dim.getDimValue() > Integer.MAX_VALUE) {
                    problems.add(ModelProblem.ofTensor(value.getName(), "dimension " + d + " is dynamic ("
                            + (dim.hasDimParam() ? "'" + dim.getDimParam() + "'" : "unknown")
                            + "); only the batch dimension (0) may be"));
                    open = true;
                } else {
                    shape.add((int) dim.getDimValue());
                }
            }
            return open ? Optional.empty() : Optional.of(List.copyOf(shape));
        }

        /** Kahn's algorithm; nodes left over lie on a cycle, and each is named. */
        private List<Integer> topologicalOrder() {
            Map<String, Integer> producer = new HashMap<>();
            for (int i = 0; i < graph.getNodeCount(); i++) {
                for (String out : graph.getNode(i).getOutputList()) {
                    if (out.isEmpty()) {
                        continue;
                    }
                    Integer earlier = producer.put(out, i);
                    if (earlier != null || initializers.containsKey(out) || values.containsKey(out)) {
                        problems.add(problem(i, "writes '" + out + "', which "
                                + (earlier != null ? "node '" + nodeName(earlier) + "' writes too"
                                        : "is also a graph input or initializer")));
                    }
                }
            }
            int[] waiting = new int[graph.getNodeCount()];
            Map<Integer, List<Integer>> dependents = new HashMap<>();
            for (int i = 0; i < graph.getNodeCount(); i++) {
                for (String in : new LinkedHashSet<>(graph.getNode(i).getInputList())) {
                    if (in.isEmpty()) {
                        continue;
                    }
                    readers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
                    Integer from = producer.get(in);
                    if (from != null) {
                        waiting[i]++;
                        dependents.computeIfAbsent(from, k -> new ArrayList<>()).add(i);
                    } else if (!initializers.containsKey(in) && !values.containsKey(in)) {
                        problems.add(problem(i, "reads '" + in + "', which no node, initializer or input provides"));
                    }
                }
            }
            ArrayDeque<Integer> ready = new ArrayDeque<>();
            for (int i = 0; i < waiting.length; i++) {
                if (waiting[i] == 0) {
                    ready.add(i);
                }
            }
            List<Integer> order = new ArrayList<>();
            while (!ready.isEmpty()) {
                int i = ready.poll();
                order.add(i);
                for (int next : dependents.getOrDefault(i, List.of())) {
                    if (--waiting[next] == 0) {
                        ready.add(next);
                    }
                }
            }
            for (int i = 0; i < waiting.length; i++) {
                if (waiting[i] > 0) {
                    problems.add(problem(i, "is part of a cycle: it depends, through other nodes, on its own output"));
                }
            }
            return order;
        }

        private void visit(int i) {
            NodeProto node = graph.getNode(i);
            // a node after an earlier problem has nothing to work on; that problem is reported already
            for (String in : node.getInputList()) {
                if (!in.isEmpty() && value(in) == null) {
                    return;
                }
            }
            switch (node.getOpType()) {
                case "Constant" -> constant(i);
                case "Identity", "Dropout" -> passOn(i);
                case "Gemm" -> gemm(i);
                case "MatMul" -> matMul(i);
                case "Add" -> add(i);
                case "Conv" -> conv(i);
                case "BatchNormalization" -> batchNorm(i);
                case "Relu" -> {
                    Activation x = activation(i, 0);
                    if (x != null) {
                        put(i, new ModelNode.Relu(nodeName(i), "Relu", List.of(in(i, 0)), node.getOutput(0),
                                x.shape(), x.shape()));
                    }
                }
                case "MaxPool", "AveragePool" -> pool(i);
                case "GlobalAveragePool" -> {
                    Activation x = spatial(i);
                    if (x != null) {
                        put(i, new ModelNode.GlobalAveragePool(nodeName(i), "GlobalAveragePool", List.of(in(i, 0)),
                                node.getOutput(0), x.shape(), List.of(x.shape().get(0), 1, 1)));
                    }
                }
                case "Flatten" -> flatten(i);
                case "Reshape" -> reshape(i);
                case "Softmax", "LogSoftmax" -> softmax(i);
                case "Shape", "Gather", "Unsqueeze", "Concat" -> shapeArithmetic(i);
                default -> problems.add(problem(i, "operator " + node.getOpType() + " is not supported"));
            }
        }

        // ---- values ----

        private String canonical(String name) {
            String seen = name;
            while (aliases.containsKey(seen)) {
                seen = aliases.get(seen);
            }
            return seen;
        }

        /** The value named so: computed, an input, or an initializer read as floats or integers. */
        private Value value(String name) {
            String at = canonical(name);
            Value v = values.get(at);
            if (v == null && initializers.containsKey(at)) {
                v = tensorValue(initializers.get(at), at, null);
                if (v != null) {
                    values.put(at, v);
                }
            }
            return v;
        }

        private String in(int i, int input) {
            return canonical(graph.getNode(i).getInput(input));
        }

        private Value tensorValue(TensorProto t, String name, Integer node) {
            try {
                return switch (t.getDataType()) {
                    case OnnxTensors.FLOAT -> new Floats(OnnxTensors.floats(t, name));
                    case OnnxTensors.INT64, OnnxTensors.INT32 -> new Ints(OnnxTensors.ints(t), t.getDimsCount() == 0);
                    default -> throw new OnnxTensors.BadTensorException("has element type "
                            + TensorProto.DataType.forNumber(t.getDataType())
                            + "; float weights and integer shapes are supported");
                };
            } catch (OnnxTensors.BadTensorException e) {
                addTensorProblem(node, name, e.getMessage());
                return null;
            }
        }

        private void addTensorProblem(Integer node, String tensor, String message) {
            problems.add(node == null ? ModelProblem.ofTensor(tensor, message)
                    : new ModelProblem(nodeName(node), graph.getNode(node).getOpType(), tensor, message));
        }

        private void put(int i, ModelNode layer) {
            nodes.add(layer);
            values.put(layer.output(), new Activation(layer.outputShape()));
        }

        /** Input {@code k} of node {@code i} as an activation; a problem when it is a constant. */
        private Activation activation(int i, int k) {
            Value v = value(graph.getNode(i).getInput(k));
            if (v instanceof Activation a) {
                return a;
            }
            problems.add(problem(i, "input " + k + " ('" + graph.getNode(i).getInput(k) + "') must be computed from "
                    + "the model's input, but is a constant"));
            return null;
        }

        private Activation spatial(int i) {
            Activation x = activation(i, 0);
            if (x != null && x.shape().size() != 3) {
                problems.add(problem(i, "needs feature maps [C, H, W] per example but its input is " + x.shape()));
                return null;
            }
            return x;
        }

        /** Input {@code k} as float weights; a problem naming the tensor when it is anything else. */
        private Weights weights(int i, int k, String role) {
            NodeProto node = graph.getNode(i);
            if (node.getInputCount() <= k || node.getInput(k).isEmpty()) {
                problems.add(problem(i, "has no " + role));
                return null;
            }
            Value v = value(node.getInput(k));
            if (v instanceof Floats f) {
                return f.weights();
            }
            problems.add(new ModelProblem(nodeName(i), node.getOpType(), node.getInput(k), "the " + role
                    + " must be a float initializer or constant"));
            return null;
        }

        private Optional<Weights> optionalWeights(int i, int k, String role) {
            NodeProto node = graph.getNode(i);
            if (node.getInputCount() <= k || node.getInput(k).isEmpty()) {
                return Optional.empty();
            }
            return Optional.ofNullable(weights(i, k, role));
        }

        private boolean vectorOf(int i, Weights w, int size, String role) {
            List<Integer> dims = w.dims();
            boolean ok = w.size() == size && (dims.size() == 1 || dims.size() == 2 && dims.get(0) == 1);
            if (!ok) {
                problems.add(new ModelProblem(nodeName(i), graph.getNode(i).getOpType(), w.name(), "the " + role
                        + " has shape " + dims + " but " + size + " values are needed"));
            }
            return ok;
        }

        // ---- operators ----

        private void constant(int i) {
            NodeProto node = graph.getNode(i);
            Value v = null;
            for (AttributeProto a : node.getAttributeList()) {
                switch (a.getName()) {
                    case "value" -> v = tensorValue(a.getT(), node.getOutput(0), i);
                    case "value_int" -> v = new Ints(List.of(a.getI()), true);
                    case "value_ints" -> v = new Ints(List.copyOf(a.getIntsList()), false);
                    case "value_float" -> v = new Floats(new Weights(node.getOutput(0), List.of(),
                            new float[] {a.getF()}));
                    case "value_floats" -> {
                        float[] data = new float[a.getFloatsCount()];
                        for (int k = 0; k < data.length; k++) {
                            data[k] = a.getFloats(k);
                        }
                        v = new Floats(new Weights(node.getOutput(0), List.of(data.length), data));
                    }
                    default -> problems.add(problem(i, "attribute '" + a.getName() + "' is not supported"));
                }
            }
            if (v != null) {
                values.put(node.getOutput(0), v);
            } else if (node.getAttributeCount() == 0) {
                problems.add(problem(i, "has no value"));
            }
        }

        /** Dropout and Identity: their readers read what they read. A Dropout's mask must not be read. */
        private void passOn(int i) {
            NodeProto node = graph.getNode(i);
            for (int k = 1; k < node.getOutputCount(); k++) {
                if (isRead(node.getOutput(k))) {
                    problems.add(problem(i, "output '" + node.getOutput(k) + "' (the dropout mask) is read; only "
                            + "the first output is supported"));
                    return;
                }
            }
            aliases.put(node.getOutput(0), canonical(node.getInput(0)));
        }

        private boolean isRead(String value) {
            return !value.isEmpty() && (readers.containsKey(value)
                    || graph.getOutputList().stream().anyMatch(o -> o.getName().equals(value)));
        }

        private void gemm(int i) {
            NodeProto node = graph.getNode(i);
            Activation x = activation(i, 0);
            Weights w = weights(i, 1, "weight (input B)");
            if (x == null || w == null) {
                return;
            }
            if (x.shape().size() != 1) {
                problems.add(problem(i, "needs a vector per example but its input is " + x.shape()
                        + "; flatten it first"));
                return;
            }
            if (intAttr(node, "transA", 0) != 0) {
                problems.add(problem(i, "transA=1 is not supported: the input must be [N, features]"));
                return;
            }
            float alpha = floatAttr(node, "alpha", 1f);
            float beta = floatAttr(node, "beta", 1f);
            if (alpha != 1f || (node.getInputCount() > 2 && beta != 1f)) {
                problems.add(problem(i, "alpha=" + alpha + ", beta=" + beta + " are not supported; only 1"));
                return;
            }
            boolean transposed = intAttr(node, "transB", 0) != 0;
            if (w.dims().size() != 2) {
                problems.add(new ModelProblem(nodeName(i), "Gemm", w.name(), "the weight has shape " + w.dims()
                        + "; a matrix is needed"));
                return;
            }
            int in = transposed ? w.dims().get(1) : w.dims().get(0);
            int units = transposed ? w.dims().get(0) : w.dims().get(1);
            if (in != x.shape().get(0)) {
                problems.add(new ModelProblem(nodeName(i), "Gemm", w.name(), "the weight has shape " + w.dims()
                        + (transposed ? " (transB=1: [units, inputs])" : " ([inputs, units])") + " but the input has "
                        + x.shape().get(0) + " features"));
                return;
            }
            Optional<Weights> bias = optionalWeights(i, 2, "bias (input C)");
            if (bias.isPresent() && !vectorOf(i, bias.get(), units, "bias")) {
                return;
            }
            put(i, new ModelNode.Dense(nodeName(i), "Gemm", List.of(in(i, 0)), node.getOutput(0), x.shape(),
                    List.of(units), in, units, w, transposed, bias));
        }

        /** x·W, fused with the Add that follows when that Add adds a bias vector and is MatMul's only reader. */
        private void matMul(int i) {
            NodeProto node = graph.getNode(i);
            Activation x = activation(i, 0);
            Weights w = weights(i, 1, "weight (input B)");
            if (x == null || w == null) {
                return;
            }
            if (x.shape().size() != 1 || w.dims().size() != 2) {
                problems.add(problem(i, "is supported as a vector per example times a weight matrix, but multiplies "
                        + x.shape() + " by " + w.dims()));
                return;
            }
            if (!w.dims().get(0).equals(x.shape().get(0))) {
                problems.add(new ModelProblem(nodeName(i), "MatMul", w.name(), "the weight has shape " + w.dims()
                        + " ([inputs, units]) but the input has " + x.shape().get(0) + " features"));
                return;
            }
            int units = w.dims().get(1);
            String output = node.getOutput(0);
            Optional<Weights> bias = Optional.empty();
            String opType = "MatMul";
            String written = output;
            List<Integer> next = readers.getOrDefault(output, List.of());
            boolean isGraphOutput = graph.getOutputList().stream().anyMatch(o -> o.getName().equals(output));
            if (next.size() == 1 && !isGraphOutput && graph.getNode(next.get(0)).getOpType().equals("Add")) {
                NodeProto add = graph.getNode(next.get(0));
                String other = add.getInput(0).equals(output) ? add.getInput(1) : add.getInput(0);
                if (value(other) instanceof Floats f) {
                    if (!vectorOf(next.get(0), f.weights(), units, "bias")) {
                        return;
                    }
                    // the Add is this layer's bias: the layer writes what the Add wrote, and the Add is not visited
                    bias = Optional.of(f.weights());
                    fusedAdds.add(next.get(0));
                    opType = "MatMul+Add";
                    written = add.getOutput(0);
                }
            }
            ModelNode.Dense dense = new ModelNode.Dense(nodeName(i), opType, List.of(in(i, 0)), written, x.shape(),
                    List.of(units), x.shape().get(0), units, w, false, bias);
            put(i, dense);
        }

        private void add(int i) {
            NodeProto node = graph.getNode(i);
            Value a = value(node.getInput(0));
            Value b = value(node.getInput(1));
            if (a instanceof Activation x && b instanceof Activation y) {
                if (!x.shape().equals(y.shape())) {
                    problems.add(problem(i, "adds branches of different shapes " + x.shape() + " and " + y.shape()));
                    return;
                }
                put(i, new ModelNode.ResidualAdd(nodeName(i), "Add", List.of(in(i, 0), in(i, 1)), node.getOutput(0),
                        x.shape(), x.shape()));
                return;
            }
            problems.add(problem(i, "Add is supported as the bias right after a MatMul, or as the sum of two branches "
                    + "of the same shape (a residual connection)"));
        }

        private void conv(int i) {
            NodeProto node = graph.getNode(i);
            Activation x = spatial(i);
            Weights w = weights(i, 1, "weight (input W)");
            if (x == null || w == null) {
                return;
            }
            if (intAttr(node, "group", 1) != 1) {
                problems.add(problem(i, "group=" + intAttr(node, "group", 1) + " is not supported; only group=1"));
                return;
            }
            if (w.dims().size() != 4) {
                problems.add(new ModelProblem(nodeName(i), "Conv", w.name(), "the weight has shape " + w.dims()
                        + "; [filters, channels, kH, kW] is needed (2-D convolution)"));
                return;
            }
            int channels = x.shape().get(0);
            if (w.dims().get(1) != channels) {
                problems.add(new ModelProblem(nodeName(i), "Conv", w.name(), "the weight has shape " + w.dims()
                        + " for " + w.dims().get(1) + " input channels but the input has " + channels + " channels"));
                return;
            }
            List<Integer> kernel = List.of(w.dims().get(2), w.dims().get(3));
            List<Long> declared = node.getAttributeList().stream().filter(a -> a.getName().equals("kernel_shape"))
                    .findFirst().map(AttributeProto::getIntsList).orElse(null);
            if (declared != null && !(declared.size() == 2 && declared.get(0) == kernel.get(0).longValue()
                    && declared.get(1) == kernel.get(1).longValue())) {
                problems.add(new ModelProblem(nodeName(i), "Conv", w.name(), "kernel_shape " + declared
                        + " contradicts the weight's shape " + w.dims()));
                return;
            }
            int filters = w.dims().get(0);
            Optional<Weights> bias = optionalWeights(i, 2, "bias (input B)");
            if (bias.isPresent() && !vectorOf(i, bias.get(), filters, "bias")) {
                return;
            }
            Window window = window(i, x.shape(), kernel, true, false);
            if (window == null) {
                return;
            }
            put(i, new ModelNode.Conv(nodeName(i), "Conv", List.of(in(i, 0)), node.getOutput(0), x.shape(),
                    List.of(filters, window.height(), window.width()), channels, filters, kernel, window.strides(),
                    window.pads(), window.dilations(), w, bias));
        }

        private record Window(int height, int width, List<Integer> strides, List<Integer> pads,
                List<Integer> dilations) {}

        /** Strides, pads (resolving auto_pad), dilations and the output size of a sliding window. */
        private Window window(int i, List<Integer> shape, List<Integer> kernel, boolean dilated, boolean ceil) {
            NodeProto node = graph.getNode(i);
            List<Integer> strides = ints(node, "strides", List.of(1, 1));
            List<Integer> dilations = ints(node, "dilations", List.of(1, 1));
            List<Integer> pads = ints(node, "pads", List.of(0, 0, 0, 0));
            if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4
                    || strides.stream().anyMatch(s -> s < 1) || dilations.stream().anyMatch(d -> d < 1)
                    || pads.stream().anyMatch(p -> p < 0)) {
                problems.add(problem(i, "strides " + strides + ", dilations " + dilations + " and pads " + pads
                        + " must describe a 2-D window (2, 2 and 4 values; strides and dilations positive)"));
                return null;
            }
            if (!dilated && dilations.stream().anyMatch(d -> d != 1)) {
                problems.add(problem(i, "dilations " + dilations + " are not supported here"));
                return null;
            }
            String autoPad = stringAttr(node, "auto_pad", "NOTSET");
            int[] out = new int[2];
            List<Integer> resolved = new ArrayList<>(pads);
            for (int d = 0; d < 2; d++) {
                int size = shape.get(1 + d);
                int extent = dilations.get(d) * (kernel.get(d) - 1) + 1;
                switch (autoPad) {
                    case "NOTSET", "" -> {
                    }
                    case "VALID" -> {
                        resolved.set(d, 0);
                        resolved.set(d + 2, 0);
                    }
                    case "SAME_UPPER", "SAME_LOWER" -> {
                        int target = (size + strides.get(d) - 1) / strides.get(d);
                        int total = Math.max(0, (target - 1) * strides.get(d) + extent - size);
                        int small = total / 2;
                        resolved.set(d, autoPad.equals("SAME_UPPER") ? small : total - small);
                        resolved.set(d + 2, autoPad.equals("SAME_UPPER") ? total - small : small);
                    }
                    default -> {
                        problems.add(problem(i, "auto_pad '" + autoPad + "' is not known"));
                        return null;
                    }
                }
                long span = (long) size + resolved.get(d) + resolved.get(d + 2) - extent;
                long steps = ceil ? Math.ceilDiv(span, strides.get(d)) : Math.floorDiv(span, strides.get(d));
                if (span < 0 || steps + 1 > Integer.MAX_VALUE) {
                    problems.add(problem(i, "its window " + kernel + " (dilation " + dilations + ") does not fit "
                            + "the input " + shape + " with pads " + resolved));
                    return null;
                }
                out[d] = (int) steps + 1;
            }
            return new Window(out[0], out[1], strides, List.copyOf(resolved), dilations);
        }

        private void batchNorm(int i) {
            NodeProto node = graph.getNode(i);
            Activation x = activation(i, 0);
            if (x == null) {
                return;
            }
            if (intAttr(node, "spatial", 1) == 0) {
                // opsets before 9: statistics per activation rather than per channel
                problems.add(problem(i, "spatial=0 is not supported; only statistics per channel"));
                return;
            }
            if (intAttr(node, "training_mode", 0) != 0) {
                problems.add(problem(i, "training_mode=1 is not supported; export the model for inference"));
                return;
            }
            for (int k = 1; k < node.getOutputCount(); k++) {
                if (isRead(node.getOutput(k))) {
                    problems.add(problem(i, "output '" + node.getOutput(k) + "' (running statistics) is read; only "
                            + "the normalized output is supported"));
                    return;
                }
            }
            int channels = x.shape().get(0);
            Weights scale = weights(i, 1, "scale");
            Weights shift = weights(i, 2, "bias");
            Weights mean = weights(i, 3, "mean");
            Weights variance = weights(i, 4, "variance");
            if (scale == null || shift == null || mean == null || variance == null) {
                return;
            }
            boolean ok = vectorOf(i, scale, channels, "scale") & vectorOf(i, shift, channels, "bias")
                    & vectorOf(i, mean, channels, "mean") & vectorOf(i, variance, channels, "variance");
            if (ok) {
                put(i, new ModelNode.BatchNorm(nodeName(i), "BatchNormalization", List.of(in(i, 0)),
                        node.getOutput(0), x.shape(), x.shape(), scale, shift, mean, variance,
                        floatAttr(node, "epsilon", 1e-5f)));
            }
        }

        private void pool(int i) {
            NodeProto node = graph.getNode(i);
            boolean max = node.getOpType().equals("MaxPool");
            Activation x = spatial(i);
            if (x == null) {
                return;
            }
            for (int k = 1; k < node.getOutputCount(); k++) {
                if (isRead(node.getOutput(k))) {
                    problems.add(problem(i, "output '" + node.getOutput(k) + "' (indices) is read; only the pooled "
                            + "output is supported"));
                    return;
                }
            }
            List<Integer> kernel = ints(node, "kernel_shape", List.of());
            if (kernel.size() != 2 || kernel.stream().anyMatch(k -> k < 1)) {
                problems.add(problem(i, "kernel_shape " + kernel + " must have 2 positive values"));
                return;
            }
            boolean ceil = intAttr(node, "ceil_mode", 0) != 0;
            Window window = window(i, x.shape(), kernel, max, ceil);
            if (window == null) {
                return;
            }
            List<Integer> out = List.of(x.shape().get(0), window.height(), window.width());
            put(i, max
                    ? new ModelNode.MaxPool(nodeName(i), "MaxPool", List.of(in(i, 0)), node.getOutput(0), x.shape(),
                            out, kernel, window.strides(), window.pads(), window.dilations(), ceil)
                    : new ModelNode.AveragePool(nodeName(i), "AveragePool", List.of(in(i, 0)), node.getOutput(0),
                            x.shape(), out, kernel, window.strides(), window.pads(), ceil,
                            intAttr(node, "count_include_pad", 0) != 0));
        }

        private void flatten(int i) {
            NodeProto node = graph.getNode(i);
            Activation x = activation(i, 0);
            if (x == null) {
                return;
            }
            long axis = intAttr(node, "axis", 1);
            if (axis < 0) {
                axis += x.shape().size() + 1;
            }
            if (axis != 1) {
                problems.add(problem(i, "axis=" + intAttr(node, "axis", 1) + " is not supported; only axis 1 "
                        + "(each example becomes a vector)"));
                return;
            }
            put(i, new ModelNode.Flatten(nodeName(i), "Flatten", List.of(in(i, 0)), node.getOutput(0), x.shape(),
                    List.of(product(x.shape()))));
        }

        /** A Reshape to [N, −1], [0, −1], [−1, F] or [N, F], with F the example's size: a flatten. */
        private void reshape(int i) {
            NodeProto node = graph.getNode(i);
            Activation x = activation(i, 0);
            if (x == null) {
                return;
            }
            if (node.getInputCount() < 2 || !(value(node.getInput(1)) instanceof Ints target)) {
                problems.add(problem(i, "its target shape must be a constant, or computed from the batch size"));
                return;
            }
            int size = product(x.shape());
            List<Long> t = target.values();
            boolean ok = t.size() == 2 && (t.get(0) == BATCH || t.get(0) == 0 || t.get(0) == -1)
                    && (t.get(1) == -1 || t.get(1) == size) && !(t.get(0) == -1 && t.get(1) == -1);
            if (!ok) {
                problems.add(problem(i, "reshapes to " + t.stream().map(v -> v == BATCH ? "N" : v.toString())
                        .toList() + "; only [N, -1] (each example becomes a vector of " + size + ") is supported"));
                return;
            }
            put(i, new ModelNode.Flatten(nodeName(i), "Reshape", List.of(in(i, 0)), node.getOutput(0), x.shape(),
                    List.of(size)));
        }

        private void softmax(int i) {
            NodeProto node = graph.getNode(i);
            Activation x = activation(i, 0);
            if (x == null) {
                return;
            }
            long axis = intAttr(node, "axis", opset >= 13 ? -1 : 1);
            String output = node.getOutput(0);
            boolean atOutput = !readers.containsKey(output)
                    && graph.getOutputList().stream().anyMatch(o -> o.getName().equals(output));
            if (x.shape().size() != 1 || !(axis == 1 || axis == -1)) {
                problems.add(problem(i, "is supported over the classes of a vector per example (axis 1), not axis "
                        + axis + " of " + x.shape()));
            } else if (!atOutput) {
                problems.add(problem(i, "is supported only at the model's output"));
            } else {
                put(i, new ModelNode.Softmax(nodeName(i), node.getOpType(), List.of(in(i, 0)), output, x.shape(),
                        x.shape(), node.getOpType().equals("LogSoftmax")));
            }
        }

        /** Shape, Gather, Unsqueeze and Concat over integers known when reading (with N for the batch size). */
        private void shapeArithmetic(int i) {
            NodeProto node = graph.getNode(i);
            Ints result = switch (node.getOpType()) {
                case "Shape" -> {
                    if (!(value(node.getInput(0)) instanceof Activation a)) {
                        yield null;
                    }
                    List<Long> dims = new ArrayList<>();
                    dims.add(BATCH);
                    a.shape().forEach(d -> dims.add((long) d));
                    int start = (int) clampAxis(intAttr(node, "start", 0), dims.size());
                    int end = (int) clampAxis(intAttr(node, "end", dims.size()), dims.size());
                    yield new Ints(List.copyOf(dims.subList(start, Math.max(start, end))), false);
                }
                case "Gather" -> {
                    if (intAttr(node, "axis", 0) != 0 || !(value(node.getInput(0)) instanceof Ints data)
                            || !(value(node.getInput(1)) instanceof Ints index)) {
                        yield null;
                    }
                    List<Long> picked = new ArrayList<>();
                    for (long k : index.values()) {
                        long at = k < 0 ? k + data.values().size() : k;
                        if (at < 0 || at >= data.values().size()) {
                            yield null;
                        }
                        picked.add(data.values().get((int) at));
                    }
                    yield new Ints(List.copyOf(picked), index.scalar());
                }
                case "Unsqueeze" -> value(node.getInput(0)) instanceof Ints data && data.scalar()
                        ? new Ints(data.values(), false) : null;
                case "Concat" -> {
                    List<Long> joined = new ArrayList<>();
                    for (String in : node.getInputList()) {
                        if (!(value(in) instanceof Ints part) || part.scalar()) {
                            yield null;
                        }
                        joined.addAll(part.values());
                    }
                    yield new Ints(List.copyOf(joined), false);
                }
                default -> null;
            };
            if (result == null) {
                problems.add(problem(i, node.getOpType() + " is supported only while computing a Reshape's target "
                        + "from the batch size (as in x.view(x.size(0), -1)); this one computes something else"));
                return;
            }
            values.put(node.getOutput(0), result);
        }

        private static long clampAxis(long axis, int rank) {
            long a = axis < 0 ? axis + rank : axis;
            return Math.max(0, Math.min(rank, a));
        }

        // ---- after the walk ----

        /** Every graph output is an activation; a declared shape must agree with the inferred one. */
        private List<List<Integer>> checkOutputs() {
            List<List<Integer>> shapes = new ArrayList<>();
            if (graph.getOutputCount() == 0) {
                problems.add(ModelProblem.ofFile("the graph has no outputs"));
            }
            for (ValueInfoProto output : graph.getOutputList()) {
                Value v = value(output.getName());
                if (!(v instanceof Activation a)) {
                    // null: an earlier problem stopped what computes it; say so when none was reported
                    if (v != null || problems.isEmpty()) {
                        problems.add(ModelProblem.ofTensor(output.getName(), v != null ? "the output is a constant"
                                : "no node computes this output from the model's input"));
                    }
                    continue;
                }
                shapes.add(a.shape());
                int before = problems.size();
                Optional<List<Integer>> declared = perExampleShape(output, false);
                if (problems.size() == before && declared.isPresent() && !declared.get().equals(a.shape())) {
                    problems.add(ModelProblem.ofTensor(output.getName(), "is declared " + declared.get()
                            + " per example but the layers compute " + a.shape()));
                }
            }
            return shapes;
        }

        /** Distinct weights of dense and conv layers, and scale and shift of batch normalization. */
        private long parameters() {
            Map<String, Integer> sizes = new LinkedHashMap<>();
            for (ModelNode node : nodes) {
                switch (node) {
                    case ModelNode.Dense d -> {
                        sizes.put(d.weight().name(), d.weight().size());
                        d.bias().ifPresent(b -> sizes.put(b.name(), b.size()));
                    }
                    case ModelNode.Conv c -> {
                        sizes.put(c.weight().name(), c.weight().size());
                        c.bias().ifPresent(b -> sizes.put(b.name(), b.size()));
                    }
                    case ModelNode.BatchNorm b -> {
                        sizes.put(b.scale().name(), b.scale().size());
                        sizes.put(b.shift().name(), b.shift().size());
                    }
                    case ModelNode.Relu r -> {
                    }
                    case ModelNode.MaxPool m -> {
                    }
                    case ModelNode.AveragePool a -> {
                    }
                    case ModelNode.GlobalAveragePool g -> {
                    }
                    case ModelNode.Flatten f -> {
                    }
                    case ModelNode.ResidualAdd r -> {
                    }
                    case ModelNode.Softmax s -> {
                    }
                }
            }
            return sizes.values().stream().mapToLong(Integer::longValue).sum();
        }

        // ---- helpers ----

        private String nodeName(int i) {
            String name = graph.getNode(i).getName();
            return name.isEmpty() ? "#" + i : name;
        }

        private ModelProblem problem(int i, String message) {
            return new ModelProblem(nodeName(i), graph.getNode(i).getOpType(), null, message);
        }

        private static Optional<AttributeProto> attr(NodeProto node, String name) {
            return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst();
        }

        private static long intAttr(NodeProto node, String name, long fallback) {
            return attr(node, name).map(AttributeProto::getI).orElse(fallback);
        }

        private static float floatAttr(NodeProto node, String name, float fallback) {
            return attr(node, name).map(AttributeProto::getF).orElse(fallback);
        }

        private static String stringAttr(NodeProto node, String name, String fallback) {
            return attr(node, name).map(a -> a.getS().toStringUtf8()).orElse(fallback);
        }

        private static List<Integer> ints(NodeProto node, String name, List<Integer> fallback) {
            return attr(node, name).map(a -> a.getIntsList().stream()
                    .map(v -> (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v))).toList())
                    .orElse(fallback);
        }

        private static int product(List<Integer> shape) {
            long p = 1;
            for (int d : shape) {
                p *= d;
            }
            return (int) Math.min(p, Integer.MAX_VALUE);
        }
    }
}

package io.l0sparsify.export;

import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXOperator;
import org.tribuo.util.onnx.ONNXOperators;

/**
 * Standard ONNX operators that tribuo's {@link ONNXOperators} does not define. Their definitions have not
 * changed between tribuo's opset and {@link OnnxExporter#OPSET}: Conv 11, MaxPool 12, AveragePool 11, Relu 14,
 * Flatten 13, Transpose 13, BatchNormalization 15, GlobalAveragePool 1, Softmax and LogSoftmax 13.
 */
enum NetworkOperators implements ONNXOperator {
    /** {@code Y = conv(X, W) + B}; X {@code [N, C, H, W]}, W {@code [F, C, k, k]}, B {@code [F]}. */
    CONV("Conv", 2, 1, List.of(
            new ONNXAttribute("kernel_shape", AttributeType.INTS, false),
            new ONNXAttribute("strides", AttributeType.INTS, false),
            new ONNXAttribute("pads", AttributeType.INTS, false),
            new ONNXAttribute("dilations", AttributeType.INTS, false),
            new ONNXAttribute("group", AttributeType.INT, false))),
    /** Max over {@code kernel_shape} windows; only the first (values) output is used. */
    MAX_POOL("MaxPool", 1, 0, List.of(
            new ONNXAttribute("kernel_shape", AttributeType.INTS, true),
            new ONNXAttribute("strides", AttributeType.INTS, false),
            new ONNXAttribute("pads", AttributeType.INTS, false))),
    /**
     * Mean over {@code kernel_shape} windows of the zero-padded input; {@code count_include_pad} 1 divides by the
     * window's size, 0 by its values inside the input (PyTorch's {@code count_include_pad}).
     */
    AVERAGE_POOL("AveragePool", 1, 0, List.of(
            new ONNXAttribute("kernel_shape", AttributeType.INTS, true),
            new ONNXAttribute("strides", AttributeType.INTS, false),
            new ONNXAttribute("pads", AttributeType.INTS, false),
            new ONNXAttribute("count_include_pad", AttributeType.INT, false))),
    RELU("Relu", 1, 0, List.of()),
    /** Permutes the axes; {@code perm} defaults to reversing them. */
    TRANSPOSE("Transpose", 1, 0, List.of(new ONNXAttribute("perm", AttributeType.INTS, false))),
    /** {@code [N, d1, d2, ...] -> [N, d1·d2·...]} with {@code axis = 1}. */
    FLATTEN("Flatten", 1, 0, List.of(new ONNXAttribute("axis", AttributeType.INT, false))),
    /**
     * Inference-mode batch normalization over axis 1: {@code Y = scale·(X − mean)/√(var + epsilon) + B}; inputs
     * X, scale, B, input_mean, input_var.
     */
    BATCH_NORMALIZATION("BatchNormalization", 5, 0, List.of(
            new ONNXAttribute("epsilon", AttributeType.FLOAT, false),
            new ONNXAttribute("momentum", AttributeType.FLOAT, false))),
    /** {@code [N, C, H, W] -> [N, C, 1, 1]}, the mean of every map. */
    GLOBAL_AVERAGE_POOL("GlobalAveragePool", 1, 0, List.of()),
    /** The softmax along {@code axis} (opset 13 and later: over that axis alone). */
    SOFTMAX("Softmax", 1, 0, List.of(new ONNXAttribute("axis", AttributeType.INT, false))),
    /** The log of the softmax along {@code axis} (opset 13 and later: over that axis alone). */
    LOG_SOFTMAX("LogSoftmax", 1, 0, List.of(new ONNXAttribute("axis", AttributeType.INT, false)));

    private final String opName;
    private final int numInputs;
    private final int numOptionalInputs;
    private final Map<String, ONNXAttribute> attributes;

    NetworkOperators(String opName, int numInputs, int numOptionalInputs, List<ONNXAttribute> attributes) {
        this.opName = opName;
        this.numInputs = numInputs;
        this.numOptionalInputs = numOptionalInputs;
        Map<String, ONNXAttribute> byName = new LinkedHashMap<>();
        for (ONNXAttribute attribute : attributes) {
            byName.put(attribute.getName(), attribute);
        }
        this.attributes = Map.copyOf(byName);
    }

    @Override
    public String getOpName() {
        return opName;
    }

    @Override
    public int getNumInputs() {
        return numInputs;
    }

    @Override
    public int getNumOptionalInputs() {
        return numOptionalInputs;
    }

    @Override
    public int getNumOutputs() {
        return 1;
    }

    @Override
    public Map<String, ONNXAttribute> getAttributes() {
        return attributes;
    }

    @Override
    public Set<String> getMandatoryAttributeNames() {
        return attributes.values().stream().filter(ONNXAttribute::isMandatory).map(ONNXAttribute::getName)
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public int getOpVersion() {
        return OnnxExporter.OPSET;
    }

    /** The default ONNX domain, as tribuo's own standard operators use. */
    @Override
    public String getOpDomain() {
        return ONNXOperators.GEMM.getOpDomain();
    }
}

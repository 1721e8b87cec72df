package io.l0sparsify.export;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a {@link PrunedNetwork} as an ONNX model whose tensors have the pruned sizes: removed units are
 * absent, not zeroed.
 *
 * <p>Layer mapping: dense → [Flatten when its input has rank > 2] → Gemm(transB=1) with weight
 * {@code [units, inputs]} and bias {@code [units]}; when {@code gather} is set, the kept inputs are selected
 * as Transpose → Gather(axis=0) and the Gemm takes them with transA=1, which equals Gather(axis=1);
 * conv2d → Conv (pads, dilations) with weight {@code [F, C, k, k]} and bias {@code [F]}, with a batchnorm directly
 * after it folded in; other batchnorm → BatchNormalization; globalavgpool → GlobalAveragePool → Flatten(axis=1);
 * residual → its body, its shortcut (the input, or a 1×1 Conv) and Add; maxpool → MaxPool (pads); avgpool →
 * AveragePool (pads, count_include_pad); relu → Relu; flatten → Flatten(axis=1). Initializers are named
 * {@code <layer>.<role>_<n>} with role weight, bias or gather, which {@link #initializerShapes} relies on.
 */
public final class OnnxExporter {

    /** The ONNX operator set the models declare. */
    public static final int OPSET = 17;

    /** IR version 8 is the one that introduced opset 17. */
    static final long IR_VERSION = 8;

    public static final String INPUT_NAME = "input";
    public static final String OUTPUT_NAME = "logits";

    /** The symbolic name of the dynamic batch dimension of input and output. */
    public static final String BATCH_DIM = "batch";

    /** Metadata key: the scale of {@link io.l0sparsify.dataset.Preprocessing}, a decimal number. */
    public static final String META_SCALE = "l0.preprocessing.scale";
    /** Metadata key: the means per channel (or one for all), a JSON array of numbers. */
    public static final String META_MEAN = "l0.preprocessing.mean";
    /** Metadata key: the standard deviations per channel (or one for all), a JSON array of numbers. */
    public static final String META_STD = "l0.preprocessing.std";
    /** Metadata key: the layout of the input, {@value DataConventions#LAYOUT}. */
    public static final String META_LAYOUT = "l0.preprocessing.layout";
    /** Metadata key: the preprocessing in words. */
    public static final String META_DESCRIPTION = "l0.preprocessing.description";
    /** Metadata key: the shape of one input without the batch dimension, a JSON array. */
    public static final String META_INPUT_SHAPE = "l0.input_shape";
    /** Metadata key: the name of logit i at index i, a JSON array of strings. */
    public static final String META_CLASS_NAMES = "l0.class_names";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private OnnxExporter() {}

    /**
     * The ONNX model (opset ≥ 17, standard operators only): input {@code input} float32
     * {@code [N, ...inputShape]} with a dynamic batch dimension N, output {@code logits} float32
     * {@code [N, numClasses]}. The metadata records how raw values become the input ({@code x' = (x · scale −
     * mean[c]) / std[c]}, keys {@value #META_SCALE}, {@value #META_MEAN}, {@value #META_STD}, {@value #META_LAYOUT},
     * {@value #META_DESCRIPTION}), the input shape ({@value #META_INPUT_SHAPE}) and the class names
     * ({@value #META_CLASS_NAMES}).
     *
     * @throws IllegalArgumentException if the network is inconsistent or the conventions do not fit it (the
     *     message names the field)
     */
    public static byte[] export(PrunedNetwork network, String modelName, DataConventions conventions) {
        return export(network, modelName, conventions, GraphInterface.LOGITS);
    }

    /**
     * {@link #export(PrunedNetwork, String, DataConventions)} with the input and output named by {@code io} and
     * the output holding what it says: a Softmax or LogSoftmax over the classes follows the logits where asked.
     */
    public static byte[] export(PrunedNetwork network, String modelName, DataConventions conventions,
            GraphInterface io) {
        NetworkValidator.validate(network);
        conventions.checkFits(network.inputShape(), network.numClasses());
        ONNXContext context = new ONNXContext();
        context.setName(modelName);
        int inputSize = network.inputShape().stream().mapToInt(Integer::intValue).reduce(1, Math::multiplyExact);
        ONNXPlaceholder input = context.floatInput(io.inputName(), inputSize);
        ONNXPlaceholder output = context.floatOutput(io.outputName(), network.numClasses());

        ONNXRef<?> x = emit(context, network.layers(), input, 1 + network.inputShape().size());
        x = switch (io.output()) {
            case LOGITS -> x;
            case SOFTMAX -> context.operation(NetworkOperators.SOFTMAX, List.of(x), "output.softmax",
                    Map.of("axis", 1));
            case LOG_SOFTMAX -> context.operation(NetworkOperators.LOG_SOFTMAX, List.of(x), "output.log_softmax",
                    Map.of("axis", 1));
        };
        x.assignTo(output);

        // tribuo's floatInput knows only [batch, features]; a conv network's input is [batch, C, H, W].
        OnnxMl.GraphProto graph = context.buildGraph().toBuilder()
                .setInput(0, valueInfo(io.inputName(), network.inputShape()))
                .setOutput(0, valueInfo(io.outputName(), List.of(network.numClasses())))
                .build();
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("l0-sparsify")
                .setDomain("io.l0sparsify")
                .setModelVersion(1)
                .setDocString(docString(network, conventions, io))
                .addMetadataProps(property("architecture", network.architecture()))
                .addMetadataProps(property("parameters", Long.toString(network.parameterCount())))
                .addMetadataProps(property("flops", Long.toString(network.flops())))
                .addAllMetadataProps(conventionProperties(network, conventions))
                .setGraph(graph)
                .build()
                .toByteArray();
    }

    /**
     * The operators of one list of layers (the network's or a block's body) applied to {@code x} of rank
     * {@code rank}; a conv2d directly followed by batchnorm becomes one Conv with the normalization folded in.
     */
    private static ONNXRef<?> emit(ONNXContext context, List<PrunedLayer> layers, ONNXRef<?> x, int rank) {
        for (int i = 0; i < layers.size(); i++) {
            PrunedLayer layer = layers.get(i);
            String name = layer.name();
            switch (layer) {
                case PrunedLayer.Dense d -> {
                    if (rank > 2) {
                        x = context.operation(NetworkOperators.FLATTEN, List.of(x), name + ".flatten",
                                Map.of("axis", 1));
                    }
                    x = gemm(context, x, name, d);
                    rank = 2;
                }
                case PrunedLayer.Conv2d c -> {
                    if (i + 1 < layers.size() && layers.get(i + 1) instanceof PrunedLayer.BatchNorm b) {
                        x = conv(context, x, folded(c, b));
                        i++;
                    } else {
                        x = conv(context, x, c);
                    }
                }
                // ONNX pads a MaxPool with −∞ and an AveragePool with zeros, as PyTorch does
                case PrunedLayer.MaxPool m -> x = context.operation(NetworkOperators.MAX_POOL, List.of(x), name,
                        Map.of("kernel_shape", new int[] {m.size(), m.size()},
                                "strides", new int[] {m.stride(), m.stride()},
                                "pads", pads(m.padding())));
                case PrunedLayer.AvgPool a -> x = context.operation(NetworkOperators.AVERAGE_POOL, List.of(x),
                        name, Map.of("kernel_shape", new int[] {a.size(), a.size()},
                                "strides", new int[] {a.stride(), a.stride()},
                                "pads", pads(a.padding()),
                                "count_include_pad", a.countIncludePad() ? 1 : 0));
                case PrunedLayer.Relu _ -> x = context.operation(NetworkOperators.RELU, List.of(x), name);
                case PrunedLayer.Flatten _ -> {
                    x = context.operation(NetworkOperators.FLATTEN, List.of(x), name, Map.of("axis", 1));
                    rank = 2;
                }
                case PrunedLayer.BatchNorm b -> {
                    // after an Add, at the start of a pre-activation block or on features: nothing to fold into
                    int c = b.channels();
                    x = context.operation(NetworkOperators.BATCH_NORMALIZATION, List.of(x,
                            floatTensor(context, name + ".weight", b.gamma(), c),
                            floatTensor(context, name + ".bias", b.beta(), c),
                            floatTensor(context, name + ".runningMean", b.runningMean(), c),
                            floatTensor(context, name + ".runningVar", b.runningVar(), c)), name,
                            Map.of("epsilon", b.eps()));
                }
                case PrunedLayer.GlobalAvgPool _ -> {
                    ONNXRef<?> pooled = context.operation(NetworkOperators.GLOBAL_AVERAGE_POOL, List.of(x), name);
                    x = context.operation(NetworkOperators.FLATTEN, List.of(pooled), name + ".flatten",
                            Map.of("axis", 1));
                    rank = 2;
                }
                case PrunedLayer.Residual r -> {
                    ONNXRef<?> body = emit(context, r.body(), x, rank);
                    ONNXRef<?> shortcut = r.projection() == null ? x : conv(context, x, r.projection());
                    x = context.operation(ONNXOperators.ADD, List.of(body, shortcut), name);
                }
            }
        }
        return x;
    }

    private static ONNXRef<?> conv(ONNXContext context, ONNXRef<?> x, PrunedLayer.Conv2d c) {
        String name = c.name();
        ONNXInitializer weight = floatTensor(context, name + ".weight", c.weight(), c.filters(), c.inChannels(),
                c.kernel(), c.kernel());
        ONNXInitializer bias = floatTensor(context, name + ".bias", c.bias(), c.filters());
        return context.operation(NetworkOperators.CONV, List.of(x, weight, bias), name, Map.of(
                "kernel_shape", new int[] {c.kernel(), c.kernel()},
                "strides", new int[] {c.stride(), c.stride()},
                "pads", pads(c.padding()),
                "dilations", new int[] {c.dilation(), c.dilation()}));
    }

    /** The same padding at the start and end of both spatial axes, in ONNX's order (starts, then ends). */
    private static int[] pads(int p) {
        return new int[] {p, p, p, p};
    }

    /**
     * The convolution followed by batch normalization as one convolution: with s = γ/√(var + eps), filter f
     * becomes W[f]·s[f] and its bias (b[f] − mean[f])·s[f] + β[f]. Exact in real arithmetic (the normalization is
     * affine per output channel, and zero padding lies before the convolution); computed in double.
     */
    static PrunedLayer.Conv2d folded(PrunedLayer.Conv2d c, PrunedLayer.BatchNorm b) {
        if (b.channels() != c.filters()) {
            throw new IllegalArgumentException(b.name() + ": " + b.channels() + " channels after the "
                    + c.filters() + " filters of " + c.name());
        }
        int perFilter = c.weight().length / c.filters();
        float[] weight = new float[c.weight().length];
        float[] bias = new float[c.filters()];
        for (int f = 0; f < c.filters(); f++) {
            double s = b.gamma()[f] / Math.sqrt((double) b.runningVar()[f] + b.eps());
            for (int k = 0; k < perFilter; k++) {
                weight[f * perFilter + k] = (float) (c.weight()[f * perFilter + k] * s);
            }
            bias[f] = (float) ((c.bias()[f] - (double) b.runningMean()[f]) * s + b.beta()[f]);
        }
        return new PrunedLayer.Conv2d(c.name(), c.gated(), c.originalFilters(), c.originalInChannels(),
                c.keptFilters(), c.keptInChannels(), c.kernel(), c.stride(), c.padding(), c.dilation(), weight, bias);
    }

    /** A dense layer as Gemm(transB=1), selecting its kept inputs first when it gathers. */
    private static ONNXRef<?> gemm(ONNXContext context, ONNXRef<?> x, String name, PrunedLayer.Dense d) {
        ONNXInitializer weight = floatTensor(context, name + ".weight", d.weight(), d.units(), d.inputs());
        ONNXInitializer bias = floatTensor(context, name + ".bias", d.bias(), d.units());
        if (d.gather() == null) {
            return context.operation(ONNXOperators.GEMM, List.of(x, weight, bias), name, Map.of("transB", 1));
        }
        // ONNX Runtime's Gather along axis 1 copies one float at a time; along axis 0 of the transposed
        // input it copies whole rows of N floats. On a 219-214-100 MLP at batch 100 that cut the pruned
        // model from about 154 to 115 µs; at batch 1 the difference was noise.
        ONNXInitializer indices = context.array(name + ".gather", toLongs(d.gather()));
        ONNXRef<?> transposed = context.operation(NetworkOperators.TRANSPOSE, List.of(x), name + ".transposed",
                Map.of("perm", new int[] {1, 0}));
        ONNXRef<?> gathered = context.operation(ONNXOperators.GATHER, List.of(transposed, indices),
                name + ".gathered", Map.of("axis", 0));
        return context.operation(ONNXOperators.GEMM, List.of(gathered, weight, bias), name,
                Map.of("transA", 1, "transB", 1));
    }

    /**
     * The shape of every initializer of an exported model, grouped by layer name in graph order: e.g.
     * {@code {dense0={gather=[219], weight=[300, 219], bias=[300]}, ...}}.
     *
     * @throws IllegalArgumentException if {@code model} is not an ONNX model
     */
    public static Map<String, Map<String, List<Long>>> initializerShapes(byte[] model) {
        OnnxMl.ModelProto proto;
        try {
            proto = OnnxMl.ModelProto.parseFrom(model);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
        }
        Map<String, Map<String, List<Long>>> shapes = new LinkedHashMap<>();
        for (OnnxMl.TensorProto tensor : proto.getGraph().getInitializerList()) {
            String name = tensor.getName();
            int dot = name.lastIndexOf('.');
            int counter = name.lastIndexOf('_');
            if (dot < 0 || counter < dot) {
                continue;
            }
            shapes.computeIfAbsent(name.substring(0, dot), k -> new LinkedHashMap<>())
                    .put(name.substring(dot + 1, counter), List.copyOf(tensor.getDimsList()));
        }
        return shapes;
    }

    private static ONNXInitializer floatTensor(ONNXContext context, String name, float[] values, int... dims) {
        List<Integer> shape = Arrays.stream(dims).boxed().toList();
        return context.floatTensor(name, shape, buffer -> buffer.put(values));
    }

    private static long[] toLongs(int[] values) {
        long[] longs = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            longs[i] = values[i];
        }
        return longs;
    }

    /** float32 {@code [batch, ...dims]} with a symbolic batch dimension. */
    private static OnnxMl.ValueInfoProto valueInfo(String name, List<Integer> dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH_DIM));
        for (int d : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .setShape(shape)))
                .build();
    }

    private static OnnxMl.StringStringEntryProto property(String key, String value) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static List<OnnxMl.StringStringEntryProto> conventionProperties(PrunedNetwork network,
            DataConventions conventions) {
        DataConventions.PreprocessingJson p = conventions.preprocessingJson();
        return List.of(
                property(META_SCALE, Double.toString(p.scale())),
                property(META_MEAN, JSON.writeValueAsString(p.mean())),
                property(META_STD, JSON.writeValueAsString(p.std())),
                property(META_LAYOUT, p.layout()),
                property(META_DESCRIPTION, p.description()),
                property(META_INPUT_SHAPE, JSON.writeValueAsString(network.inputShape())),
                property(META_CLASS_NAMES, JSON.writeValueAsString(conventions.classNames())));
    }

    private static String docString(PrunedNetwork network, DataConventions conventions, GraphInterface io) {
        List<String> dims = new ArrayList<>();
        dims.add("N");
        network.inputShape().forEach(d -> dims.add(Integer.toString(d)));
        return "L0-pruned network (Louizos, Welling & Kingma, 2018), architecture " + network.architecture()
                + ", " + network.parameterCount() + " parameters, " + network.flops() + " FLOPs per example. "
                + "Input '" + io.inputName() + "': float32 " + dims + ", raw values x preprocessed as "
                + conventions.preprocessing().describe() + " with the scale, mean and std of the metadata "
                + META_SCALE + ", " + META_MEAN + ", " + META_STD + ". Output '" + io.outputName() + "': float32 [N, "
                + network.numClasses() + "], " + io.output().description() + ".";
    }
}

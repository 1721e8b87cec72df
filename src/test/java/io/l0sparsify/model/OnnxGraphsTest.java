package io.l0sparsify.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reader on small graphs built here with the ONNX protobuf builders, for the patterns and refusals other
 * exporters (tf2onnx, Keras, hand-edited files) write that the PyTorch fixtures do not.
 */
class OnnxGraphsTest {

    private final OnnxModelReader reader = new OnnxModelReader(OnnxModelReaderTest.LIMITS);

    @Test
    void reshapeToAConstantBatchAndMinusOneIsAFlatten() throws Exception {
        for (long[] target : List.of(new long[] {-1, 2 * 3 * 3}, new long[] {0, -1})) {
            ModelGraph graph = read(graph(List.of(2, 3, 3),
                    List.of(node("Reshape", "r", List.of("x", "shape"), "y"),
                            node("Gemm", "fc", List.of("y", "w"), "out", attr("transB", 1))),
                    List.of(ints("shape", target), floats("w", 4, 18)), "out"));
            assertThat(graph.nodes()).extracting(ModelNode::kind).containsExactly("flatten", "dense");
            assertThat(graph.nodes().get(0).outputShape()).containsExactly(18);
        }
    }

    @Test
    void reshapeToAnythingButAVectorPerExampleIsRefused() {
        assertThatThrownBy(() -> read(graph(List.of(2, 3, 3),
                List.of(node("Reshape", "r", List.of("x", "shape"), "out")),
                List.of(ints("shape", 0, 6, 3)), "out")))
                .hasMessageContaining("node 'r' (Reshape): reshapes to [0, 6, 3]; only [N, -1]");
    }

    @Test
    void gemmWithoutTransposeReadsItsWeightAsInputsByUnits() throws Exception {
        ModelGraph graph = read(graph(List.of(6),
                List.of(node("Gemm", "fc", List.of("x", "w", "b"), "out")),
                List.of(floats("w", 6, 4), floats("b", 4)), "out"));
        ModelNode.Dense dense = (ModelNode.Dense) graph.nodes().get(0);
        assertThat(dense.transposed()).isFalse();
        assertThat(dense.inFeatures()).isEqualTo(6);
        assertThat(dense.units()).isEqualTo(4);
        assertThat(graph.parameters()).isEqualTo(28);
        assertThat(graph.flops()).isEqualTo(12L * 4);
    }

    @Test
    void sharedWeightsCountOnce() throws Exception {
        ModelGraph graph = read(graph(List.of(4),
                List.of(node("Gemm", "a", List.of("x", "w"), "h"), node("Gemm", "b", List.of("h", "w"), "out")),
                List.of(floats("w", 4, 4)), "out"));
        assertThat(graph.parameters()).isEqualTo(16);
        // without a bias: 2n − 1 per output value
        assertThat(graph.flops()).isEqualTo(2 * 7L * 4);
    }

    @Test
    void samePaddingAndCeilModeShapesFollowTheOnnxFormulas() throws Exception {
        ModelGraph graph = read(graph(List.of(3, 7, 7),
                List.of(node("Conv", "c", List.of("x", "w"), "h", attr("auto_pad", "SAME_UPPER"),
                                attr("strides", 2, 2)),
                        node("MaxPool", "p", List.of("h"), "out", attr("kernel_shape", 2, 2), attr("strides", 2, 2),
                                attr("ceil_mode", 1))),
                List.of(floats("w", 5, 3, 3, 3)), "out"));
        // SAME_UPPER, stride 2: ⌈7/2⌉ = 4; ceil((4 − 2)/2) + 1 = 2
        assertThat(graph.nodes()).extracting(ModelNode::outputShape)
                .containsExactly(List.of(5, 4, 4), List.of(5, 2, 2));
        ModelNode.Conv conv = (ModelNode.Conv) graph.nodes().get(0);
        // total padding (4 − 1)·2 + 3 − 7 = 2: one each side
        assertThat(conv.pads()).containsExactly(1, 1, 1, 1);
    }

    @Test
    void groupedConvolutionIsRefused() {
        assertThatThrownBy(() -> read(graph(List.of(4, 5, 5),
                List.of(node("Conv", "dw", List.of("x", "w"), "out", attr("group", 4))),
                List.of(floats("w", 4, 1, 3, 3)), "out")))
                .hasMessageContaining("node 'dw' (Conv): group=4 is not supported");
    }

    @Test
    void addOfAConstantThatIsNoMatMulBiasIsRefused() {
        assertThatThrownBy(() -> read(graph(List.of(4),
                List.of(node("Relu", "r", List.of("x"), "h"), node("Add", "shift", List.of("h", "c"), "out")),
                List.of(floats("c", 4)), "out")))
                .hasMessageContaining("node 'shift' (Add): Add is supported as the bias right after a MatMul");
    }

    @Test
    void unnamedNodesAreNamedByTheirIndex() {
        assertThatThrownBy(() -> read(graph(List.of(4),
                List.of(node("Relu", "", List.of("x"), "h"), node("Tanh", "", List.of("h"), "out")),
                List.of(), "out")))
                .isInstanceOfSatisfying(ModelRejectedException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> assertThat(p.node()).isEqualTo("#1")));
    }

    @Test
    void operatorsOfOtherDomainsAreRefusedNamingTheDomain() {
        NodeProto custom = node("Relu", "fused", List.of("x"), "out").toBuilder().setDomain("com.microsoft").build();
        assertThatThrownBy(() -> read(graph(List.of(4), List.of(custom), List.of(), "out")))
                .hasMessageContaining("node 'fused' (Relu): operator com.microsoft.Relu is not supported");
    }

    @Test
    void dropoutWhoseMaskIsReadIsRefused() {
        assertThatThrownBy(() -> read(graph(List.of(4),
                List.of(node("Dropout", "d", List.of("x"), List.of("h", "mask")),
                        node("Add", "a", List.of("h", "mask"), "out")),
                List.of(), "out")))
                .hasMessageContaining("node 'd' (Dropout): output 'mask' (the dropout mask) is read");
    }

    @Test
    void batchNormalizationInTrainingModeIsRefused() {
        assertThatThrownBy(() -> read(graph(List.of(2, 3, 3),
                List.of(node("BatchNormalization", "bn", List.of("x", "s", "b", "m", "v"), "out",
                        attr("training_mode", 1))),
                List.of(floats("s", 2), floats("b", 2), floats("m", 2), floats("v", 2)), "out")))
                .hasMessageContaining("node 'bn' (BatchNormalization): training_mode=1 is not supported");
    }

    @Test
    void batchNormalizationWithStatisticsForOtherChannelsIsRefused() {
        assertThatThrownBy(() -> read(graph(List.of(2, 3, 3),
                List.of(node("BatchNormalization", "bn", List.of("x", "s", "b", "m", "v"), "out")),
                List.of(floats("s", 2), floats("b", 2), floats("m", 3), floats("v", 2)), "out")))
                .hasMessageContaining("node 'bn' (BatchNormalization), tensor 'm': the mean has shape [3] but 2");
    }

    @Test
    void declaredOutputShapeThatContradictsTheLayersIsRefused() {
        OnnxMl.ModelProto model = graph(List.of(6), List.of(node("Gemm", "fc", List.of("x", "w"), "out")),
                List.of(floats("w", 6, 4)), "out");
        OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
        g.setOutput(0, valueInfo("out", List.of(-1, 5)));
        assertThatThrownBy(() -> read(model.toBuilder().setGraph(g).build()))
                .hasMessageContaining("tensor 'out': is declared [5] per example but the layers compute [4]");
    }

    @Test
    void aValueNothingProvidesIsNamed() {
        assertThatThrownBy(() -> read(graph(List.of(4), List.of(node("Gemm", "fc", List.of("x", "missing"), "out")),
                List.of(), "out")))
                .hasMessageContaining("node 'fc' (Gemm): reads 'missing', which no node, initializer or input provides");
    }

    @Test
    void anOutputNothingComputesIsNamed() {
        assertThatThrownBy(() -> read(graph(List.of(4), List.of(node("Relu", "r", List.of("x"), "h")), List.of(),
                "out")))
                .hasMessageContaining("tensor 'out': no node computes this output from the model's input");
    }

    @Test
    void aConstantWithoutAValueIsRefused() {
        assertThatThrownBy(() -> read(graph(List.of(4),
                List.of(node("Constant", "c", List.of(), "k"), node("Relu", "r", List.of("x"), "out")), List.of(),
                "out")))
                .hasMessageContaining("node 'c' (Constant): has no value");
    }

    // ---- building graphs ----

    private ModelGraph read(OnnxMl.ModelProto model) throws IOException {
        return reader.read(new ByteArrayInputStream(model.toByteArray()));
    }

    /** A model with input {@code x} of shape [N, ...perExample], the nodes, initializers and one output. */
    static OnnxMl.ModelProto graph(List<Integer> perExample, List<NodeProto> nodes, List<TensorProto> initializers,
            String output) {
        List<Integer> withBatch = new ArrayList<>();
        withBatch.add(-1);
        withBatch.addAll(perExample);
        OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder().setName("g").addAllNode(nodes)
                .addAllInitializer(initializers).addInput(valueInfo("x", withBatch))
                .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(output)
                        .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                                .setElemType(TensorProto.DataType.FLOAT_VALUE))))
                .build();
        return OnnxMl.ModelProto.newBuilder().setIrVersion(7).setProducerName("test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph).build();
    }

    /** -1: the batch, a named dimension. */
    static OnnxMl.ValueInfoProto valueInfo(String name, List<Integer> dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (int d : dims) {
            shape.addDim(d < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)
                        .setShape(shape))).build();
    }

    static NodeProto node(String op, String name, List<String> inputs, String output, AttributeProto... attributes) {
        return node(op, name, inputs, List.of(output), attributes);
    }

    static NodeProto node(String op, String name, List<String> inputs, List<String> outputs,
            AttributeProto... attributes) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addAllOutput(outputs)
                .addAllAttribute(Arrays.asList(attributes)).build();
    }

    static AttributeProto attr(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (values.length == 1 && !name.equals("strides") && !name.equals("kernel_shape")) {
            return a.setType(AttributeProto.AttributeType.INT).setI(values[0]).build();
        }
        for (long v : values) {
            a.addInts(v);
        }
        return a.setType(AttributeProto.AttributeType.INTS).build();
    }

    static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    /** A float tensor of the given dimensions, values 0.01·i. */
    static TensorProto floats(String name, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        long n = 1;
        for (long d : dims) {
            t.addDims(d);
            n *= d;
        }
        for (int i = 0; i < n; i++) {
            t.addFloatData(0.01f * i);
        }
        return t.build();
    }

    static TensorProto ints(String name, long... values) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length).addAllInt64Data(Arrays.stream(values).boxed().toList()).build();
    }
}

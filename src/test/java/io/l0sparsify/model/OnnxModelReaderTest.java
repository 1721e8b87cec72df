package io.l0sparsify.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The reader against ONNX files written by torch.onnx.export (scripts/fixtures/make_model_fixtures.py), checked
 * against what PyTorch computed for them (models.json), and against refusals that must name the node or tensor.
 */
class OnnxModelReaderTest {

    static final Path DIR = Path.of("src/test/resources/models");
    static final OnnxModelReader.Limits LIMITS = new OnnxModelReader.Limits(1 << 20, 1_000_000, 7, 21);
    private static final JsonNode FACTS = facts();

    private final OnnxModelReader reader = new OnnxModelReader(LIMITS);

    private static JsonNode facts() {
        try {
            return new ObjectMapper().readTree(Files.readString(DIR.resolve("models.json")));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static ModelGraph read(String name) throws IOException {
        return new OnnxModelReader(LIMITS).read(DIR.resolve(name + ".onnx"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_gemm", "mlp_matmul_add", "cnn_bn_kept", "resnet_small"})
    void parametersAndShapesMatchWhatPyTorchComputed(String name) throws Exception {
        ModelGraph graph = read(name);
        JsonNode fact = FACTS.get(name);
        // BN kept: its scale and shift are parameters as in PyTorch; running statistics are buffers in both
        assertThat(graph.parameters()).isEqualTo(fact.get("parameters").asLong());
        assertThat(graph.inputShape()).isEqualTo(perExample(fact.get("inputShape")));
        assertThat(graph.outputShapes()).containsExactly(perExample(fact.get("outputShape")));
        assertThat(graph.inputName()).isEqualTo("input");
        assertThat(graph.outputNames()).containsExactly("output");
        assertThat(graph.opset()).isEqualTo(13);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cnn_bn_folded", "resnet_small_folded"})
    void foldedModelsCountTheFoldedConvolutions(String name) throws Exception {
        ModelGraph graph = read(name);
        assertThat(graph.parameters()).isEqualTo(FACTS.get(name).get("foldedParameters").asLong());
        assertThat(graph.nodes()).noneMatch(n -> n instanceof ModelNode.BatchNorm);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_gemm", "mlp_matmul_add", "cnn_bn_folded", "cnn_bn_kept", "resnet_small",
            "resnet_small_folded"})
    void everyAcceptedFixtureRunsInOnnxRuntimeAsPyTorchDid(String name) throws Exception {
        ModelGraph graph = read(name);
        JsonNode fact = FACTS.get(name);
        int n = graph.inputShape().stream().reduce(1, (a, b) -> a * b);
        float[] input = new float[n];
        for (int i = 0; i < n; i++) {
            input[i] = (float) (0.01 * (i % 17) - 0.08);
        }
        long[] shape = new long[graph.inputShape().size() + 1];
        shape[0] = 1;
        for (int i = 0; i < graph.inputShape().size(); i++) {
            shape[i + 1] = graph.inputShape().get(i);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(DIR.resolve(name + ".onnx").toString());
                OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                OrtSession.Result result = session.run(Map.of(graph.inputName(), x))) {
            float[][] out = (float[][]) result.get(0).getValue();
            assertThat(out[0]).hasSize(fact.get("output").size());
            for (int i = 0; i < out[0].length; i++) {
                assertThat((double) out[0][i]).isCloseTo(fact.get("output").get(i).asDouble(), within(1e-4));
            }
        }
    }

    @Test
    void mlpIsThreeDenseLayersWithTheirFlops() throws Exception {
        ModelGraph graph = read("mlp_gemm");
        List<ModelNode.Dense> dense = graph.nodes().stream().filter(ModelNode.Dense.class::isInstance)
                .map(ModelNode.Dense.class::cast).toList();
        assertThat(dense).extracting(ModelNode.Dense::inFeatures).containsExactly(20, 32, 16);
        assertThat(dense).extracting(ModelNode.Dense::units).containsExactly(32, 16, 5);
        assertThat(dense).allMatch(ModelNode.Dense::transposed);
        // (2n − 1 + 1)·units per layer: 40·32 + 64·16 + 32·5
        assertThat(graph.flops()).isEqualTo(40L * 32 + 64 * 16 + 32 * 5);
        // Dropout is gone: the second Gemm reads the first Relu's output
        assertThat(graph.nodes()).extracting(ModelNode::kind)
                .containsExactly("dense", "relu", "dense", "relu", "dense", "logsoftmax");
        assertThat(graph.nodes().get(2).inputs()).containsExactly(graph.nodes().get(1).output());
        assertThat(graph.gateGroups()).extracting(GateGroup::size).containsExactly(20, 32, 16);
        assertThat(graph.gateGroups()).allMatch(GateGroup::gateable);
    }

    @Test
    void matMulAndItsBiasAddAreOneDenseLayer() throws Exception {
        ModelGraph graph = read("mlp_matmul_add");
        assertThat(graph.nodes()).extracting(ModelNode::opType)
                .containsExactly("MatMul+Add", "Relu", "MatMul+Add", "Softmax");
        ModelNode.Dense first = (ModelNode.Dense) graph.nodes().get(0);
        assertThat(first.transposed()).isFalse();
        assertThat(first.weight().dims()).containsExactly(20, 24);
        assertThat(first.bias()).isPresent();
        assertThat(graph.nodes().get(1).inputs()).containsExactly(first.output());
    }

    @Test
    void cnnShapesAreInferredLayerByLayer() throws Exception {
        ModelGraph graph = read("cnn_bn_kept");
        assertThat(graph.nodes()).extracting(ModelNode::kind).containsExactly("conv2d", "batchnorm", "relu",
                "maxpool", "conv2d", "batchnorm", "relu", "avgpool", "flatten", "dense");
        assertThat(graph.nodes()).extracting(ModelNode::outputShape).containsExactly(List.of(6, 16, 16),
                List.of(6, 16, 16), List.of(6, 16, 16), List.of(6, 8, 8), List.of(8, 4, 4), List.of(8, 4, 4),
                List.of(8, 4, 4), List.of(8, 4, 4), List.of(128), List.of(10));
        // conv1: 6 filters × 256 positions × (2·25 − 1 + 1); conv2: 8 × 16 × (2·54); fc: 10 × 256
        assertThat(graph.flops()).isEqualTo(6L * 256 * 50 + 8L * 16 * 108 + 10L * 256);
        assertThat(graph.gateGroups()).filteredOn(g -> g.kind().equals(GateGroup.CONV_FEATURE_MAPS))
                .allSatisfy(g -> {
                    assertThat(g.gateable()).isTrue();
                    assertThat(g.reason()).contains("BatchNormalization → Relu");
                });
    }

    @Test
    void residualStreamIsNotGatedButTheBlockInsideIs() throws Exception {
        ModelGraph graph = read("resnet_small");
        assertThat(graph.nodes()).extracting(ModelNode::kind).contains("add", "globalavgpool", "flatten");
        ModelNode add = graph.nodes().stream().filter(n -> n instanceof ModelNode.ResidualAdd).findFirst()
                .orElseThrow();
        assertThat(add.inputs()).hasSize(2);
        assertThat(graph.gateGroups()).filteredOn(g -> g.kind().equals(GateGroup.CONV_FEATURE_MAPS))
                .extracting(GateGroup::layer, GateGroup::gateable).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("/stem/Conv", false),
                        org.assertj.core.groups.Tuple.tuple("/block/conv1/Conv", true),
                        org.assertj.core.groups.Tuple.tuple("/block/conv2/Conv", false));
    }

    @Test
    void unsupportedOperatorsAreEachNamed() {
        assertThatThrownBy(() -> read("bad_sigmoid")).isInstanceOfSatisfying(ModelRejectedException.class, e ->
                assertThat(e.problems()).singleElement().satisfies(p -> {
                    assertThat(p.node()).isEqualTo("/Sigmoid");
                    assertThat(p.opType()).isEqualTo("Sigmoid");
                    assertThat(p.message()).contains("not supported");
                }));
        assertThatThrownBy(() -> read("bad_lstm")).isInstanceOfSatisfying(ModelRejectedException.class, e ->
                assertThat(e.problems()).extracting(ModelProblem::opType)
                        .contains("LSTM", "Transpose", "Squeeze", "ConstantOfShape")
                        .doesNotContain("Gemm", "Constant"));
    }

    @Test
    void truncatedFileIsRefused() {
        assertThatThrownBy(() -> read("bad_truncated")).isInstanceOf(ModelRejectedException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void notOnnxIsRefused() {
        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream("name,label\n1,2\n".getBytes())))
                .isInstanceOf(ModelRejectedException.class).hasMessageContaining("not an ONNX model");
    }

    @Test
    void dynamicDimensionOtherThanTheBatchIsRefusedNamingIt() {
        assertThatThrownBy(() -> read("bad_dynamic_width")).isInstanceOfSatisfying(ModelRejectedException.class,
                e -> assertThat(e.problems()).anySatisfy(p -> {
                    assertThat(p.tensor()).isEqualTo("input");
                    assertThat(p.message()).contains("dimension 3 is dynamic ('width')");
                }));
    }

    @Test
    void opsetOutsideTheRangeIsRefused() throws Exception {
        OnnxMl.ModelProto model = proto("mlp_gemm").toBuilder().setOpsetImport(0,
                OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(5)).build();
        assertThatThrownBy(() -> read(model)).hasMessageContaining("opset 5 is outside the supported range 7–21");
    }

    @Test
    void externalDataIsRefusedNamingTheTensor() throws Exception {
        OnnxMl.ModelProto model = proto("mlp_gemm");
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        int k = indexOfInitializer(graph, "fc2.weight");
        graph.setInitializer(k, graph.getInitializer(k).toBuilder().clearRawData()
                .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin")));
        assertThatThrownBy(() -> read(model.toBuilder().setGraph(graph).build()))
                .isInstanceOfSatisfying(ModelRejectedException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> {
                            assertThat(p.tensor()).isEqualTo("fc2.weight");
                            assertThat(p.message()).contains("external file ('w.bin')");
                        }));
    }

    @Test
    void cycleIsRefusedNamingItsNodes() throws Exception {
        OnnxMl.ModelProto model = proto("mlp_gemm");
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        // the first Relu reads the second Relu's output: fc2 → relu_1 → relu → fc2
        graph.setNode(1, graph.getNode(1).toBuilder().setInput(0, "/Relu_1_output_0"));
        assertThatThrownBy(() -> read(model.toBuilder().setGraph(graph).build()))
                .isInstanceOfSatisfying(ModelRejectedException.class, e -> assertThat(e.problems())
                        .extracting(ModelProblem::node).contains("/Relu", "/fc2/Gemm", "/Relu_1"))
                .hasMessageContaining("cycle");
    }

    @Test
    void secondGraphInputIsRefusedButInitializersListedAsInputsAreNot() throws Exception {
        OnnxMl.ModelProto model = proto("mlp_gemm");
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        // old exporters list initializers as inputs too: still one input
        graph.addInput(OnnxMl.ValueInfoProto.newBuilder().setName("fc1.weight")
                .setType(model.getGraph().getInput(0).getType()));
        assertThat(read(model.toBuilder().setGraph(graph).build()).inputName()).isEqualTo("input");
        graph.addInput(model.getGraph().getInput(0).toBuilder().setName("mask"));
        assertThatThrownBy(() -> read(model.toBuilder().setGraph(graph).build()))
                .hasMessageContaining("the graph has 2 inputs [input, mask]; exactly one is supported");
    }

    @Test
    void weightThatContradictsItsInputIsRefusedNamingNodeAndTensor() throws Exception {
        OnnxMl.ModelProto model = proto("mlp_gemm");
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        int k = indexOfInitializer(graph, "fc2.weight");
        // [16, 32] → [16, 31]: one input column too few, the data cut to match
        OnnxMl.TensorProto w = graph.getInitializer(k);
        graph.setInitializer(k, w.toBuilder().setDims(1, 31)
                .setRawData(w.getRawData().substring(0, 16 * 31 * 4)));
        assertThatThrownBy(() -> read(model.toBuilder().setGraph(graph).build()))
                .isInstanceOfSatisfying(ModelRejectedException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> {
                            assertThat(p.node()).isEqualTo("/fc2/Gemm");
                            assertThat(p.opType()).isEqualTo("Gemm");
                            assertThat(p.tensor()).isEqualTo("fc2.weight");
                            assertThat(p.message()).contains("[16, 31]").contains("32 features");
                        }));
    }

    @Test
    void convWeightForOtherChannelsIsRefused() throws Exception {
        OnnxMl.ModelProto model = proto("cnn_bn_kept");
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        int k = indexOfInitializer(graph, "conv2.weight");
        OnnxMl.TensorProto w = graph.getInitializer(k);
        graph.setInitializer(k, w.toBuilder().setDims(1, 5).setRawData(w.getRawData().substring(0, 8 * 5 * 9 * 4)));
        assertThatThrownBy(() -> read(model.toBuilder().setGraph(graph).build()))
                .hasMessageContaining("node '/conv2/Conv' (Conv), tensor 'conv2.weight'")
                .hasMessageContaining("5 input channels but the input has 6 channels");
    }

    @Test
    void tensorWhoseDataDoesNotFitItsDimensionsIsRefused() throws Exception {
        OnnxMl.ModelProto model = proto("mlp_gemm");
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        int k = indexOfInitializer(graph, "fc3.bias");
        graph.setInitializer(k, graph.getInitializer(k).toBuilder().setRawData(ByteString.copyFrom(new byte[7])));
        assertThatThrownBy(() -> read(model.toBuilder().setGraph(graph).build()))
                .hasMessageContaining("tensor 'fc3.bias'").hasMessageContaining("holds 7 bytes");
    }

    @Test
    void moreParametersThanTheLimitAreRefused() throws Exception {
        long parameters = FACTS.get("mlp_gemm").get("parameters").asLong();
        OnnxModelReader tight = new OnnxModelReader(new OnnxModelReader.Limits(1 << 20, parameters - 1, 7, 21));
        assertThatThrownBy(() -> tight.read(DIR.resolve("mlp_gemm.onnx")))
                .hasMessageContaining("the model has " + parameters + " parameters, more than the limit "
                        + (parameters - 1));
        assertThat(new OnnxModelReader(new OnnxModelReader.Limits(1 << 20, parameters, 7, 21))
                .read(DIR.resolve("mlp_gemm.onnx")).parameters()).isEqualTo(parameters);
    }

    @Test
    void fileLargerThanTheLimitIsRefusedWhileReading() {
        OnnxModelReader small = new OnnxModelReader(new OnnxModelReader.Limits(1000, 1_000_000, 7, 21));
        assertThatThrownBy(() -> small.read(DIR.resolve("mlp_gemm.onnx"))).isInstanceOf(ModelRejectedException.class);
    }

    @Test
    void softmaxInsideTheNetworkIsRefused() throws Exception {
        OnnxMl.ModelProto model = proto("mlp_gemm");
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        graph.setNode(1, graph.getNode(1).toBuilder().setOpType("Softmax"));
        assertThatThrownBy(() -> read(model.toBuilder().setGraph(graph).build()))
                .hasMessageContaining("node '/Relu' (Softmax): is supported only at the model's output");
    }

    static OnnxMl.ModelProto proto(String name) throws IOException {
        return OnnxMl.ModelProto.parseFrom(Files.readAllBytes(DIR.resolve(name + ".onnx")));
    }

    private ModelGraph read(OnnxMl.ModelProto model) throws IOException {
        return reader.read(new ByteArrayInputStream(model.toByteArray()));
    }

    private static int indexOfInitializer(OnnxMl.GraphProto.Builder graph, String name) {
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            if (graph.getInitializer(i).getName().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no initializer " + name);
    }

    private static List<Integer> perExample(JsonNode shape) {
        return java.util.stream.IntStream.range(1, shape.size()).mapToObj(i -> shape.get(i).asInt()).toList();
    }
}

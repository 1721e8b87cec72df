package io.l0sparsify.export;

import io.l0sparsify.testing.ReferenceForward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OnnxExporterTest {

    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(ints = {1, 7})
    void mlpLogitsInOnnxRuntimeMatchReferenceForward(int batch) {
        PrunedNetwork network = TestNetworks.mlp(11);
        float[] inputs = TestNetworks.inputs(network, batch, 100 + batch);

        float[][] onnx = OnnxRuntimeRunner.run(OnnxExporter.export(network, "mlp", TestNetworks.MNIST), inputs, batch);

        assertClose(ReferenceForward.logits(network, inputs, batch), onnx);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7})
    void lenetLogitsInOnnxRuntimeMatchReferenceForward(int batch) {
        PrunedNetwork network = TestNetworks.lenet(12);
        float[] inputs = TestNetworks.inputs(network, batch, 200 + batch);

        float[][] onnx = OnnxRuntimeRunner.run(OnnxExporter.export(network, "lenet", TestNetworks.MNIST), inputs,
                batch);

        assertClose(ReferenceForward.logits(network, inputs, batch), onnx);
    }

    @Test
    void gatherSelectsTheKeptInputsSoThatRemovedPixelsDoNotChangeTheLogits() {
        PrunedNetwork network = TestNetworks.mlp(13);
        byte[] model = OnnxExporter.export(network, "mlp", TestNetworks.MNIST);
        float[] inputs = TestNetworks.inputs(network, 1, 5);
        float[] perturbed = inputs.clone();
        int[] kept = ((PrunedLayer.Dense) network.layers().get(0)).keptInputs();
        Set<Integer> keptSet = java.util.Arrays.stream(kept).boxed().collect(Collectors.toSet());
        int changedPixel = -1;
        for (int i = 0; i < perturbed.length; i++) {
            if (!keptSet.contains(i)) {
                perturbed[i] = 1000f;
                changedPixel = i;
            }
        }
        assertTrue(changedPixel >= 0);
        float[][] original = OnnxRuntimeRunner.run(model, inputs, 1);

        assertClose(original, OnnxRuntimeRunner.run(model, perturbed, 1));
        float[] keptPerturbed = inputs.clone();
        keptPerturbed[kept[0]] += 1000f;
        assertTrue(maxAbsDifference(original, OnnxRuntimeRunner.run(model, keptPerturbed, 1)) > 1e-2,
                "a kept pixel must change the logits");
    }

    @Test
    void inputAndOutputAreFloat32WithNamedShapesAndADynamicBatchDimension() throws Exception {
        PrunedNetwork network = TestNetworks.lenet(14);
        byte[] model = OnnxExporter.export(network, "lenet", TestNetworks.MNIST);

        OrtEnvironment env = OnnxRuntimeRunner.environment();
        try (OrtSession session = env.createSession(model)) {
            assertEquals(Set.of("input"), session.getInputNames());
            assertEquals(Set.of("logits"), session.getOutputNames());
            TensorInfo input = tensorInfo(session.getInputInfo().get("input"));
            TensorInfo output = tensorInfo(session.getOutputInfo().get("logits"));
            assertEquals(OnnxJavaType.FLOAT, input.type);
            assertEquals(OnnxJavaType.FLOAT, output.type);
            assertEquals(List.of(-1L, 1L, 28L, 28L), boxed(input.getShape()));
            assertEquals(List.of(-1L, 10L), boxed(output.getShape()));
        }
        OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(model);
        assertEquals("batch", proto.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0)
                .getDimParam());
        assertEquals("batch", proto.getGraph().getOutput(0).getType().getTensorType().getShape().getDim(0)
                .getDimParam());
        assertTrue(proto.getDocString().contains(TestNetworks.MNIST.preprocessing().describe()), proto.getDocString());
        Map<String, String> metadata = proto.getMetadataPropsList().stream()
                .collect(Collectors.toMap(OnnxMl.StringStringEntryProto::getKey,
                        OnnxMl.StringStringEntryProto::getValue));
        assertEquals(network.architecture(), metadata.get("architecture"));
        assertEquals(Long.toString(network.flops()), metadata.get("flops"));
        assertEquals(Double.toString(1.0 / 255.0), metadata.get("l0.preprocessing.scale"));
        assertEquals("[0.0]", metadata.get("l0.preprocessing.mean"));
        assertEquals("[1.0]", metadata.get("l0.preprocessing.std"));
        assertEquals("channel-first", metadata.get("l0.preprocessing.layout"));
        assertEquals(TestNetworks.MNIST.preprocessing().describe(), metadata.get("l0.preprocessing.description"));
        assertEquals("[1,28,28]", metadata.get("l0.input_shape"));
        assertEquals("[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]",
                metadata.get("l0.class_names"));
    }

    @Test
    void conventionsThatDoNotFitTheNetworkAreRefusedNamingTheField() {
        PrunedNetwork lenet = TestNetworks.lenet(14);
        DataConventions threeChannels = new DataConventions(new io.l0sparsify.dataset.Preprocessing(1,
                List.of(0.1, 0.2, 0.3), List.of(1.0, 1.0, 1.0)), List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExporter.export(lenet, "m", threeChannels));
        assertTrue(e.getMessage().startsWith("preprocessing: 3 means"), e.getMessage());
        DataConventions elevenClasses = new DataConventions(TestNetworks.MNIST.preprocessing(),
                java.util.stream.IntStream.range(0, 11).mapToObj(Integer::toString).toList());
        e = assertThrows(IllegalArgumentException.class, () -> OnnxExporter.export(lenet, "m", elevenClasses));
        assertTrue(e.getMessage().startsWith("classNames: 11 names"), e.getMessage());
    }

    @Test
    void modelDeclaresOpset17AndUsesOnlyStandardOperators() throws Exception {
        OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(OnnxExporter.export(TestNetworks.lenet(15), "m",
                TestNetworks.MNIST));

        assertEquals(1, proto.getOpsetImportCount());
        assertEquals("", proto.getOpsetImport(0).getDomain());
        assertEquals(17, proto.getOpsetImport(0).getVersion());
        Set<String> ops = new java.util.TreeSet<>();
        for (OnnxMl.NodeProto node : proto.getGraph().getNodeList()) {
            assertEquals("", node.getDomain(), node.getOpType());
            ops.add(node.getOpType());
        }
        assertEquals(Set.of("Conv", "Relu", "MaxPool", "Flatten", "Transpose", "Gather", "Gemm", "Identity"), ops);
    }

    @Test
    void graphInitializersHaveExactlyThePrunedShapes() {
        PrunedNetwork network = TestNetworks.lenet(16);

        Map<String, Map<String, List<Long>>> shapes =
                OnnxExporter.initializerShapes(OnnxExporter.export(network, "lenet", TestNetworks.MNIST));

        Map<String, Map<String, List<Long>>> expected = new LinkedHashMap<>();
        for (PrunedLayer layer : network.layers()) {
            switch (layer) {
                case PrunedLayer.Conv2d c -> expected.put(c.name(), Map.of(
                        "weight", List.of((long) c.filters(), (long) c.inChannels(), (long) c.kernel(),
                                (long) c.kernel()),
                        "bias", List.of((long) c.filters())));
                case PrunedLayer.Dense d -> {
                    Map<String, List<Long>> roles = new LinkedHashMap<>();
                    if (d.gather() != null) {
                        roles.put("gather", List.of((long) d.gather().length));
                    }
                    roles.put("weight", List.of((long) d.units(), (long) d.inputs()));
                    roles.put("bias", List.of((long) d.units()));
                    expected.put(d.name(), roles);
                }
                // no initializers
                case PrunedLayer.MaxPool _, PrunedLayer.AvgPool _, PrunedLayer.Relu _, PrunedLayer.Flatten _, PrunedLayer.BatchNorm _, PrunedLayer.GlobalAvgPool _, PrunedLayer.Residual _ -> { }
            }
        }
        assertEquals(expected, shapes);
        assertEquals(List.of(3L, 1L, 5L, 5L), shapes.get("conv0").get("weight"));
        assertEquals(List.of(4L, 3L, 4L, 4L), shapes.get("conv1").get("weight"));
        assertEquals(List.of(12L, 25L), shapes.get("dense0").get("weight"));
        long parameters = shapes.values().stream().flatMap(m -> m.entrySet().stream())
                .filter(e -> !e.getKey().equals("gather"))
                .mapToLong(e -> e.getValue().stream().reduce(1L, (a, b) -> a * b)).sum();
        assertEquals(network.parameterCount(), parameters);
    }

    @Test
    void denseLayerAfterAConvOutputIsFlattenedImplicitly() {
        PrunedNetwork lenet = TestNetworks.lenet(17);
        List<PrunedLayer> layers = new ArrayList<>(lenet.layers());
        layers.removeIf(l -> switch (l) {
            case PrunedLayer.Flatten _ -> true;
            case PrunedLayer.Dense _, PrunedLayer.Conv2d _, PrunedLayer.MaxPool _, PrunedLayer.AvgPool _, PrunedLayer.Relu _, PrunedLayer.BatchNorm _, PrunedLayer.GlobalAvgPool _, PrunedLayer.Residual _ -> false;
        });
        PrunedNetwork withoutFlatten = new PrunedNetwork(lenet.inputShape(), layers, lenet.numClasses());
        float[] inputs = TestNetworks.inputs(lenet, 3, 9);

        float[][] onnx = OnnxRuntimeRunner.run(OnnxExporter.export(withoutFlatten, "m", TestNetworks.MNIST), inputs, 3);

        assertClose(ReferenceForward.logits(lenet, inputs, 3), onnx);
    }

    @Test
    void exportRejectsAWeightOfTheWrongLengthNamingTheLayerAndField() {
        PrunedNetwork mlp = TestNetworks.mlp(18);
        List<PrunedLayer> layers = new ArrayList<>(mlp.layers());
        PrunedLayer.Dense d = (PrunedLayer.Dense) layers.get(2);
        layers.set(2, new PrunedLayer.Dense(d.name(), d.gated(), d.originalInputs(), d.originalUnits(),
                d.keptInputs(), d.keptUnits(), d.gather(), java.util.Arrays.copyOf(d.weight(), 7), d.bias()));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExporter.export(new PrunedNetwork(mlp.inputShape(), layers, 10), "m", TestNetworks.MNIST));

        assertTrue(e.getMessage().startsWith("layers[2] (dense1).weight:"), e.getMessage());
    }

    @Test
    void exportRejectsAConvWhoseInputChannelsDoNotMatchThePreviousLayer() {
        PrunedNetwork lenet = TestNetworks.lenet(19);
        List<PrunedLayer> layers = new ArrayList<>(lenet.layers());
        layers.remove(0);
        layers.remove(0);
        layers.remove(0);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExporter.export(new PrunedNetwork(lenet.inputShape(), layers, 10), "m", TestNetworks.MNIST));

        assertTrue(e.getMessage().startsWith("layers[0] (conv1).keptInputs:"), e.getMessage());
    }

    static void assertClose(float[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length, "batch");
        for (int b = 0; b < expected.length; b++) {
            assertEquals(expected[b].length, actual[b].length, "classes");
        }
        double diff = maxAbsDifference(expected, actual);
        assertTrue(diff <= TOLERANCE, "max |Δ| = " + diff);
    }

    static double maxAbsDifference(float[][] a, float[][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return max;
    }

    private static TensorInfo tensorInfo(NodeInfo info) {
        return (TensorInfo) info.getInfo();
    }

    private static List<Long> boxed(long[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}

package io.l0sparsify.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl;
import io.l0sparsify.api.OpenApiContract;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.l0.GatedLayer;
import io.l0sparsify.l0.L0Network;
import io.l0sparsify.l0.L0Trainer;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingResult;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import io.l0sparsify.prune.PrunedNetworkRunner;
import io.l0sparsify.prune.Pruner;
import io.l0sparsify.spec.LayerSpec.AvgPool;
import io.l0sparsify.spec.LayerSpec.BatchNorm;
import io.l0sparsify.spec.LayerSpec.Conv2d;
import io.l0sparsify.spec.LayerSpec.Dense;
import io.l0sparsify.spec.LayerSpec.Flatten;
import io.l0sparsify.spec.LayerSpec.MaxPool;
import io.l0sparsify.spec.LayerSpec.Relu;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.SpecLimits;
import io.l0sparsify.testing.Inputs;
import io.l0sparsify.testing.Mnist;
import io.l0sparsify.testing.ReferenceForward;
import io.l0sparsify.testing.Logits;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A convolutional network with a dilated convolution, padded max pooling and padded average pooling (with and
 * without the padding in the divisor), trained a few steps on an MNIST slice, half its gates closed, pruned and
 * exported: ONNX Runtime on model.onnx, the pruned network on DJL and weights.json read back and run from its
 * definition all give the gated DJL network's logits. The pooling keeps every channel that arrives, so the kept
 * filters of each gated convolution are exactly the next convolution's input channels.
 */
class PoolingExportTest {

    /**
     * conv 8 (3×3, dilation 2, padding 2) → ReLU → maxpool 3/2 padding 1 → conv 12 (gates after its BN) → BN →
     * ReLU → avgpool 3/2 padding 1 without the padding in the divisor → conv 16 (dilation 2) → ReLU → avgpool 2/2
     * padding 1 with it → flatten → dense 10. Maps: 28 → 28 → 14 → 14 → 7 → 7 → 4.
     */
    static final ModelSpec SPEC = ModelSpec.of(List.of(1, 28, 28), List.of(
            new Conv2d(8, 3, 1, 2, 2, true), new Relu(), new MaxPool(3, 2, 1),
            new Conv2d(12, 3, 1, 1, true), new BatchNorm(), new Relu(), new AvgPool(3, 2, 1, false),
            new Conv2d(16, 3, 1, 2, 2, true), new Relu(), new AvgPool(2, 2, 1, true),
            new Flatten(), new Dense(10, false)), SpecLimits.DEFAULT);

    private static TrainingData data;
    private static TrainingResult result;
    private static float[][] gated;
    private static PrunedNetwork halved;
    private static float[][] halvedGated;

    @BeforeAll
    static void train() {
        data = Mnist.full().head(500, 100);
        TrainingOptions config = TrainingOptions.builder().optEpochs(1).optBatchSize(50).optLearningRate(0.01)
                .optInitialDropRates(List.of(0.3)).optEmaDecay(0).optSeed(11).build();
        result = new L0Trainer().train(SPEC, config, data, RunListener.NONE, null);
        Examples test = data.test();
        float[] inputs = Inputs.of(test, data.preprocessing());
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            L0Network network = L0Network.restore(SPEC, config, manager, result.gatedParameters());
            NDArray x = manager.create(inputs, network.inputShape(test.size()));
            gated = Logits.rows(network.predict(x).toFloatArray(), (int) x.getShape().get(0));
            for (GatedLayer layer : network.weightedLayers()) {
                if (layer.gated()) {
                    float[] logAlpha = layer.logAlpha().getArray().toFloatArray();
                    float[] sorted = logAlpha.clone();
                    Arrays.sort(sorted);
                    for (int g = 0; g < logAlpha.length; g++) {
                        logAlpha[g] = logAlpha[g] < sorted[sorted.length / 2] ? -10f : logAlpha[g];
                    }
                    layer.logAlpha().getArray().set(FloatBuffer.wrap(logAlpha));
                }
            }
            halved = Pruner.prune(SPEC, network.snapshot());
            halvedGated = Logits.rows(network.predict(x).toFloatArray(), (int) x.getShape().get(0));
        }
    }

    @Test
    void shapesFollowPyTorchsFormulas() {
        assertThat(SPEC.outputShapes().subList(0, 10).stream().map(shape -> shape[1]).toList())
                .containsExactly(28, 28, 14, 14, 14, 14, 7, 7, 7, 4);
        assertThat(SPEC.outputShapes().get(10)).containsExactly(16 * 4 * 4);
        assertThat(result.dense().parameterCount()).isEqualTo(SPEC.parameterCount());
    }

    @Test
    void prunedNetworkGivesTheGatedLogitsOnOnnxRuntimeDjlAndWeightsJson() {
        assertThat(result.prunedTestError()).isEqualTo(result.gatedTestError());
        assertThat(halved.architecture()).isEqualTo("4-6-8");
        float[] inputs = Inputs.of(data.test(), data.preprocessing());
        int n = data.test().size();
        byte[] trained = OnnxExporter.export(result.pruned(), "pooling", TestNetworks.MNIST);
        assertThat(Logits.maxDifference(gated, OnnxRuntimeRunner.run(trained, inputs, n))).isLessThan(1e-4);

        byte[] onnx = OnnxExporter.export(halved, "pooling-halved", TestNetworks.MNIST);
        assertThat(Logits.maxDifference(halvedGated, OnnxRuntimeRunner.run(onnx, inputs, n))).isLessThan(1e-4);
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                PrunedNetworkRunner runner = new PrunedNetworkRunner(halved, manager)) {
            float[] logits = runner.forward(manager.create(inputs, new Shape(n, 1, 28, 28))).toFloatArray();
            assertThat(Logits.maxDifference(halvedGated, Logits.rows(logits, n))).isLessThan(1e-4);
        }
        byte[] json = WeightsJson.write(halved, TestNetworks.MNIST);
        assertThat(OpenApiContract.instance().schemaViolations("WeightsFile",
                new String(json, StandardCharsets.UTF_8))).isEmpty();
        PrunedNetwork read = WeightsJson.read(json);
        WeightsJsonTest.assertSameNetwork(halved, read);
        assertThat(Logits.maxDifference(halvedGated, ReferenceForward.logits(read, inputs, n))).isLessThan(1e-4);

        // the kept filters of each gated conv are the next conv's input channels: pooling passes them through
        PrunedLayer.Conv2d second = (PrunedLayer.Conv2d) halved.layers().get(3);
        PrunedLayer.Conv2d third = (PrunedLayer.Conv2d) halved.layers().get(7);
        assertThat(second.inChannels()).isEqualTo(4);
        assertThat(third.inChannels()).isEqualTo(6);
        assertThat(third.dilation()).isEqualTo(2);
        Map<String, Map<String, List<Long>>> shapes = OnnxExporter.initializerShapes(onnx);
        assertThat(shapes.get(third.name()).get("weight")).containsExactly(8L, 6L, 3L, 3L);
    }

    @Test
    void onnxCarriesPadsDilationsAndCountIncludePad() throws Exception {
        OnnxMl.GraphProto graph = OnnxMl.ModelProto.parseFrom(OnnxExporter.export(halved, "p", TestNetworks.MNIST))
                .getGraph();
        Map<String, List<OnnxMl.NodeProto>> byType = graph.getNodeList().stream()
                .collect(Collectors.groupingBy(OnnxMl.NodeProto::getOpType));
        OnnxMl.NodeProto maxPool = byType.get("MaxPool").getFirst();
        assertThat(ints(maxPool, "pads")).containsExactly(1L, 1L, 1L, 1L);
        List<OnnxMl.NodeProto> averages = byType.get("AveragePool");
        assertThat(averages).hasSize(2);
        assertThat(ints(averages.get(0), "pads")).containsExactly(1L, 1L, 1L, 1L);
        assertThat(attribute(averages.get(0), "count_include_pad").getI()).isZero();
        assertThat(ints(averages.get(0), "kernel_shape")).containsExactly(3L, 3L);
        assertThat(attribute(averages.get(1), "count_include_pad").getI()).isOne();
        assertThat(ints(averages.get(1), "strides")).containsExactly(2L, 2L);
        // the second conv is folded with its batch normalization and keeps dilation 1
        assertThat(byType.get("Conv").stream().map(conv -> ints(conv, "dilations").getFirst()).toList())
                .containsExactly(2L, 1L, 2L);
    }

    private static List<Long> ints(OnnxMl.NodeProto node, String name) {
        return attribute(node, name).getIntsList();
    }

    private static OnnxMl.AttributeProto attribute(OnnxMl.NodeProto node, String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(node.getName() + " has no " + name));
    }


}

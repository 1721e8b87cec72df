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
import io.l0sparsify.spec.LayerSpec.BatchNorm;
import io.l0sparsify.spec.LayerSpec.Conv2d;
import io.l0sparsify.spec.LayerSpec.Dense;
import io.l0sparsify.spec.LayerSpec.Dropout;
import io.l0sparsify.spec.LayerSpec.GlobalAvgPool;
import io.l0sparsify.spec.LayerSpec.Relu;
import io.l0sparsify.spec.LayerSpec.Residual;
import io.l0sparsify.spec.LayerSpec.Shortcut;
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
 * A small residual network with batch normalization, a projection shortcut and global average pooling, trained a
 * few steps on an MNIST slice, pruned and exported: ONNX Runtime on model.onnx gives the gated DJL network's logits
 * on every test example, and so does weights.json read back and run from its definition.
 */
class ResidualExportTest {

    /**
     * conv 8 (stride 2) → BN → ReLU → pre-activation block to 16 (stride-2 projection, dropout inside) →
     * post-activation block (identity) → ReLU → BN → ReLU → GAP → dense 10. The conv → BN pairs fold into Convs;
     * the BN that starts the first body and the one after the second block's Add stay BatchNormalization nodes.
     */
    static final ModelSpec SPEC = ModelSpec.of(List.of(1, 28, 28), List.of(
            new Conv2d(8, 3, 2, 1, false), new BatchNorm(), new Relu(),
            new Residual(List.of(new BatchNorm(), new Relu(), new Conv2d(16, 3, 2, 1, true), new BatchNorm(),
                    new Relu(), new Dropout(0.1), new Conv2d(16, 3, 1, 1, false)), new Shortcut.Projection(2)),
            new Residual(List.of(new Conv2d(16, 3, 1, 1, true), new BatchNorm(), new Relu(),
                    new Conv2d(16, 3, 1, 1, false), new BatchNorm()), new Shortcut.Identity()),
            new Relu(), new BatchNorm(), new Relu(), new GlobalAvgPool(), new Dense(10, false)), SpecLimits.DEFAULT);

    private static TrainingData data;
    private static TrainingOptions config;
    private static TrainingResult result;
    /** The gated network's logits on the test split, with the trained gates. */
    private static float[][] gated;
    /** The trained network with the lower half of every gated layer's log α closed, pruned, and its logits. */
    private static PrunedNetwork halved;
    private static float[][] halvedGated;

    @BeforeAll
    static void train() {
        data = Mnist.full().head(2000, 200);
        // the paper's WRN drop rate; no parameter average, which over these few steps would lag far behind
        config = TrainingOptions.builder().optEpochs(3).optBatchSize(50).optLearningRate(0.01)
                .optInitialDropRates(List.of(0.3)).optEmaDecay(0).optSeed(5).build();
        result = new L0Trainer().train(SPEC, config, data, RunListener.NONE, null);
        Examples test = data.test();
        float[] inputs = Inputs.of(test, data.preprocessing());
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            L0Network network = L0Network.restore(SPEC, config, manager, result.gatedParameters());
            NDArray x = manager.create(inputs, network.inputShape(test.size()));
            gated = Logits.rows(network.predict(x).toFloatArray(), (int) x.getShape().get(0));
            // a few steps close no gate; closing half of them makes the removal real
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
    void prunedResidualNetworkIsSmallerAndItsOnnxGivesTheGatedLogitsOnEveryTestExample() {
        System.out.println("residual network trained to test error " + result.gatedTestError() + ", pruned to "
                + result.pruned().architecture() + "; halved: " + halved.architecture() + ", "
                + halved.parameterCount() + " of " + result.dense().parameterCount() + " parameters");
        assertThat(result.dense().parameterCount()).isEqualTo(SPEC.parameterCount());
        assertThat(result.prunedTestError()).isEqualTo(result.gatedTestError());
        assertThat(halved.architecture()).isEqualTo("8-8");
        assertThat(halved.parameterCount()).isLessThan(result.dense().parameterCount());
        assertThat(halved.flops()).isLessThan(result.dense().flops());

        float[] inputs = Inputs.of(data.test(), data.preprocessing());
        int n = data.test().size();
        byte[] trainedOnnx = OnnxExporter.export(result.pruned(), "resnet", TestNetworks.MNIST);
        assertThat(Logits.maxDifference(gated, OnnxRuntimeRunner.run(trainedOnnx, inputs, n))).isLessThan(1e-4);
        byte[] denseOnnx = OnnxExporter.export(result.dense(), "resnet-dense", TestNetworks.MNIST);
        assertThat(Logits.maxDifference(gated, OnnxRuntimeRunner.run(denseOnnx, inputs, n))).isLessThan(1e-4);
        byte[] onnx = OnnxExporter.export(halved, "resnet-halved", TestNetworks.MNIST);
        assertThat(Logits.maxDifference(halvedGated, OnnxRuntimeRunner.run(onnx, inputs, n))).isLessThan(1e-4);
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                PrunedNetworkRunner runner = new PrunedNetworkRunner(halved, manager)) {
            float[] logits = runner.forward(manager.create(inputs, new Shape(n, 1, 28, 28))).toFloatArray();
            assertThat(Logits.maxDifference(halvedGated, Logits.rows(logits, n))).isLessThan(1e-4);
        }

        Map<String, Long> operators = operators(onnx);
        // conv0 + BN, the conv + BN in each body and the second body's last conv + BN fold: 4 of 6 BNs
        assertThat(operators).containsEntry("BatchNormalization", 2L).containsEntry("Add", 2L)
                .containsEntry("GlobalAveragePool", 1L).containsEntry("Conv", 6L);
        // the first body's gated conv keeps its open filters and the next conv reads only those
        PrunedLayer.Residual first = (PrunedLayer.Residual) halved.layers().get(3);
        PrunedLayer.Conv2d inner = (PrunedLayer.Conv2d) first.body().get(2);
        assertThat(inner.filters()).isEqualTo(8);
        Map<String, Map<String, List<Long>>> shapes = OnnxExporter.initializerShapes(onnx);
        assertThat(shapes.get(inner.name()).get("weight")).containsExactly(8L, 8L, 3L, 3L);
        // (the dropout has no place in the pruned network)
        assertThat(shapes.get(first.body().get(5).name()).get("weight")).containsExactly(16L, 8L, 3L, 3L);
        assertThat(shapes.get(first.name() + ".shortcut").get("weight")).containsExactly(16L, 8L, 1L, 1L);
    }

    @Test
    void weightsJsonOfAResidualNetworkRoundTripsValidatesAndComputesTheGatedLogits() {
        byte[] json = WeightsJson.write(halved, TestNetworks.MNIST);
        assertThat(OpenApiContract.instance().schemaViolations("WeightsFile",
                new String(json, StandardCharsets.UTF_8))).isEmpty();
        PrunedNetwork read = WeightsJson.read(json);
        WeightsJsonTest.assertSameNetwork(halved, read);

        float[] inputs = Inputs.of(data.test(), data.preprocessing());
        assertThat(Logits.maxDifference(halvedGated, ReferenceForward.logits(read, inputs, data.test().size())))
                .isLessThan(1e-4);
    }

    @Test
    void aBrokenResidualLayerInWeightsJsonIsNamed() {
        String json = new String(WeightsJson.write(halved, TestNetworks.MNIST), StandardCharsets.UTF_8);
        String broken = json.replaceFirst("\"runningVar\":\\[", "\"runningVar\":[1.0,");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> WeightsJson.read(broken.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("runningVar").hasMessageContaining("layers[1]");
    }



    private static Map<String, Long> operators(byte[] onnx) {
        try {
            return OnnxMl.ModelProto.parseFrom(onnx).getGraph().getNodeList().stream()
                    .collect(Collectors.groupingBy(OnnxMl.NodeProto::getOpType, Collectors.counting()));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}

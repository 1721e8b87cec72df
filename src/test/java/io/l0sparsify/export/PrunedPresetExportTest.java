package io.l0sparsify.export;

import io.l0sparsify.testing.ReferenceForward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.l0sparsify.prune.LayerParameters;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import io.l0sparsify.prune.PrunedNetworkRunner;
import io.l0sparsify.prune.Pruner;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.Presets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The paper's two networks with random weights and most gates closed, pruned by the project's
 * {@link Pruner}: the exported pruned model computes what the exported dense (gates folded) model and the
 * pruned network in DJL compute, and its ONNX graph has exactly the pruned shapes.
 */
class PrunedPresetExportTest {

    static Stream<Arguments> presets() {
        return Stream.of(Arguments.of("mlp", Presets.MLP), Arguments.of("lenet5-caffe", Presets.LENET5_CAFFE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void prunedAndDenseOnnxModelsGiveTheSameLogitsAsTheReferenceForward(String name, ModelSpec spec) {
        List<LayerParameters> parameters = randomParameters(spec, 0.7, new SplittableRandom(61));
        PrunedNetwork pruned = Pruner.prune(spec, parameters);
        PrunedNetwork dense = Pruner.foldGates(spec, parameters);
        assertTrue(pruned.flops() * 2 < dense.flops(), "most gates closed: " + pruned.architecture());
        float[] inputs = TestNetworks.inputs(pruned, 7, 62);

        float[][] prunedLogits = OnnxRuntimeRunner.run(OnnxExporter.export(pruned, name, TestNetworks.MNIST), inputs,
                7);
        float[][] denseLogits = OnnxRuntimeRunner.run(OnnxExporter.export(dense, name, TestNetworks.MNIST), inputs, 7);

        OnnxExporterTest.assertClose(ReferenceForward.logits(pruned, inputs, 7), prunedLogits);
        OnnxExporterTest.assertClose(denseLogits, prunedLogits);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void onnxRuntimeLogitsMatchThePrunedDjlNetwork(String name, ModelSpec spec) {
        PrunedNetwork pruned = Pruner.prune(spec, randomParameters(spec, 0.7, new SplittableRandom(64)));
        float[] inputs = TestNetworks.inputs(pruned, 7, 65);
        long[] shape = Stream.concat(Stream.of(7), pruned.inputShape().stream()).mapToLong(Integer::longValue)
                .toArray();

        float[][] djl = new float[7][];
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                PrunedNetworkRunner runner = new PrunedNetworkRunner(pruned, manager)) {
            float[] flat = runner.forward(manager.create(inputs, new Shape(shape))).toFloatArray();
            for (int b = 0; b < 7; b++) {
                djl[b] = Arrays.copyOfRange(flat, b * pruned.numClasses(), (b + 1) * pruned.numClasses());
            }
        }

        OnnxExporterTest.assertClose(djl, OnnxRuntimeRunner.run(OnnxExporter.export(pruned, name, TestNetworks.MNIST),
                inputs, 7));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void onnxGraphHasExactlyThePrunedShapes(String name, ModelSpec spec) {
        PrunedNetwork pruned = Pruner.prune(spec, randomParameters(spec, 0.7, new SplittableRandom(63)));

        Map<String, Map<String, List<Long>>> shapes = OnnxExporter.initializerShapes(OnnxExporter.export(pruned, name,
                TestNetworks.MNIST));

        long weighted = 0;
        for (PrunedLayer layer : pruned.layers()) {
            switch (layer) {
                case PrunedLayer.Dense d -> {
                    assertEquals(List.of((long) d.keptUnits().length, (long) d.keptInputs().length),
                            shapes.get(d.name()).get("weight"), d.name());
                    weighted++;
                }
                case PrunedLayer.Conv2d c -> {
                    assertEquals(List.of((long) c.keptFilters().length, (long) c.keptInChannels().length,
                            (long) c.kernel(), (long) c.kernel()), shapes.get(c.name()).get("weight"), c.name());
                    weighted++;
                }
                case PrunedLayer.MaxPool _, PrunedLayer.AvgPool _, PrunedLayer.Relu _, PrunedLayer.Flatten _, PrunedLayer.BatchNorm _, PrunedLayer.GlobalAvgPool _, PrunedLayer.Residual _ -> { }
            }
        }
        assertEquals(weighted, shapes.size());
    }

    /** Weights like a trained layer's, and gates ẑ of which {@code closed} (a fraction) are exactly zero. */
    private static List<LayerParameters> randomParameters(ModelSpec spec, double closed, SplittableRandom random) {
        List<LayerParameters> parameters = new ArrayList<>();
        for (int i = 0; i < spec.layers().size(); i++) {
            LayerSpec layer = spec.layers().get(i);
            int inputs = Arrays.stream(spec.inputShapeOf(i)).reduce(1, (a, b) -> a * b);
            switch (layer) {
                case LayerSpec.Dense d -> parameters.add(new LayerParameters(i,
                        values(d.units() * inputs, inputs, random), values(d.units(), 1, random),
                        d.gated() ? gates(inputs, closed, random) : null));
                case LayerSpec.Conv2d c -> {
                    int fanIn = spec.inputShapeOf(i)[0] * c.kernel() * c.kernel();
                    parameters.add(new LayerParameters(i, values(c.filters() * fanIn, fanIn, random),
                            values(c.filters(), 1, random), c.gated() ? gates(c.filters(), closed, random) : null));
                }
                case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Flatten _, LayerSpec.Dropout _, LayerSpec.BatchNorm _,
                        LayerSpec.GlobalAvgPool _, LayerSpec.Residual _ -> { }
            }
        }
        return parameters;
    }

    private static float[] values(int n, int fanIn, SplittableRandom random) {
        double bound = 1 / Math.sqrt(fanIn);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(-bound, bound);
        }
        return v;
    }

    private static float[] gates(int n, double closed, SplittableRandom random) {
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = random.nextDouble() < closed ? 0f : (float) random.nextDouble(0.5, 1);
        }
        return z;
    }
}

package io.l0sparsify.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import io.l0sparsify.prune.PrunedNetworkRunner;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.SpecLimits;
import io.l0sparsify.testing.ReferenceForward;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Average pooling with padding (count_include_pad true and false), max pooling with padding and dilated
 * convolutions against what PyTorch computed ({@code scripts/fixtures/make_pooling_fixtures.py}): the spec's shape
 * inference gives PyTorch's output shape, and the pruned network's DJL forward, its ONNX export run by ONNX Runtime
 * and the plain-loop reference give PyTorch's values.
 */
class PyTorchPoolingParityTest {

    private static final Path FIXTURE = Path.of("src/test/resources/pooling/pooling.json");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One fixture case: the layer as a spec gives it, the input, and PyTorch's output. */
    record Case(String name, LayerSpec layer, int[] inputShape, float[] input, int[] outputShape, float[] output,
            float[] weight, float[] bias) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() throws IOException {
        JsonNode root = JSON.readTree(Files.readString(FIXTURE));
        List<Case> cases = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            cases.add(new Case(c.get("name").asString(), JSON.treeToValue(c.get("layer"), LayerSpec.class),
                    ints(c.get("inputShape")), floats(c.get("input")), ints(c.get("outputShape")),
                    floats(c.get("output")), c.has("weight") ? floats(c.get("weight")) : null,
                    c.has("bias") ? floats(c.get("bias")) : null));
        }
        assertThat(cases).hasSize(7);
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theSpecGivesPyTorchsOutputShape(Case c) {
        List<LayerSpec> layers = List.of(c.layer(), new LayerSpec.Flatten(), new LayerSpec.Dense(2));
        ModelSpec spec = ModelSpec.of(IntStream.of(c.inputShape()).boxed().toList(), layers, SpecLimits.DEFAULT);
        assertThat(spec.outputShapes().getFirst()).containsExactly(c.outputShape());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void djlOnnxRuntimeAndTheReferenceGivePyTorchsValues(Case c) {
        int outputs = IntStream.of(c.outputShape()).reduce(1, Math::multiplyExact);
        // the layer alone, flattened: its output values are the network's "logits"
        PrunedNetwork network = new PrunedNetwork(IntStream.of(c.inputShape()).boxed().toList(),
                List.of(pruned(c), new PrunedLayer.Flatten("flatten1")), outputs);

        assertThat(maxDifference(c.output(), ReferenceForward.logits(network, c.input(), 1)[0])).isLessThan(1e-5);
        byte[] onnx = OnnxExporter.export(network, "pooling", TestNetworks.MNIST);
        assertThat(maxDifference(c.output(), OnnxRuntimeRunner.run(onnx, c.input(), 1)[0])).isLessThan(1e-5);
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                PrunedNetworkRunner runner = new PrunedNetworkRunner(network, manager)) {
            long[] shape = batchOfOne(c.inputShape());
            float[] djl = runner.forward(manager.create(c.input(), new Shape(shape))).toFloatArray();
            assertThat(maxDifference(c.output(), djl)).isLessThan(1e-5);
        }
        // and weights.json carries the options through
        WeightsJsonTest.assertSameNetwork(network, WeightsJson.read(WeightsJson.write(network, TestNetworks.MNIST)));
    }

    private static PrunedLayer pruned(Case c) {
        return switch (c.layer()) {
            case LayerSpec.AvgPool p -> new PrunedLayer.AvgPool("avgpool0", p.size(), p.stride(), p.padding(),
                    p.countIncludePad());
            case LayerSpec.MaxPool p -> new PrunedLayer.MaxPool("maxpool0", p.size(), p.stride(), p.padding());
            case LayerSpec.Conv2d k -> {
                int[] filters = IntStream.range(0, k.filters()).toArray();
                int[] channels = IntStream.range(0, c.inputShape()[0]).toArray();
                yield new PrunedLayer.Conv2d("conv2d0", false, k.filters(), channels.length, filters, channels,
                        k.kernel(), k.stride(), k.padding(), k.dilation(), c.weight(), c.bias());
            }
            case LayerSpec.Dense _, LayerSpec.Relu _, LayerSpec.Flatten _, LayerSpec.Dropout _, LayerSpec.BatchNorm _,
                    LayerSpec.GlobalAvgPool _, LayerSpec.Residual _ -> throw new AssertionError(c.name());
        };
    }

    private static long[] batchOfOne(int[] inputShape) {
        long[] shape = new long[inputShape.length + 1];
        shape[0] = 1;
        for (int i = 0; i < inputShape.length; i++) {
            shape[i + 1] = inputShape[i];
        }
        return shape;
    }

    private static double maxDifference(float[] expected, float[] actual) {
        assertThat(actual).hasSameSizeAs(expected);
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        return max;
    }

    private static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }

    private static float[] floats(JsonNode array) {
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) array.get(i).asDouble();
        }
        return values;
    }
}

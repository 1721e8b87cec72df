package io.l0sparsify.export;

import io.l0sparsify.testing.ReferenceForward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l0sparsify.dataset.Preprocessing;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class WeightsJsonTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void recordedPreprocessingAndClassNamesReadBackAsWritten() {
        PrunedNetwork network = TestNetworks.mlp(29);
        List<Double> mean = new ArrayList<>();
        List<Double> std = new ArrayList<>();
        for (int i = 0; i < 784; i++) {
            mean.add(i / 1000.0);
            std.add(0.5 + i / 3000.0);
        }
        DataConventions conventions = new DataConventions(new Preprocessing(0.1, mean, std),
                List.of("zero", "one", "two"));
        assertEquals(conventions, WeightsJson.readConventions(WeightsJson.write(network, conventions)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightsJson.readConventions(edit(d -> ((ObjectNode) d.get("preprocessing")).put("scale", 0))));
        assertTrue(e.getMessage().startsWith("preprocessing: scale must be positive"), e.getMessage());
    }

    @Test
    void roundTripReproducesEveryFieldAndFloatBitForBit() {
        for (PrunedNetwork network : List.of(TestNetworks.mlp(21), TestNetworks.lenet(22))) {
            PrunedNetwork back = WeightsJson.read(WeightsJson.write(network, TestNetworks.MNIST));

            assertSameNetwork(network, back);
        }
    }

    @Test
    void extremeAndRandomFloatsRoundTripExactly() {
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
            -Float.MAX_VALUE, 0.1f, 1f / 3, Math.nextUp(1f), Math.nextDown(1f), 1e-38f, 16777217f, 3.4e38f};
        SplittableRandom random = new SplittableRandom(23);
        float[] weight = new float[20_000];
        System.arraycopy(special, 0, weight, 0, special.length);
        for (int i = special.length; i < weight.length; i++) {
            float f;
            do {
                f = Float.intBitsToFloat(random.nextInt());
            } while (!Float.isFinite(f));
            weight[i] = f;
        }
        PrunedNetwork network = new PrunedNetwork(List.of(200), List.of(new PrunedLayer.Dense("dense0", false,
                200, 100, range(200), range(100), null, weight, new float[100])), 100);

        byte[] json = WeightsJson.write(network, TestNetworks.MNIST);
        PrunedLayer.Dense back = (PrunedLayer.Dense) WeightsJson.read(json).layers().get(0);

        assertArrayEquals(bits(weight), bits(back.weight()));
        // a reader that parses numbers as doubles and rounds them to float32 (json + numpy) gets them too
        JsonNode values = JSON.readTree(json).get("layers").get(0).get("weight");
        float[] viaDouble = new float[values.size()];
        for (int i = 0; i < viaDouble.length; i++) {
            viaDouble[i] = (float) values.get(i).asDouble();
        }
        assertArrayEquals(bits(weight), bits(viaDouble));
    }

    @Test
    void unprunedLenet5CaffeSizedNetworkRoundTrips() {
        SplittableRandom random = new SplittableRandom(29);
        int[] all20 = range(20);
        int[] all50 = range(50);
        int[] all800 = range(800);
        int[] all500 = range(500);
        PrunedNetwork network = new PrunedNetwork(List.of(1, 28, 28), List.of(
                TestNetworks.conv("conv0", 20, 1, all20, new int[] {0}, 5, 1, 0, random),
                new PrunedLayer.Relu("relu0"), new PrunedLayer.MaxPool("pool0", 2, 2),
                TestNetworks.conv("conv1", 50, 20, all50, all20, 5, 1, 0, random),
                new PrunedLayer.Relu("relu1"), new PrunedLayer.MaxPool("pool1", 2, 2),
                new PrunedLayer.Flatten("flatten"),
                TestNetworks.dense("dense0", 800, 500, all800, all500, null, random),
                new PrunedLayer.Relu("relu2"),
                TestNetworks.dense("dense1", 500, 10, all500, range(10), null, random)), 10);
        assertEquals(431_080, network.parameterCount());

        assertSameNetwork(network, WeightsJson.read(WeightsJson.write(network, TestNetworks.MNIST)));
    }

    @Test
    void networkReadBackGivesTheSameLogitsInTheReferenceForward() {
        PrunedNetwork network = TestNetworks.lenet(24);
        float[] inputs = TestNetworks.inputs(network, 5, 25);

        PrunedNetwork back = WeightsJson.read(WeightsJson.write(network, TestNetworks.MNIST));

        float[][] expected = ReferenceForward.logits(network, inputs, 5);
        float[][] actual = ReferenceForward.logits(back, inputs, 5);
        for (int b = 0; b < 5; b++) {
            assertArrayEquals(bits(expected[b]), bits(actual[b]));
        }
    }

    @Test
    void documentCarriesTheDocumentedFieldsForEachLayerType() {
        PrunedNetwork network = TestNetworks.lenet(26);

        JsonNode doc = JSON.readTree(WeightsJson.write(network, TestNetworks.MNIST));

        assertEquals(4, doc.get("formatVersion").asInt());
        assertEquals("[1,28,28]", doc.get("inputShape").toString());
        JsonNode preprocessing = doc.get("preprocessing");
        assertEquals(1.0 / 255.0, preprocessing.get("scale").asDouble());
        assertEquals("[0.0]", preprocessing.get("mean").toString());
        assertEquals("[1.0]", preprocessing.get("std").toString());
        assertEquals("channel-first", preprocessing.get("layout").asString());
        assertEquals(TestNetworks.MNIST.preprocessing().describe(), preprocessing.get("description").asString());
        assertEquals("[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]",
                doc.get("classNames").toString());
        assertEquals(10, doc.get("numClasses").asInt());
        assertEquals(network.architecture(), doc.get("architecture").asString());
        JsonNode conv = doc.get("layers").get(0);
        assertEquals("conv0", conv.get("name").asString());
        assertEquals("conv2d", conv.get("type").asString());
        assertEquals(5, conv.get("kernel").asInt());
        assertEquals(1, conv.get("stride").asInt());
        assertEquals(2, conv.get("padding").asInt());
        assertEquals(1, conv.get("dilation").asInt());
        assertTrue(conv.get("gated").asBoolean());
        assertEquals(5, conv.get("originalUnits").asInt());
        assertEquals(3, conv.get("keptUnits").asInt());
        assertEquals(3, conv.get("keptIndices").size());
        assertEquals("[3,1,5,5]", conv.get("weightShape").toString());
        assertEquals(75, conv.get("weight").size());
        assertEquals(3, conv.get("bias").size());
        JsonNode pool = doc.get("layers").get(2);
        assertEquals("maxpool", pool.get("type").asString());
        assertEquals(2, pool.get("size").asInt());
        assertEquals(2, pool.get("stride").asInt());
        assertEquals(0, pool.get("padding").asInt());
        assertEquals("flatten", doc.get("layers").get(6).get("type").asString());
        assertEquals("relu", doc.get("layers").get(1).get("type").asString());
        JsonNode dense = doc.get("layers").get(7);
        assertEquals("dense", dense.get("type").asString());
        assertEquals(54, dense.get("originalInputs").asInt());
        assertEquals(25, dense.get("keptInputs").size());
        assertEquals(25, dense.get("gather").size());
        assertEquals("[12,25]", dense.get("weightShape").toString());
        assertTrue(doc.get("layers").get(9).get("gather") == null, "no gather on the last dense layer");
    }

    static Stream<Arguments> malformedDocuments() {
        return Stream.of(
                Arguments.of("unknown format version", edit(d -> d.put("formatVersion", 1)), "formatVersion:"),
                Arguments.of("no preprocessing", edit(d -> d.remove("preprocessing")), "preprocessing: missing"),
                Arguments.of("no class names", edit(d -> d.remove("classNames")), "classNames: missing"),
                Arguments.of("no format version", edit(d -> d.remove("formatVersion")), "formatVersion: missing"),
                Arguments.of("no numClasses", edit(d -> d.remove("numClasses")), "numClasses: missing"),
                Arguments.of("numClasses not the last layer's width", edit(d -> d.put("numClasses", 9)),
                        "numClasses:"),
                Arguments.of("inputShape of rank 2", edit(d -> ((ArrayNode) d.get("inputShape")).remove(0)),
                        "inputShape:"),
                Arguments.of("weight one value short", edit(d -> ((ArrayNode) layer(d, 7).get("weight")).remove(0)),
                        "layers[7] (dense0).weight: expected 300 values"),
                Arguments.of("bias one value long", edit(d -> ((ArrayNode) layer(d, 0).get("bias")).add(1.5)),
                        "layers[0] (conv0).bias: expected 3 values"),
                Arguments.of("weight value as a string",
                        edit(d -> ((ArrayNode) layer(d, 9).get("weight")).set(4, "0.5")), "layers[9].weight[4]: expected a number, found a string"),
                Arguments.of("index as a fraction",
                        edit(d -> ((ArrayNode) layer(d, 7).get("keptInputs")).set(1, 2.5)),
                        "layers[7].keptInputs[1]: expected an integer, found a fractional number"),
                Arguments.of("null weight value",
                        edit(d -> ((ArrayNode) layer(d, 9).get("weight")).set(0, (String) null)),
                        "layers[9].weight[0]: expected a number, found null"),
                Arguments.of("weight missing", edit(d -> layer(d, 3).remove("weight")), "layers[3].weight: missing"),
                Arguments.of("unknown layer type", edit(d -> layer(d, 1).put("type", "sigmoid")), "layers[1].type:"),
                Arguments.of("weightShape disagrees with kept counts",
                        edit(d -> ((ArrayNode) layer(d, 9).get("weightShape")).set(0, 11)),
                        "layers[9].weightShape:"),
                Arguments.of("keptUnits disagrees with keptIndices", edit(d -> layer(d, 3).put("keptUnits", 5)),
                        "layers[3].keptUnits:"),
                Arguments.of("gather index outside the incoming vector",
                        edit(d -> ((ArrayNode) layer(d, 7).get("gather")).set(0, 36)), "layers[7] (dense0).gather:"),
                Arguments.of("kept index outside the unpruned layer",
                        edit(d -> ((ArrayNode) layer(d, 9).get("keptIndices")).set(9, 10)),
                        "layers[9] (dense1).keptIndices:"),
                Arguments.of("conv kernel missing", edit(d -> layer(d, 0).remove("kernel")), "layers[0].kernel: missing"),
                Arguments.of("maxpool size missing", edit(d -> layer(d, 2).remove("size")), "layers[2].size: missing"),
                Arguments.of("maxpool padding beyond half the window", edit(d -> layer(d, 2).put("padding", 2)),
                        "layers[2] (pool0).padding: must be between 0 and half the size (1), found 2"),
                Arguments.of("conv dilation zero", edit(d -> layer(d, 0).put("dilation", 0)),
                        "layers[0] (conv0).dilation: must be positive, found 0"),
                Arguments.of("avgpool without countIncludePad", edit(d -> layer(d, 2).put("type", "avgpool")
                        .put("padding", 0)), "layers[2].countIncludePad: missing"),
                Arguments.of("architecture disagrees with the layers", edit(d -> d.put("architecture", "5-6-54-16")),
                        "architecture:"),
                Arguments.of("not JSON", bytes("{\"formatVersion\": 2, \"layers\": [}"), "weights.json is not valid JSON"),
                Arguments.of("truncated document", truncated(), "weights.json is not valid JSON"),
                Arguments.of("a JSON array instead of an object", bytes("[1, 2]"),
                        "weights.json: expected an object, found an array"),
                Arguments.of("kernel beyond the integer range", edit(d -> layer(d, 0).put("kernel", 1L << 40)),
                        "layers[0].kernel: Numeric value (1099511627776) out of range of `int`"),
                Arguments.of("layers not an array", edit(d -> d.put("layers", "dense")),
                        "layers: expected an array, found a string"));
    }

    @Test
    void aVersion3DocumentHasNoDilationAndNoPoolingPadding() {
        PrunedNetwork network = TestNetworks.lenet(28);
        ObjectNode doc = (ObjectNode) JSON.readTree(WeightsJson.write(network, TestNetworks.MNIST));
        doc.put("formatVersion", 3);
        for (JsonNode layer : doc.get("layers")) {
            ((ObjectNode) layer).remove(List.of("dilation", "padding"));
        }
        // a version-3 conv2d names its padding: 2 for the first, 0 for the second
        layer(doc, 0).put("padding", 2);
        layer(doc, 3).put("padding", 0);

        assertSameNetwork(network, WeightsJson.read(JSON.writeValueAsBytes(doc)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedDocuments")
    void malformedDocumentIsRejectedNamingTheField(String description, byte[] json, String expectedStart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightsJson.read(json));

        assertTrue(e.getMessage().startsWith(expectedStart),
                description + ": expected a message starting with '" + expectedStart + "', got: " + e.getMessage());
    }

    @Test
    void writeRejectsANonFiniteWeightNamingTheField() {
        PrunedNetwork mlp = TestNetworks.mlp(27);
        List<PrunedLayer> layers = new ArrayList<>(mlp.layers());
        PrunedLayer.Dense d = (PrunedLayer.Dense) layers.get(4);
        float[] bias = d.bias().clone();
        bias[3] = Float.NaN;
        layers.set(4, new PrunedLayer.Dense(d.name(), d.gated(), d.originalInputs(), d.originalUnits(),
                d.keptInputs(), d.keptUnits(), d.gather(), d.weight(), bias));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightsJson.write(new PrunedNetwork(mlp.inputShape(), layers, 10), TestNetworks.MNIST));

        assertTrue(e.getMessage().startsWith("layers[4] (dense2).bias: non-finite value NaN at 3"), e.getMessage());
    }

    @Test
    void unmodifiedDocumentOfTheMalformedCasesIsAccepted() {
        assertSameNetwork(TestNetworks.lenet(28), WeightsJson.read(edit(d -> { })));
    }

    private static byte[] edit(Consumer<ObjectNode> change) {
        ObjectNode doc = (ObjectNode) JSON.readTree(WeightsJson.write(TestNetworks.lenet(28), TestNetworks.MNIST));
        change.accept(doc);
        return JSON.writeValueAsBytes(doc);
    }

    private static ObjectNode layer(ObjectNode doc, int index) {
        return (ObjectNode) doc.get("layers").get(index);
    }

    private static byte[] truncated() {
        byte[] full = WeightsJson.write(TestNetworks.lenet(28), TestNetworks.MNIST);
        return java.util.Arrays.copyOf(full, full.length / 2);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void assertSameNetwork(PrunedNetwork expected, PrunedNetwork actual) {
        assertEquals(expected.inputShape(), actual.inputShape());
        assertEquals(expected.numClasses(), actual.numClasses());
        assertSameLayers(expected.layers(), actual.layers());
    }

    private static void assertSameLayers(List<PrunedLayer> expected, List<PrunedLayer> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            PrunedLayer e = expected.get(i);
            PrunedLayer a = actual.get(i);
            assertEquals(e.getClass(), a.getClass());
            assertEquals(e.name(), a.name());
            switch (e) {
                case PrunedLayer.Dense d -> {
                    PrunedLayer.Dense b = (PrunedLayer.Dense) a;
                    assertEquals(d.gated(), b.gated());
                    assertEquals(d.originalInputs(), b.originalInputs());
                    assertEquals(d.originalUnits(), b.originalUnits());
                    assertArrayEquals(d.keptInputs(), b.keptInputs());
                    assertArrayEquals(d.keptUnits(), b.keptUnits());
                    assertArrayEquals(d.gather(), b.gather());
                    assertArrayEquals(bits(d.weight()), bits(b.weight()));
                    assertArrayEquals(bits(d.bias()), bits(b.bias()));
                }
                case PrunedLayer.Conv2d c -> {
                    PrunedLayer.Conv2d b = (PrunedLayer.Conv2d) a;
                    assertEquals(c.gated(), b.gated());
                    assertEquals(c.originalFilters(), b.originalFilters());
                    assertEquals(c.originalInChannels(), b.originalInChannels());
                    assertArrayEquals(c.keptFilters(), b.keptFilters());
                    assertArrayEquals(c.keptInChannels(), b.keptInChannels());
                    assertEquals(List.of(c.kernel(), c.stride(), c.padding(), c.dilation()),
                            List.of(b.kernel(), b.stride(), b.padding(), b.dilation()));
                    assertArrayEquals(bits(c.weight()), bits(b.weight()));
                    assertArrayEquals(bits(c.bias()), bits(b.bias()));
                }
                // records without arrays compare by value
                case PrunedLayer.MaxPool _, PrunedLayer.AvgPool _, PrunedLayer.Relu _, PrunedLayer.Flatten _,
                        PrunedLayer.GlobalAvgPool _ -> assertEquals(e, a);
                case PrunedLayer.BatchNorm n -> {
                    PrunedLayer.BatchNorm b = (PrunedLayer.BatchNorm) a;
                    assertEquals(n.originalChannels(), b.originalChannels());
                    assertArrayEquals(n.keptChannels(), b.keptChannels());
                    assertEquals(Float.floatToRawIntBits(n.eps()), Float.floatToRawIntBits(b.eps()));
                    for (float[][] pair : new float[][][] {{n.gamma(), b.gamma()}, {n.beta(), b.beta()},
                        {n.runningMean(), b.runningMean()}, {n.runningVar(), b.runningVar()}}) {
                        assertArrayEquals(bits(pair[0]), bits(pair[1]));
                    }
                }
                case PrunedLayer.Residual r -> {
                    PrunedLayer.Residual b = (PrunedLayer.Residual) a;
                    assertSameLayers(r.body(), b.body());
                    assertEquals(r.projection() == null, b.projection() == null);
                    if (r.projection() != null) {
                        assertSameLayers(List.of(r.projection()), List.of(b.projection()));
                    }
                }
            }
        }
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    private static int[] range(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }
}

package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.SpecLimits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every gated block survives save → load unchanged and refuses parameters it cannot read. */
class GatedLayerSaveLoadTest {

    private static final HardConcreteGate GATE = HardConcreteGate.withTemperature(HardConcreteGate.DEFAULT_BETA);

    /** A block kind, how to make a fresh one, and the input shape that fixes its parameter shapes. */
    record Case(String name, Supplier<AbstractGatedLayer> block, Shape input) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> blocks() {
        return Stream.of(
                new Case("gated dense", () -> new GatedDense(4, true, GATE, new GateNoise(1), false), new Shape(2, 6)),
                new Case("ungated dense", () -> new GatedDense(4, false, GATE, new GateNoise(1), false),
                        new Shape(2, 6)),
                new Case("gated conv", () -> new GatedConv2d(3, 3, 1, 1, 1, true, GATE, new GateNoise(1), false),
                        new Shape(2, 2, 5, 5)),
                new Case("ungated conv", () -> new GatedConv2d(3, 3, 2, 0, 1, false, GATE, new GateNoise(1), true),
                        new Shape(2, 2, 5, 5)))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blocks")
    void saveThenLoadGivesBackEveryParameter(Case c) throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AbstractGatedLayer saved = initialized(c, manager);
            fillRandomly(saved, new Random(7));
            byte[] bytes = save(saved);

            AbstractGatedLayer loaded = initialized(c, manager);
            load(loaded, manager, bytes);

            List<Parameter> expected = parameters(saved);
            List<Parameter> actual = parameters(loaded);
            assertThat(actual).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(actual.get(i).getArray().getShape()).isEqualTo(expected.get(i).getArray().getShape());
                assertThat(actual.get(i).getArray().toFloatArray())
                        .containsExactly(expected.get(i).getArray().toFloatArray());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blocks")
    void unknownVersionIsRefusedNamingIt(Case c) throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            byte[] bytes = save(initialized(c, manager));
            // DJL's AbstractBlock writes the block's version as the first byte
            assertThat(bytes[0]).isEqualTo((byte) 1);
            bytes[0] = 9;

            AbstractGatedLayer target = initialized(c, manager);
            assertThatThrownBy(() -> load(target, manager, bytes))
                    .isInstanceOf(MalformedModelException.class)
                    .hasMessageContaining("version 9")
                    .hasMessageContaining("reads version 1");
        }
    }

    @Test
    void parametersOfAnotherShapeOfLayerAreRefused() throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Case gated = new Case("gated", () -> new GatedDense(4, true, GATE, new GateNoise(1), false), new Shape(2, 6));
            Case ungated = new Case("ungated", () -> new GatedDense(4, false, GATE, new GateNoise(1), false),
                    new Shape(2, 6));
            Case wider = new Case("wider", () -> new GatedDense(4, true, GATE, new GateNoise(1), false), new Shape(2, 7));
            byte[] bytes = save(initialized(gated, manager));

            assertThatThrownBy(() -> load(initialized(ungated, manager), manager, bytes))
                    .isInstanceOf(MalformedModelException.class).hasMessageContaining("gated=true");
            assertThatThrownBy(() -> load(initialized(wider, manager), manager, bytes))
                    .isInstanceOf(MalformedModelException.class).hasMessageContaining("6 groups");
        }
    }

    @Test
    void wholeNetworkRestoredFromItsParametersPredictsTheSame() throws Exception {
        ModelSpec spec = ModelSpec.of(List.of(1, 6, 6), List.of(new LayerSpec.Conv2d(3, 3), new LayerSpec.Relu(),
                new LayerSpec.MaxPool(2, 2), new LayerSpec.Flatten(), new LayerSpec.Dropout(0.2),
                new LayerSpec.Dense(5), new LayerSpec.Relu(), new LayerSpec.Dense(2)), SpecLimits.DEFAULT);
        TrainingOptions config = TrainingOptions.builder().optSeed(4).build();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            L0Network network = L0Network.build(spec, config);
            network.initialize(manager, config);
            Random random = new Random(8);
            for (GatedLayer layer : network.weightedLayers()) {
                fillRandomly((AbstractGatedLayer) layer, random);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                network.block().saveParameters(out);
            }

            L0Network restored = L0Network.restore(spec, config, manager, bytes.toByteArray());

            float[] inputs = new float[3 * 36];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = random.nextFloat();
            }
            float[] expected = network.predict(manager.create(inputs, network.inputShape(3))).toFloatArray();
            float[] actual = restored.predict(manager.create(inputs, restored.inputShape(3))).toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).isCloseTo(expected[i], within(0f));
            }
        }
    }

    private static AbstractGatedLayer initialized(Case c, NDManager manager) {
        AbstractGatedLayer block = c.block().get();
        Autograd.disableOnThisThread();
        block.initialize(manager, DataType.FLOAT32, c.input());
        return block;
    }

    /** Distinct values in every parameter, so that a swapped or dropped array cannot go unnoticed. */
    private static void fillRandomly(AbstractGatedLayer block, Random random) {
        for (Parameter p : parameters(block)) {
            float[] values = new float[Math.toIntExact(p.getArray().size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            NativeArrays.assign(p.getArray(), values);
        }
    }

    private static List<Parameter> parameters(AbstractGatedLayer block) {
        List<Parameter> result = new ArrayList<>(List.of(block.weight(), block.bias()));
        if (block.gated()) {
            result.add(block.logAlpha());
        }
        return result;
    }

    private static byte[] save(AbstractGatedLayer block) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            block.saveParameters(out);
        }
        return bytes.toByteArray();
    }

    private static void load(AbstractGatedLayer block, NDManager manager, byte[] bytes)
            throws IOException, MalformedModelException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            block.loadParameters(manager, in);
        }
    }
}

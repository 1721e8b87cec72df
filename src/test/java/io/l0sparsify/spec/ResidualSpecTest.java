package io.l0sparsify.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.spec.LayerSpec.BatchNorm;
import io.l0sparsify.spec.LayerSpec.Conv2d;
import io.l0sparsify.spec.LayerSpec.Dense;
import io.l0sparsify.spec.LayerSpec.GlobalAvgPool;
import io.l0sparsify.spec.LayerSpec.Relu;
import io.l0sparsify.spec.LayerSpec.Residual;
import io.l0sparsify.spec.LayerSpec.Shortcut;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Batch normalization, global average pooling and residual blocks in specs: shapes, counts, checks and JSON. */
class ResidualSpecTest {

    private static final SpecLimits LIMITS = SpecLimits.DEFAULT;

    /** conv 4 → pre-activation block with a stride-2 projection to 8 → BN, ReLU, GAP, dense 10. */
    static final List<LayerSpec> PRE_ACTIVATION = List.of(
            new Conv2d(4, 3, 1, 1, false),
            new Residual(List.of(new BatchNorm(), new Relu(), new Conv2d(8, 3, 2, 1, true), new BatchNorm(),
                    new Relu(), new Conv2d(8, 3, 1, 1, false)), new Shortcut.Projection(2)),
            new BatchNorm(), new Relu(), new GlobalAvgPool(), new Dense(10, false));

    @Test
    void aPreActivationBlockChainsItsShapesAndCountsItsParameters() {
        ModelSpec spec = ModelSpec.of(List.of(3, 8, 8), PRE_ACTIVATION, LIMITS);

        assertThat(spec.outputShapes()).extracting(s -> List.of(java.util.Arrays.stream(s).boxed().toArray()))
                .containsExactly(List.of(4, 8, 8), List.of(8, 4, 4), List.of(8, 4, 4), List.of(8, 4, 4),
                        List.of(8), List.of(10));
        // conv 4·3·9+4 = 112; block: BN 2·4, conv 8·4·9+8 = 296, BN 2·8, conv 8·8·9+8 = 584, projection 8·4+8 = 40;
        // BN 2·8; dense 8·10+10 = 90
        assertThat(spec.parameterCount()).isEqualTo(112 + 8 + 296 + 16 + 584 + 40 + 16 + 90);
        // the walk numbers the units: conv 0, body 1..6, projection 7, BN 8, ReLU 9, GAP 10, dense 11
        NetworkWalk walk = spec.walk();
        assertThat(walk.units()).extracting(NetworkWalk.Step.Unit::path).containsExactly("layers[0]",
                "layers[1].body[0]", "layers[1].body[1]", "layers[1].body[2]", "layers[1].body[3]",
                "layers[1].body[4]", "layers[1].body[5]", "layers[1].shortcut", "layers[2]", "layers[3]",
                "layers[4]", "layers[5]");
        assertThat(spec.gatedLayerIndices()).containsExactly(3);
        // the gated conv's gates act after the batch normalization that follows it
        assertThat(walk.units().get(3).gateDeferred()).isTrue();
        assertThat(walk.units().get(4).gateOf()).isEqualTo(3);
        assertThat(walk.units().get(1).gateOf()).isEqualTo(-1);
        assertThat(walk.steps().getLast()).isEqualTo(walk.units().getLast());
    }

    @Test
    void theGatedLayersOfAPlainSpecKeepTheirIndices() {
        assertThat(Presets.LENET5_CAFFE.gatedLayerIndices()).containsExactly(0, 3, 7, 9);
        assertThat(Presets.LENET5_CAFFE.walk().units()).hasSize(Presets.LENET5_CAFFE.layers().size());
    }

    @Test
    void aGatedConvolutionWhoseMapsJoinTheResidualStreamIsRefused() {
        assertRefused(List.of(new Conv2d(4, 3, 1, 1, false),
                new Residual(List.of(new Conv2d(4, 3, 1, 1, true), new BatchNorm()), new Shortcut.Identity()),
                new GlobalAvgPool(), new Dense(10)), "layers[1].body[0].gated", "residual stream");
        assertRefused(List.of(new Conv2d(4, 3, 1, 1, true),
                new Residual(List.of(new Conv2d(4, 3, 1, 1, false)), new Shortcut.Identity()),
                new GlobalAvgPool(), new Dense(10)), "layers[0].gated", "residual stream at layers[1]");
    }

    @Test
    void aBatchNormalizationBetweenAGateAndItsReaderIsRefused() {
        assertRefused(List.of(new Conv2d(4, 3, 1, 1, true), new Relu(), new BatchNorm(), new Conv2d(4, 3),
                new GlobalAvgPool(), new Dense(10)), "layers[0].gated", "layers[2]");
    }

    @Test
    void shortcutsMustMatchTheBody() {
        List<LayerSpec> body = List.of(new Conv2d(8, 3, 2, 1, true), new BatchNorm(), new Relu(),
                new Conv2d(8, 3, 1, 1, false));
        assertRefused(List.of(new Conv2d(4, 3, 1, 1, false), new Residual(body, new Shortcut.Identity()),
                new GlobalAvgPool(), new Dense(10)), "layers[1].shortcut", "[4, 8, 8]");
        assertRefused(List.of(new Conv2d(4, 3, 1, 1, false), new Residual(body, new Shortcut.Projection(1)),
                new GlobalAvgPool(), new Dense(10)), "layers[1].shortcut", "stride 1 gives [8, 8, 8]");
        assertRefused(List.of(new Conv2d(4, 3, 1, 1, false), new Residual(List.of(), new Shortcut.Identity()),
                new GlobalAvgPool(), new Dense(10)), "layers[1].body", "at least one layer");
    }

    @Test
    void layersThatChangeTheRankOrNestBlocksAreRefusedInABody() {
        assertRefused(List.of(new Conv2d(4, 3, 1, 1, false), new Residual(List.of(new BatchNorm(),
                new GlobalAvgPool()), new Shortcut.Identity()), new GlobalAvgPool(), new Dense(10)),
                "layers[1].body[1]", "globalavgpool cannot be inside");
        Residual inner = new Residual(List.of(new Relu()), new Shortcut.Identity());
        assertRefused(List.of(new Conv2d(4, 3, 1, 1, false), new Residual(List.of(inner), new Shortcut.Identity()),
                new GlobalAvgPool(), new Dense(10)), "layers[1].body[0]", "another residual block");
        assertRefused(List.of(new LayerSpec.Flatten(), new Dense(10), new GlobalAvgPool(), new Dense(10)), "layers[2]",
                "[channels, height, width]");
        assertRefused(List.of(new Conv2d(4, 3), new BatchNorm(0, 0.1), new Relu(), new Conv2d(4, 3),
                new GlobalAvgPool(), new Dense(10)), "layers[1].eps", "(0, 1]");
    }

    @Test
    void theNewKindsRoundTripThroughJsonWithTheirDefaults() {
        JsonMapper json = JsonMapper.builder().build();
        String text = "[{\"type\": \"conv2d\", \"filters\": 4, \"kernel\": 3, \"padding\": 1, \"gated\": false},"
                + " {\"type\": \"residual\", \"shortcut\": {\"type\": \"projection\", \"stride\": 2}, \"body\": ["
                + "  {\"type\": \"batchnorm\"}, {\"type\": \"relu\"},"
                + "  {\"type\": \"conv2d\", \"filters\": 8, \"kernel\": 3, \"stride\": 2, \"padding\": 1},"
                + "  {\"type\": \"batchnorm\", \"eps\": 0.001, \"momentum\": 0.01}, {\"type\": \"relu\"},"
                + "  {\"type\": \"conv2d\", \"filters\": 8, \"kernel\": 3, \"padding\": 1, \"gated\": false}]},"
                + " {\"type\": \"residual\", \"body\": [{\"type\": \"relu\"}]},"
                + " {\"type\": \"batchnorm\"}, {\"type\": \"relu\"}, {\"type\": \"globalavgpool\"},"
                + " {\"type\": \"dense\", \"units\": 10, \"gated\": false}]";
        List<LayerSpec> layers = List.of(json.readValue(text, LayerSpec[].class));

        assertThat(layers.get(1)).isEqualTo(new Residual(List.of(new BatchNorm(1e-5, 0.1), new Relu(),
                new Conv2d(8, 3, 2, 1, true), new BatchNorm(0.001, 0.01), new Relu(), new Conv2d(8, 3, 1, 1, false)),
                new Shortcut.Projection(2)));
        assertThat(layers.get(2)).isEqualTo(new Residual(List.of(new Relu()), new Shortcut.Identity()));
        assertThat(layers.get(1).type()).isEqualTo("residual");
        String written = json.writeValueAsString(layers.toArray(new LayerSpec[0]));
        assertThat(List.of(json.readValue(written, LayerSpec[].class))).isEqualTo(layers);
        assertThat(written).contains("\"type\":\"projection\"").contains("\"type\":\"globalavgpool\"");
        ModelSpec.of(List.of(3, 8, 8), layers, LIMITS);
    }

    @Test
    void theContractAcceptsTheNewKindsAsJacksonWritesThemAndRefusesAnUnknownShortcut() {
        var contract = io.l0sparsify.api.OpenApiContract.instance();
        JsonMapper json = JsonMapper.builder().build();
        for (ModelSpec spec : List.of(Presets.WRN_16_4, ModelSpec.of(List.of(3, 8, 8), PRE_ACTIVATION, LIMITS))) {
            // the array type carries the type tags, as the job's document does
            String model = "{\"inputShape\": " + json.writeValueAsString(spec.inputShape()) + ", \"layers\": "
                    + json.writerFor(LayerSpec[].class).writeValueAsString(spec.layers().toArray(new LayerSpec[0]))
                    + "}";
            assertThat(contract.schemaViolations("InlineModel", model)).isEmpty();
            assertThat(contract.schemaViolations("InlineModel",
                    model.replace("\"projection\"", "\"conv\""))).isNotEmpty();
            assertThat(contract.schemaViolations("InlineModel",
                    model.replace("\"momentum\":0.1", "\"momentum\":2"))).isNotEmpty();
        }
    }

    @Test
    void wideResidualNetworksAreBuiltAsTheReferenceCodeBuildsThem() {
        ModelSpec wrn = Presets.WRN_16_4;
        // N = (16 − 4)/6 = 2 blocks per group, widths 64, 128, 256, strides 1, 2, 2; every group's first block
        // changes the width, so it has a projection and the BN → ReLU it shares with its shortcut stands before it
        assertThat(wrn.inputShape()).containsExactly(3, 32, 32);
        assertThat(wrn.layers()).filteredOn(l -> l instanceof Residual).hasSize(6);
        assertThat(wrn.layers().get(3)).isEqualTo(new Residual(List.of(new Conv2d(64, 3, 1, 1, true),
                new BatchNorm(), new Relu(), new Conv2d(64, 3, 1, 1, false)), new Shortcut.Projection(1)));
        assertThat(wrn.layers().get(4)).isEqualTo(new Residual(List.of(new BatchNorm(), new Relu(),
                new Conv2d(64, 3, 1, 1, true), new BatchNorm(), new Relu(), new Conv2d(64, 3, 1, 1, false)),
                new Shortcut.Identity()));
        // the reference puts the stride on the block's second convolution
        assertThat(wrn.layers().get(7)).isEqualTo(new Residual(List.of(new Conv2d(128, 3, 1, 1, true),
                new BatchNorm(), new Relu(), new Conv2d(128, 3, 2, 1, false)), new Shortcut.Projection(2)));
        assertThat(wrn.outputShapes().get(wrn.layers().size() - 5)).containsExactly(256, 8, 8);
        assertThat(wrn.layers().subList(wrn.layers().size() - 4, wrn.layers().size())).containsExactly(
                new BatchNorm(), new Relu(), new GlobalAvgPool(), new Dense(10, false));
        // one gated layer per block: the first convolution's output maps, nothing on the stream or classifier
        assertThat(wrn.gatedLayerIndices()).hasSize(6);
        assertThat(wrn.gatedLayerIndices()).allSatisfy(i -> assertThat(wrn.walk().units().get(i).inBody()).isTrue());
        // 2 751 146 parameters (the reference's convolutions have no bias: 2 748 890 of them there)
        assertThat(wrn.parameterCount()).isEqualTo(2_751_146);
        // WRN-28-10: 4 blocks per group of widths 160, 320, 640; 36.5 M parameters as in the paper
        assertThat(Presets.WRN_28_10.gatedLayerIndices()).hasSize(12);
        assertThat(Presets.WRN_28_10.parameterCount()).isEqualTo(36_489_290);
        assertThat(Presets.byName("wrn-28-10")).contains(Presets.WRN_28_10);
    }

    private static void assertRefused(List<LayerSpec> layers, String field, String reason) {
        assertThatThrownBy(() -> ModelSpec.of(List.of(3, 8, 8), layers, LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.reason()).contains(reason);
                });
    }
}

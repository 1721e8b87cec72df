package io.l0sparsify.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.api.OpenApiContract;
import io.l0sparsify.spec.LayerSpec.AvgPool;
import io.l0sparsify.spec.LayerSpec.Conv2d;
import io.l0sparsify.spec.LayerSpec.Dense;
import io.l0sparsify.spec.LayerSpec.Flatten;
import io.l0sparsify.spec.LayerSpec.MaxPool;
import io.l0sparsify.spec.LayerSpec.Relu;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Average pooling, padded max pooling and dilated convolutions in the spec: defaults, shapes and refusals. */
class PoolingSpecTest {

    private static final SpecLimits LIMITS = SpecLimits.DEFAULT;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void jsonDefaultsArePyTorchsAndTheOldConstructorsKeepTheirMeaning() {
        List<LayerSpec> layers = List.of(JSON.readValue("[{\"type\": \"avgpool\", \"size\": 3},"
                + " {\"type\": \"avgpool\", \"size\": 3, \"stride\": 1, \"padding\": 1, \"countIncludePad\": false},"
                + " {\"type\": \"maxpool\", \"size\": 2}, {\"type\": \"maxpool\", \"size\": 3, \"padding\": 1},"
                + " {\"type\": \"conv2d\", \"filters\": 4, \"kernel\": 3},"
                + " {\"type\": \"conv2d\", \"filters\": 4, \"kernel\": 3, \"dilation\": 2, \"padding\": 2}]",
                LayerSpec[].class));

        assertThat(layers).containsExactly(new AvgPool(3, 3, 0, true), new AvgPool(3, 1, 1, false),
                new MaxPool(2, 2, 0), new MaxPool(3, 3, 1), new Conv2d(4, 3, 1, 0, 1, true),
                new Conv2d(4, 3, 1, 2, 2, true));
        assertThat(new AvgPool(2)).isEqualTo(new AvgPool(2, 2, 0, true));
        assertThat(new MaxPool(2, 2)).isEqualTo(new MaxPool(2, 2, 0));
        assertThat(new Conv2d(4, 3)).isEqualTo(new Conv2d(4, 3, 1, 0, 1, true));
        assertThat(new Conv2d(4, 3, 2, 1, false)).isEqualTo(new Conv2d(4, 3, 2, 1, 1, false));
        assertThat(layers.getFirst().type()).isEqualTo("avgpool");
        String written = JSON.writerFor(LayerSpec[].class).writeValueAsString(layers.toArray(new LayerSpec[0]));
        assertThat(List.of(JSON.readValue(written, LayerSpec[].class))).isEqualTo(layers);
    }

    @Test
    void shapesFollowPyTorchsFormulasAndTheContractAcceptsWhatJacksonWrites() {
        // 11 → conv k3 d2 p1: ⌊(11 + 2 − 4 − 1)/1⌋ + 1 = 9 → max 3/2 p1: ⌊(9 + 2 − 3)/2⌋ + 1 = 5
        // → avg 2/2 p1: ⌊(5 + 2 − 2)/2⌋ + 1 = 3 → conv k3 d3 p3 stride 2: ⌊(3 + 6 − 6 − 1)/2⌋ + 1 = 2
        List<LayerSpec> layers = List.of(new Conv2d(6, 3, 1, 1, 2, true), new Relu(), new MaxPool(3, 2, 1),
                new AvgPool(2, 2, 1, false), new Conv2d(5, 3, 2, 3, 3, true), new Flatten(), new Dense(10, false));
        ModelSpec spec = ModelSpec.of(List.of(3, 11, 11), layers, LIMITS);

        assertThat(spec.outputShapes().get(0)).containsExactly(6, 9, 9);
        assertThat(spec.outputShapes().get(2)).containsExactly(6, 5, 5);
        assertThat(spec.outputShapes().get(3)).containsExactly(6, 3, 3);
        assertThat(spec.outputShapes().get(4)).containsExactly(5, 2, 2);
        // the dilation spreads the taps, not their number: 6·3·9 + 6 and 5·6·9 + 5 weights, 20·10 + 10
        assertThat(spec.parameterCount()).isEqualTo(6 * 3 * 9 + 6 + 5 * 6 * 9 + 5 + 20 * 10 + 10);
        String model = "{\"inputShape\": [3, 11, 11], \"layers\": "
                + JSON.writerFor(LayerSpec[].class).writeValueAsString(layers.toArray(new LayerSpec[0])) + "}";
        assertThat(OpenApiContract.instance().schemaViolations("InlineModel", model)).isEmpty();
        assertThat(OpenApiContract.instance().schemaViolations("InlineModel",
                model.replace("\"countIncludePad\":false", "\"countIncludePad\":0"))).isNotEmpty();
    }

    @Test
    void badSizesPaddingsAndDilationsNameTheField() {
        assertRefused(new AvgPool(0, 1, 0, true), "layers[1].size", "between 1 and");
        assertRefused(new AvgPool(3, 0, 0, true), "layers[1].stride", "between 1 and");
        // PyTorch: "pad should be at most half of effective kernel size"
        assertRefused(new AvgPool(3, 1, 2, true), "layers[1].padding", "half the window size (1) but is 2");
        assertRefused(new MaxPool(2, 2, 2), "layers[1].padding", "half the window size (1) but is 2");
        assertRefused(new MaxPool(3, 1, -1), "layers[1].padding", "but is -1");
        assertRefused(new Conv2d(4, 3, 1, 0, 0, true), "layers[1].dilation", "between 1 and");
        // padding beyond the dilated window's reach, d·(k − 1) = 4
        assertRefused(new Conv2d(4, 3, 1, 5, 2, true), "layers[1].padding", "between 0 and 4 but is 5");
        // a 3×3 kernel with dilation 5 spans 11 values, more than the 8 + 2·1 it receives
        assertThatThrownBy(() -> ModelSpec.of(List.of(1, 8, 8), List.of(new Conv2d(2, 3, 1, 1, 5, true),
                new Flatten(), new Dense(10)), LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("layers[0]");
                    assertThat(e.reason()).contains("dilation 5 (extent 11)").contains("input extent 10");
                });
        assertThatThrownBy(() -> ModelSpec.of(List.of(16), List.of(new AvgPool(2), new Dense(10)), LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.reason())
                        .contains("avgpool needs a [channels, height, width] input but receives [16]"));
    }

    @Test
    void aGatedConvolutionsMapsReachTheNextConvolutionThroughAveragePooling() {
        ModelSpec spec = ModelSpec.of(List.of(1, 8, 8), List.of(new Conv2d(4, 3, 1, 1, true), new AvgPool(2),
                new Conv2d(4, 3, 1, 1, true), new AvgPool(2, 2, 1, false), new Flatten(), new Dense(10, false)),
                LIMITS);
        assertThat(spec.gatedLayerIndices()).containsExactly(0, 2);
    }

    private static void assertRefused(LayerSpec layer, String field, String reason) {
        assertThatThrownBy(() -> ModelSpec.of(List.of(1, 8, 8), List.of(new Conv2d(2, 3, 1, 1, true), layer,
                new Flatten(), new Dense(10)), LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.reason()).contains(reason);
                });
    }
}

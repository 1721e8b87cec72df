package io.l0sparsify.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelSpecTest {

    private static final SpecLimits LIMITS = SpecLimits.DEFAULT;

    @Test
    void presetsHaveThePapersShapesAndParameterCounts() {
        // 784·300+300 + 300·100+100 + 100·10+10 = 266 610
        assertThat(Presets.MLP.parameterCount()).isEqualTo(266_610);
        // 20·25+20 + 50·20·25+50 + 800·500+500 + 500·10+10 = 431 080
        assertThat(Presets.LENET5_CAFFE.parameterCount()).isEqualTo(431_080);
        assertThat(Presets.LENET5_CAFFE.outputShapes().get(5)).containsExactly(50, 4, 4);
        assertThat(Presets.names()).containsExactly("mlp", "lenet5-caffe", "wrn-16-4", "wrn-28-10");
        assertThat(Presets.MLP.gatedLayerIndices()).containsExactly(0, 2, 4);
        assertThat(Presets.LENET5_CAFFE.gatedLayerIndices()).containsExactly(0, 3, 7, 9);
        assertThat(Presets.byName("resnet")).isEmpty();
    }

    @Test
    void activationsPerExampleCountTheInputAndEveryLayersOutput() {
        // 784 + 300 + 300 + 100 + 100 + 10 = 1594
        assertThat(Presets.MLP.activationsPerExample()).isEqualTo(1594);
        // 784 + 11 520 + 11 520 + 2880 (20·12·12) + 3200 + 3200 + 800 + 800 + 500 + 500 + 10 = 35 714
        assertThat(Presets.LENET5_CAFFE.activationsPerExample()).isEqualTo(35_714);
        assertThat(Presets.LENET5_CAFFE.largestOutputLayer()).isZero();
    }

    @Test
    void theLargestUnfoldedInputIsThatOfTheConvolutionWithTheMostInputsTimesKernelTimesOutputPositions() {
        assertThat(Presets.MLP.unfoldedInputPerExample()).isZero();
        // conv1: 1·25·(24·24) = 14 400; conv2: 20·25·(8·8) = 32 000
        assertThat(Presets.LENET5_CAFFE.unfoldedInputPerExample()).isEqualTo(32_000);
        // the second convolution of a first-stage block: 64 maps in, 3×3, 32×32 out: 64·9·1024 = 589 824
        assertThat(Presets.WRN_16_4.unfoldedInputPerExample()).isEqualTo(589_824);
        // a 1×1 convolution with stride 1 and no padding multiplies its input as it is; a dilated one unfolds one
        // example at a time; a strided 1×1 one gathers its output positions: 8·1·(4·4) = 128
        ModelSpec pointwise = ModelSpec.of(List.of(8, 8, 8), List.of(new LayerSpec.Conv2d(64, 1),
                new LayerSpec.Conv2d(4, 3, 1, 2, 2, true), new LayerSpec.Flatten(), new LayerSpec.Dense(10)), LIMITS);
        assertThat(pointwise.unfoldedInputPerExample()).isZero();
        ModelSpec strided = ModelSpec.of(List.of(8, 8, 8), List.of(new LayerSpec.Conv2d(4, 1, 2, 0, true),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10)), LIMITS);
        assertThat(strided.unfoldedInputPerExample()).isEqualTo(128);
    }

    @Test
    void aFlattenIsSizedInLongAndRefusedBeyondOneTensorDimension() {
        // 65 536 · 256 · 256 = 2^32: an int product gives 0
        assertThatThrownBy(() -> ModelSpec.of(List.of(1, 256, 256), List.of(new LayerSpec.Conv2d(65_536, 1),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10)), LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("layers[1]");
                    assertThat(e.reason()).contains("4294967296");
                });
    }

    @Test
    void denseOnAnImageNeedsAFlattenAndTheErrorNamesTheLayer() {
        assertThatThrownBy(() -> ModelSpec.of(List.of(1, 28, 28),
                List.of(new LayerSpec.Dense(10)), LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("layers[0]");
                    assertThat(e.reason()).contains("flat input").contains("[1, 28, 28]").contains("flatten");
                });
    }

    @Test
    void convolutionLargerThanItsInputIsRejected() {
        assertThatThrownBy(() -> ModelSpec.of(List.of(1, 4, 4), List.of(new LayerSpec.Conv2d(8, 5),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10)), LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("layers[0]");
                    assertThat(e.reason()).contains("window 5 is larger than its input extent 4");
                });
    }

    @Test
    void convolutionOnAFlatInputIsRejected() {
        assertThatThrownBy(() -> ModelSpec.of(List.of(784), List.of(new LayerSpec.Conv2d(8, 3),
                new LayerSpec.Dense(10)), LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.reason())
                        .contains("conv2d needs a [channels, height, width] input but receives [784]"));
    }

    @Test
    void sizesOutsideTheirRangeNameTheField() {
        assertThatThrownBy(() -> ModelSpec.of(List.of(784), List.of(new LayerSpec.Dense(0)), LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.field()).isEqualTo("layers[0].units"));
        assertThatThrownBy(() -> ModelSpec.of(List.of(1, 28, 28), List.of(new LayerSpec.Conv2d(4, 3, 0, 0, true),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10)), LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.field()).isEqualTo("layers[0].stride"));
        assertThatThrownBy(() -> ModelSpec.of(List.of(784), List.of(new LayerSpec.Dropout(1.0),
                new LayerSpec.Dense(10)), LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.field()).isEqualTo("layers[0].rate"));
        assertThatThrownBy(() -> ModelSpec.of(List.of(0), List.of(new LayerSpec.Dense(10)), LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.field()).isEqualTo("inputShape[0]"));
        assertThatThrownBy(() -> ModelSpec.of(List.of(28, 28), List.of(new LayerSpec.Dense(10)), LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.field()).isEqualTo("inputShape"));
    }

    @Test
    void parameterLimitIsEnforcedAtTheLayerThatCrossesIt() {
        SpecLimits small = new SpecLimits(64, 65_536, 31, 50_000);
        assertThatThrownBy(() -> ModelSpec.of(List.of(784), List.of(new LayerSpec.Dense(100), new LayerSpec.Relu(),
                new LayerSpec.Dense(10)), small))
                .isInstanceOfSatisfying(SpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("layers[0]");
                    assertThat(e.reason()).contains("78500 parameters").contains("at most 50000");
                });
    }

    @Test
    void lastLayerMustGiveLogitsAndSomethingMustBeGated() {
        assertThatThrownBy(() -> ModelSpec.of(List.of(784), List.of(new LayerSpec.Dense(10), new LayerSpec.Relu()),
                LIMITS)).isInstanceOfSatisfying(SpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("layers[1]");
                    assertThat(e.reason()).contains("last layer must be dense");
                });
        assertThatThrownBy(() -> ModelSpec.of(List.of(784), List.of(new LayerSpec.Dense(10, false)), LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.reason()).contains("no layer is gated"));
        assertThatThrownBy(() -> ModelSpec.of(List.of(784), List.of(), LIMITS))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.field()).isEqualTo("layers"));
    }

    @Test
    void tooManyLayersAreRejected() {
        SpecLimits two = new SpecLimits(2, 1000, 5, 1_000_000);
        assertThatThrownBy(() -> ModelSpec.of(List.of(10), List.of(new LayerSpec.Dense(5), new LayerSpec.Relu(),
                new LayerSpec.Dense(2)), two)).isInstanceOfSatisfying(SpecException.class,
                e -> assertThat(e.reason()).contains("at most 2"));
    }
}

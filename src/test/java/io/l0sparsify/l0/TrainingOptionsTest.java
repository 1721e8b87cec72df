package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.spec.Presets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingOptionsTest {

    private final TrainingOptions defaults = TrainingOptions.defaults();

    private static TrainingOptions.Builder paper() {
        return TrainingOptions.builder();
    }

    @Test
    void defaultsAreThePapersSettings() {
        assertThat(defaults.epochs()).isEqualTo(200);
        assertThat(defaults.batchSize()).isEqualTo(100);
        assertThat(defaults.learningRate()).isEqualTo(1e-3);
        assertThat(defaults.lambdas()).containsExactly(0.1);
        assertThat(defaults.beta()).isEqualTo(2.0 / 3.0);
        assertThat(defaults.emaDecay()).isEqualTo(0.999);
        assertThat(defaults.weightDecay()).isZero();
        assertThat(defaults.seed()).isEqualTo(1);
        assertThat(defaults.perExampleGates()).isFalse();
        assertThat(defaults.device()).as("left to whoever runs it").isNull();
        assertThat(defaults.maxRuntime()).as("unbounded").isNull();
        // the reference starts the MLP's first layer at drop rate 0.2, every other gated layer at 0.5
        assertThat(defaults.initialDropRateOf(Presets.MLP, 0)).isEqualTo(0.2);
        assertThat(defaults.initialDropRateOf(Presets.MLP, 1)).isEqualTo(0.5);
        assertThat(defaults.initialDropRateOf(Presets.LENET5_CAFFE, 0)).isEqualTo(0.5);
        defaults.validateFor(Presets.MLP);
    }

    @Test
    void toBuilderKeepsEveryOptionAndChangesOnlyWhatIsSet() {
        TrainingOptions job = paper().optEpochs(3).optLambdas(List.of(0.1, 0.2, 0.3)).optWeightDecay(5e-4)
                .optBeta(0.5).optInitialDropRates(List.of(0.3)).optEmaDecay(0.9).optSeed(9).optPerExampleGates(true)
                .optMaxRuntime(Duration.ofMinutes(5)).build();
        assertThat(job.toBuilder().build()).isEqualTo(job);
        TrainingOptions run = job.toBuilder().optDevice("cpu").optProgressEverySteps(50).build();
        assertThat(run.device()).isEqualTo("cpu");
        assertThat(run.progressEverySteps()).isEqualTo(50);
        assertThat(run.toBuilder().optDevice(null).optProgressEverySteps(0).build()).isEqualTo(job);
    }

    @Test
    void lambdaIsOneValueOrOnePerGatedLayer() {
        TrainingOptions perLayer = paper().optLambdas(List.of(10.0, 0.5, 0.1, 10.0)).build();
        perLayer.validateFor(Presets.LENET5_CAFFE);
        assertThat(perLayer.lambdaOf(2)).isEqualTo(0.1);
        assertThatThrownBy(() -> paper().optLambdas(List.of(1.0, 2.0)).build().validateFor(Presets.MLP))
                .hasMessage("lambda: give one value or one per gated layer (3) but 2 were given");
        assertThatThrownBy(() -> paper().optInitialDropRates(List.of(0.2, 0.5)).build().validateFor(Presets.MLP))
                .hasMessage("initialDropRate: give one value or one per gated layer (3) but 2 were given");
    }

    @Test
    void whatTheCoreCannotTrainWithIsRefusedNamingItsField() {
        assertThatThrownBy(() -> paper().optLambdas(List.of(-0.1)).build())
                .hasMessageStartingWith("lambda: must be a non-negative finite number");
        assertThatThrownBy(() -> paper().optLambdas(List.of(0.1, Double.NaN, 0.1)).build())
                .hasMessageStartingWith("lambda[1]: ");
        assertThatThrownBy(() -> paper().optLambdas(List.of()).build()).hasMessageStartingWith("lambda: ");
        assertThatThrownBy(() -> paper().optLearningRate(Double.NaN).build()).hasMessageStartingWith("learningRate: ");
        assertThatThrownBy(() -> paper().optEpochs(0).build()).hasMessageStartingWith("epochs: ");
        assertThatThrownBy(() -> paper().optEmaDecay(1.0).build()).hasMessageStartingWith("ema: ");
        assertThatThrownBy(() -> paper().optBatchSize(0).build()).hasMessageStartingWith("batchSize: ");
        assertThatThrownBy(() -> paper().optInitialDropRates(List.of(1.0)).build())
                .hasMessageStartingWith("initialDropRate: ");
        assertThatThrownBy(() -> paper().optBeta(0).build()).hasMessageStartingWith("temperature: ");
        assertThatThrownBy(() -> paper().optWeightDecay(Double.POSITIVE_INFINITY).build())
                .hasMessageStartingWith("weightDecay: ");
        assertThatThrownBy(() -> paper().optDevice("gpu:1,1").build()).hasMessageStartingWith("device: ");
        assertThatThrownBy(() -> paper().optMaxRuntime(Duration.ZERO).build()).hasMessageStartingWith("maxRuntime: ");
        assertThatThrownBy(() -> paper().optProgressEverySteps(-1).build())
                .hasMessageStartingWith("progressEverySteps: ");
    }

    @Test
    void adamWithAConstantRateAndNoAugmentationIsTheDefault() {
        assertThat(defaults.optimizer()).isEqualTo(new OptimizerSpec.Adam());
        assertThat(defaults.schedule()).isEqualTo(new LearningRateSchedule.Constant());
        assertThat(defaults.augmentation()).isNull();
    }

    @Test
    void sgdWithoutALearningRateGetsThePapersWrnRate() {
        TrainingOptions sgd = paper().optOptimizer(OptimizerSpec.Sgd.paper()).build();
        assertThat(sgd.learningRate()).isEqualTo(0.1);
        assertThat(paper().optOptimizer(OptimizerSpec.Sgd.paper()).optLearningRate(0.05).build().learningRate())
                .isEqualTo(0.05);
        // derived options keep the rate they were built with
        assertThat(sgd.toBuilder().optOptimizer(new OptimizerSpec.Adam()).build().learningRate()).isEqualTo(0.1);
        TrainingOptions wrn = sgd.toBuilder().optSchedule(LearningRateSchedule.Step.paper()).optEpochs(200).build();
        assertThat(wrn.learningRateAt(60)).isCloseTo(0.02, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(wrn.toBuilder().build()).isEqualTo(wrn);
    }

    @Test
    void sgdSettingsTheUpdateCannotUseAreRefusedNamingTheirField() {
        assertThatThrownBy(() -> new OptimizerSpec.Sgd(1.0, false)).hasMessageStartingWith("optimizer.momentum: ");
        assertThatThrownBy(() -> new OptimizerSpec.Sgd(0, true)).hasMessageStartingWith("optimizer.nesterov: ");
        assertThat(OptimizerSpec.Sgd.fromFields(null, null)).isEqualTo(new OptimizerSpec.Sgd(0.9, true));
        assertThat(OptimizerSpec.Sgd.fromFields(0.5, false)).isEqualTo(new OptimizerSpec.Sgd(0.5, false));
    }

    @Test
    void augmentationIsForImageModelsWithRoomForItsPadding() {
        TrainingOptions augmented = paper().optAugmentation(io.l0sparsify.dataset.Augmentation.paper()).build();
        augmented.validateFor(Presets.LENET5_CAFFE);
        assertThatThrownBy(() -> augmented.validateFor(Presets.MLP))
                .hasMessageStartingWith("augmentation: applies to images [C, H, W]; the model's input [784] is a"
                        + " feature vector");
        assertThatThrownBy(() -> paper().optAugmentation(new io.l0sparsify.dataset.Augmentation(29, true)).build()
                .validateFor(Presets.LENET5_CAFFE))
                .hasMessageStartingWith("augmentation.padding: must be at most the image's height and width (28)");
    }
}

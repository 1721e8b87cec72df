package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.spec.Presets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {

    private final TrainingConfig defaults = TrainingConfig.defaults();

    @Test
    void defaultsAreThePapersSettings() {
        assertThat(defaults.epochs()).isEqualTo(200);
        assertThat(defaults.batchSize()).isEqualTo(100);
        assertThat(defaults.learningRate()).isEqualTo(1e-3);
        assertThat(defaults.lambdas()).containsExactly(0.1);
        assertThat(defaults.beta()).isEqualTo(2.0 / 3.0);
        assertThat(defaults.emaDecay()).isEqualTo(0.999);
        assertThat(defaults.weightDecay()).isZero();
        // the reference starts the MLP's first layer at drop rate 0.2, every other gated layer at 0.5
        assertThat(defaults.initialDropRateOf(Presets.MLP, 0)).isEqualTo(0.2);
        assertThat(defaults.initialDropRateOf(Presets.MLP, 1)).isEqualTo(0.5);
        assertThat(defaults.initialDropRateOf(Presets.LENET5_CAFFE, 0)).isEqualTo(0.5);
        defaults.validateFor(Presets.MLP);
    }

    @Test
    void lambdaIsOneValueOrOnePerGatedLayer() {
        defaults.withLambdas(List.of(10.0, 0.5, 0.1, 10.0)).validateFor(Presets.LENET5_CAFFE);
        assertThat(defaults.withLambdas(List.of(10.0, 0.5, 0.1, 10.0)).lambdaOf(2)).isEqualTo(0.1);
        assertThatThrownBy(() -> defaults.withLambdas(List.of(1.0, 2.0)).validateFor(Presets.MLP))
                .hasMessage("lambda: give one value or one per gated layer (3) but 2 were given");
    }

    @Test
    void negativeOrNonFiniteNumbersNameTheirField() {
        assertThatThrownBy(() -> defaults.withLambdas(List.of(-0.1)).validateFor(Presets.MLP))
                .hasMessageStartingWith("lambda: must be a non-negative finite number");
        assertThatThrownBy(() -> defaults.withLambdas(List.of(0.1, Double.NaN, 0.1)).validateFor(Presets.MLP))
                .hasMessageStartingWith("lambda[1]: ");
        assertThatThrownBy(() -> new TrainingConfig(1, 100, Double.NaN, List.of(0.1), 0, 2.0 / 3, List.of(), 0.999, 1,
                false, "auto", 0, null).validateFor(Presets.MLP)).hasMessageStartingWith("learningRate: ");
        assertThatThrownBy(() -> defaults.withEpochs(0).validateFor(Presets.MLP)).hasMessageStartingWith("epochs: ");
        assertThatThrownBy(() -> defaults.withEmaDecay(1.0).validateFor(Presets.MLP)).hasMessageStartingWith("ema: ");
        assertThatThrownBy(() -> new TrainingConfig(1, 0, 1e-3, List.of(0.1), 0, 2.0 / 3, List.of(), 0.999, 1,
                false, "auto", 0, null).validateFor(Presets.MLP)).hasMessageStartingWith("batchSize: ");
        assertThatThrownBy(() -> new TrainingConfig(1, 100, 1e-3, List.of(0.1), 0, 2.0 / 3, List.of(1.0), 0.999, 1,
                false, "auto", 0, null).validateFor(Presets.MLP)).hasMessageStartingWith("initialDropRate: ");
        assertThatThrownBy(() -> new TrainingConfig(1, 100, 1e-3, List.of(0.1), 0, 0, List.of(), 0.999, 1,
                false, "auto", 0, null).validateFor(Presets.MLP)).hasMessageStartingWith("temperature: ");
    }
}

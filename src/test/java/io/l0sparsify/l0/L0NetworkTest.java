package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.l0sparsify.spec.Presets;
import java.util.List;
import org.junit.jupiter.api.Test;

class L0NetworkTest {

    @Test
    void initialisationFollowsThePaperAndTheSeed() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainingOptions config = TrainingOptions.builder().optSeed(5).build();
            L0Network network = L0Network.build(Presets.MLP, config);
            network.initialize(manager, config);
            List<GatedLayer> layers = network.weightedLayers();
            double[] dropRates = {0.2, 0.5, 0.5};
            for (int l = 0; l < layers.size(); l++) {
                float[] logAlpha = layers.get(l).logAlpha().getArray().toFloatArray();
                // log α ~ N(log(1−d) − log d, 0.01²): 1.3862944 for d = 0.2, 0 for d = 0.5
                double mean = Math.log(1 - dropRates[l]) - Math.log(dropRates[l]);
                assertThat(mean(logAlpha)).isCloseTo(mean, within(4 * 0.01 / Math.sqrt(logAlpha.length)));
                assertThat(std(logAlpha)).isCloseTo(0.01, within(0.0025));
                float[] weights = layers.get(l).weight().getArray().toFloatArray();
                int fanIn = weights.length / layers.get(l).bias().getArray().toFloatArray().length;
                // He normal: std √(2/fan-in), e.g. 0.0505 for the first layer's 784 inputs
                assertThat(std(weights)).isCloseTo(Math.sqrt(2.0 / fanIn), within(0.03 * Math.sqrt(2.0 / fanIn)));
                assertThat(mean(weights)).isCloseTo(0, within(4 * Math.sqrt(2.0 / fanIn) / Math.sqrt(weights.length)));
                assertThat(layers.get(l).bias().getArray().toFloatArray()).containsOnly(0f);
            }
            L0Network again = L0Network.build(Presets.MLP, config);
            again.initialize(manager, config);
            assertThat(again.weightedLayers().get(0).weight().getArray().toFloatArray())
                    .containsExactly(layers.get(0).weight().getArray().toFloatArray());
        }
    }

    @Test
    void clampKeepsLogAlphaInsideItsBounds() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainingOptions config = TrainingOptions.defaults();
            L0Network network = L0Network.build(Presets.MLP, config);
            network.initialize(manager, config);
            float[] wild = new float[784];
            for (int i = 0; i < wild.length; i++) {
                wild[i] = (i % 3 - 1) * 50f;
            }
            NativeArrays.assign(network.weightedLayers().get(0).logAlpha().getArray(), wild);
            network.clampLogAlphas();
            float[] clamped = network.weightedLayers().get(0).logAlpha().getArray().toFloatArray();
            // ln 0.01 = −4.6051702, ln 100 = 4.6051702
            assertThat(clamped[0]).isCloseTo(-4.6051702f, within(1e-6f));
            assertThat(clamped[1]).isEqualTo(0f);
            assertThat(clamped[2]).isCloseTo(4.6051702f, within(1e-6f));
        }
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static double std(float[] values) {
        double m = mean(values);
        double sum = 0;
        for (float v : values) {
            sum += (v - m) * (v - m);
        }
        return Math.sqrt(sum / values.length);
    }
}

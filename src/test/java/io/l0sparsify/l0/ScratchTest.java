package io.l0sparsify.l0;

import io.l0sparsify.spec.Presets;
import io.l0sparsify.testing.Mnist;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void scratch() {
        var data = Mnist.full().head(10000, 10000);
        for (int rep = 0; rep < 3; rep++) {
            var config = new TrainingConfig(2, 100, 3e-3, List.of(1.0), 0, 2.0/3, List.of(0.8), rep == 2 ? 0.99 : 0.0, 7, false, "cpu", 0, null);
            long t = System.nanoTime();
            try {
                var result = new L0Trainer().train(Presets.MLP, config, data, p -> {}, null);
                System.out.println("MLP ok " + result.gatedTestError() + " " + result.prunedTestError() + " " + result.pruned().architecture() + " s=" + (System.nanoTime() - t) / 1e9);
            } catch (Exception e) { System.out.println("MLP " + e); }
            t = System.nanoTime();
            try {
                var r2 = new L0Trainer().train(Presets.LENET5_CAFFE, config.withEpochs(1).withLambdas(List.of(10.0, 0.5, 0.1, 10.0)), data, p -> {}, null);
                System.out.println("LENET ok " + r2.gatedTestError() + " " + r2.prunedTestError() + " " + r2.pruned().architecture() + " s=" + (System.nanoTime() - t) / 1e9);
            } catch (Exception e) { System.out.println("LENET " + e); }
        }
    }
}

package io.l0sparsify.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.l0sparsify.l0.TrainingCheckpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The warm start of a sweep's next point from the previous point's last checkpoint. */
class SweepWarmStartTest {

    @Test
    void theAverageReplacesTheTrainedParametersAndTheRunningStatisticsFollowAsTheyAre() {
        // two trained parameters, then a batch normalization's running mean and variance
        List<float[]> values = List.of(new float[] {1f, 2f}, new float[] {3f}, new float[] {0.5f}, new float[] {4f});
        double decay = 0.9;
        int updates = 10;
        float correction = (float) (1 - Math.pow(decay, updates));
        TrainingCheckpoint last = new TrainingCheckpoint(3, 300, values,
                new TrainingCheckpoint.Average(List.of(new float[] {0.1f, 0.2f}, new float[] {0.3f}), updates),
                TrainingCheckpoint.AdamMoments.NONE, TrainingCheckpoint.History.NONE);

        TrainingCheckpoint start = SweepRunner.warmStart(last, decay);

        assertThat(start.epochsCompleted()).isZero();
        assertThat(start.parameters()).hasSize(4);
        assertThat(start.parameters().get(0)).containsExactly(0.1f / correction, 0.2f / correction);
        assertThat(start.parameters().get(1)).containsExactly(0.3f / correction);
        assertThat(start.parameters().get(2)).containsExactly(0.5f);
        assertThat(start.parameters().get(3)).containsExactly(4f);
    }

    @Test
    void withoutAnAverageTheLastValuesAreTheStart() {
        List<float[]> values = List.of(new float[] {1f, 2f}, new float[] {3f});
        TrainingCheckpoint last = new TrainingCheckpoint(3, 300, values, TrainingCheckpoint.Average.NONE,
                TrainingCheckpoint.AdamMoments.NONE, TrainingCheckpoint.History.NONE);
        assertThat(SweepRunner.warmStart(last, 0.9).parameters()).containsExactlyElementsOf(values);
    }
}

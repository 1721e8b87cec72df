package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The learning rate of chosen epochs against the schedules' closed forms. */
class LearningRateScheduleTest {

    @Test
    void thePapersStepScheduleDropsByFiveAtEpochs60_120And160Of200() {
        LearningRateSchedule step = LearningRateSchedule.Step.paper();
        // MultiStepLR(milestones=[60, 120, 160], gamma=0.2) stepped once per epoch: 0.1 · 0.2^k
        assertThat(step.rateAt(0.1, 0, 200)).isEqualTo(0.1);
        assertThat(step.rateAt(0.1, 59, 200)).isEqualTo(0.1);
        assertThat(step.rateAt(0.1, 60, 200)).isCloseTo(0.02, within(1e-15));
        assertThat(step.rateAt(0.1, 119, 200)).isCloseTo(0.02, within(1e-15));
        assertThat(step.rateAt(0.1, 120, 200)).isCloseTo(0.004, within(1e-16));
        assertThat(step.rateAt(0.1, 159, 200)).isCloseTo(0.004, within(1e-16));
        assertThat(step.rateAt(0.1, 160, 200)).isCloseTo(0.0008, within(1e-17));
        assertThat(step.rateAt(0.1, 199, 200)).isCloseTo(0.0008, within(1e-17));
        // a budget's fine-tuning after the planned epochs keeps the last rate
        assertThat(step.rateAt(0.1, 205, 200)).isEqualTo(step.rateAt(0.1, 199, 200));
    }

    @Test
    void milestonesAreRoundedToTheNearestEpoch() {
        // 10 epochs: 0.3 → epoch 3, 0.6 → 6, 0.8 → 8; 0.25 of 10 epochs is 2.5 → 3 (half up)
        assertThat(LearningRateSchedule.Step.epochOf(0.3, 10)).isEqualTo(3);
        assertThat(LearningRateSchedule.Step.epochOf(0.25, 10)).isEqualTo(3);
        LearningRateSchedule step = new LearningRateSchedule.Step(List.of(0.5), 0.1);
        assertThat(step.rateAt(1.0, 4, 10)).isEqualTo(1.0);
        assertThat(step.rateAt(1.0, 5, 10)).isCloseTo(0.1, within(1e-16));
    }

    @Test
    void theConstantScheduleGivesTheBaseRateUnchanged() {
        LearningRateSchedule constant = new LearningRateSchedule.Constant();
        // bit for bit: Adam runs of earlier releases keep their numbers
        assertThat(constant.rateAt(1e-3, 0, 3)).isEqualTo(1e-3);
        assertThat(constant.rateAt(1e-3, 2, 3)).isEqualTo(1e-3);
        assertThat(TrainingOptions.defaults().learningRateAt(150)).isEqualTo(1e-3);
    }

    @Test
    void cosineFallsFromTheBaseRateToHalfOfItAtTheMiddle() {
        LearningRateSchedule cosine = new LearningRateSchedule.Cosine();
        // ½·(1 + cos(π·e/E)): 1 at e = 0, ½ at e = E/2, ½·(1 + cos(π·3/4)) = 0.1464… at e = 3E/4
        assertThat(cosine.rateAt(0.1, 0, 100)).isEqualTo(0.1);
        assertThat(cosine.rateAt(0.1, 50, 100)).isCloseTo(0.05, within(1e-15));
        assertThat(cosine.rateAt(0.1, 75, 100)).isCloseTo(0.1 * 0.14644660940672627, within(1e-15));
        assertThat(cosine.rateAt(0.1, 120, 100)).isEqualTo(cosine.rateAt(0.1, 99, 100)).isPositive();
    }

    @Test
    void badMilestonesAndFactorsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new LearningRateSchedule.Step(List.of(0.6, 0.3), 0.2))
                .hasMessageStartingWith("schedule.milestones[1]: must be greater than the milestone before it");
        assertThatThrownBy(() -> new LearningRateSchedule.Step(List.of(1.0), 0.2))
                .hasMessageStartingWith("schedule.milestones[0]: must be strictly between 0 and 1");
        assertThatThrownBy(() -> new LearningRateSchedule.Step(List.of(), 0.2))
                .hasMessageStartingWith("schedule.milestones: give at least one");
        assertThatThrownBy(() -> new LearningRateSchedule.Step(List.of(0.5), 0))
                .hasMessageStartingWith("schedule.factor: must be in (0, 1]");
        assertThat(LearningRateSchedule.Step.fromFields(null, null)).isEqualTo(LearningRateSchedule.Step.paper());
    }
}

package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.SpecLimits;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The controller's once-an-epoch arithmetic on the host, against closed forms, on a 6-4-2 MLP budgeted by
 * parameters: 6·4 + 4 + 4·2 + 2 = 38. Closing an input unit saves its 4 weights; closing a hidden unit saves its 6
 * incoming weights, its bias and its 2 outgoing weights, 9 in all.
 */
class BudgetControllerTest {

    private static final ModelSpec MLP = ModelSpec.of(List.of(6), List.of(new LayerSpec.Dense(4), new LayerSpec.Relu(),
            new LayerSpec.Dense(2)), SpecLimits.UNBOUNDED);
    /** 2 epochs of 10 steps, the target ramping over the first. */
    private static final SizeTarget HALF = new SizeTarget(SizeTarget.Metric.PARAMETERS, 0.5, 1.0, 0.2, 1, 1.0);
    private static final HardConcreteGate GATE = HardConcreteGate.withTemperature(HardConcreteGate.DEFAULT_BETA);
    /** log α where P(z≠0) = 1/2: the least decided an open gate can be. */
    private static final double EVEN = GATE.beta() * Math.log(-GATE.gamma() / GATE.zeta());

    /** log α where P(z≠0) is exactly the threshold, and the floats on either side of it. */
    private static final float AT_THRESHOLD =
            (float) (Math.log(BudgetController.DECIDED / (1 - BudgetController.DECIDED)) + EVEN);

    @Test
    void aGateIsDecidedFromPOfNinetyFivePercentOn() {
        float above = Math.nextUp(AT_THRESHOLD);
        float below = Math.nextDown(AT_THRESHOLD);
        assertThat(GATE.probabilityNonZero(above)).isGreaterThan(BudgetController.DECIDED);
        assertThat(GATE.probabilityNonZero(below)).isLessThan(BudgetController.DECIDED);
        for (float logAlpha : new float[] {above, (float) Math.log(100)}) {
            withController(controller -> assertThat(controller.decidedShare(uniform(logAlpha, logAlpha)))
                    .as("log α %.6f", logAlpha).isEqualTo(1));
        }
        for (float logAlpha : new float[] {below, 0, (float) EVEN, -2}) {
            withController(controller -> assertThat(controller.decidedShare(uniform(logAlpha, logAlpha)))
                    .as("log α %.6f", logAlpha).isZero());
        }
    }

    @Test
    void eachOpenGroupCountsByWhatClosingItSaves() {
        float open = (float) Math.log(100);
        withController(controller -> {
            // the inputs' gates decided, the hidden units' even: 6 groups saving 4 each against 4 saving 9 each
            assertThat(controller.decidedShare(uniform(open, (float) EVEN))).isCloseTo(24.0 / (24 + 36), within(1e-9));
            assertThat(controller.decidedShare(uniform((float) EVEN, open))).isCloseTo(36.0 / (24 + 36), within(1e-9));
            // two inputs closed (log α under the test-time threshold): they count neither way, and each hidden unit
            // now saves 4 incoming weights, its bias and 2 outgoing
            float[] inputs = new float[6];
            Arrays.fill(inputs, open);
            inputs[0] = -5;
            inputs[3] = -5;
            float[] hidden = new float[4];
            Arrays.fill(hidden, (float) EVEN);
            assertThat(controller.decidedShare(List.of(inputs, hidden))).isCloseTo(16.0 / (16 + 4 * 7), within(1e-9));
        });
    }

    /**
     * After the warm-up ŝ is aimed at min(ŝ, f) − c·(d − 0.99·f): a step from where it is that moves d towards just
     * under the budget, the whole way at c = 1; over the budget and lagging, from f. Here d starts from 1 (the
     * ramp's start), so c is the larger of the decided share and (1 − d)/(1 − 0.5).
     */
    @Test
    void theAimStepsFromTheExpectedSizeTowardsJustUnderTheBudgetByTheGainTimesTheExcess() {
        withController(controller -> {
            long afterWarmup = 10;
            assertThat(controller.tracksDeterministic(afterWarmup)).isTrue();
            assertThat(controller.aimAt(afterWarmup)).isEqualTo(0.5);
            assertThat(controller.gain()).as("before the first aim").isNaN();
            controller.reaim(0.45, 0.55, 1);
            assertThat(controller.aimAt(afterWarmup)).as("0.495 − (d − ŝ)").isCloseTo(0.395, within(1e-12));
            controller.reaim(0.45, 0.75, 0.25);
            assertThat(controller.gain()).as("d has done half its shrinking").isCloseTo(0.5, within(1e-12));
            assertThat(controller.aimAt(afterWarmup)).as("0.45 − 0.5·(0.75 − 0.495)").isCloseTo(0.3225, within(1e-12));
            controller.reaim(0.45, 0.75, 0.75);
            assertThat(controller.gain()).as("more decided than moved").isEqualTo(0.75);
            assertThat(controller.aimAt(afterWarmup)).isCloseTo(0.25875, within(1e-12));
            controller.reaim(0.45, 1.0, 0);
            assertThat(controller.gain()).isZero();
            assertThat(controller.aimAt(afterWarmup)).as("undecided: held where it is").isCloseTo(0.45, within(1e-12));
            controller.reaim(0.40, 0.44, 0);
            assertThat(controller.gain()).as("past the budget: the whole way").isEqualTo(1);
            assertThat(controller.aimAt(afterWarmup)).as("under the budget: given back").isCloseTo(0.455, within(1e-12));
            controller.reaim(0.70, 1.0, 0.25);
            assertThat(controller.aimAt(afterWarmup)).as("lagging: from f").isCloseTo(0.37375, within(1e-12));
            controller.reaim(0.30, 1.0, 1);
            assertThat(controller.aimAt(afterWarmup)).as("never below 0").isZero();
        });
    }

    /**
     * A warm-started point (a sweep's, its ramp from the previous budget 0.8) measures d's progress from there: at
     * d = 0.65 it has done half of its shrinking to 0.5, although from the dense size it would count 0.7.
     */
    @Test
    void aWarmStartMeasuresProgressFromWhereItStarted() {
        SizeTarget warm = HALF.withRampStart(0.8);
        withNetwork(warm, (controller, network) -> {
            controller.reaim(0.5, 0.65, 0);
            assertThat(controller.gain()).isCloseTo(0.5, within(1e-12));
            controller.reaim(0.5, 0.85, 0.1);
            assertThat(controller.gain()).as("grown past its start").isEqualTo(0.1);
        });
        withNetwork(HALF.withRampStart(0.4), (controller, network) -> {
            controller.reaim(0.4, 0.45, 0);
            assertThat(controller.gain()).as("started under the budget and still there").isEqualTo(1);
            controller.reaim(0.4, 0.6, 0.2);
            assertThat(controller.gain()).as("started under the budget, now over it").isEqualTo(0.2);
        });
    }

    /**
     * The aim reported for a step is the one the step used: an epoch's end re-aims for the next epoch before the
     * epoch is reported, and the report must not show the next epoch's aim.
     */
    @Test
    void theReportedAimIsTheOneTheLatestStepUsed() {
        withNetwork((controller, network) -> {
            assertThat(controller.stepAim()).isNaN();
            controller.beginStep(10);
            assertThat(controller.stepAim()).as("after the warm-up, before the first re-aim").isEqualTo(0.5);
            assertThat(controller.stepGain()).isNaN();
            controller.reaim(0.45, 0.55, 1);
            assertThat(controller.stepAim()).as("re-aimed for the next epoch").isEqualTo(0.5);
            controller.beginStep(11);
            assertThat(controller.stepAim()).isCloseTo(0.395, within(1e-12));
            assertThat(controller.stepGain()).isEqualTo(1);
        });
    }

    private static List<float[]> uniform(float inputs, float hidden) {
        float[] first = new float[6];
        float[] second = new float[4];
        Arrays.fill(first, inputs);
        Arrays.fill(second, hidden);
        return List.of(first, second);
    }

    /**
     * A step that starts under its target (the ramp's start, 1.0, at step 0) restarts λ₁ from 0 and leaves λ₂ as
     * it was, and the step's term has no quadratic part: λ₁·(ŝ − t) alone.
     */
    @Test
    void underTheTargetTheLinearMultiplierRestartsFromZeroAndTheQuadraticOneHolds() {
        withNetwork((controller, network) -> {
            List<float[]> logAlphas = uniform(-2, -2);
            network.assignLogAlphas(logAlphas);
            double expected = controller.expectedFraction(SizeTarget.Metric.PARAMETERS, logAlphas);
            controller.restore(new TrainingCheckpoint.Multipliers(1, 1));
            try (NDScope ignored = new NDScope()) {
                controller.beginStep(0);
                assertThat(controller.term().toType(DataType.FLOAT64, false).getDouble())
                        .isCloseTo(expected - 1, within(1e-6));
                controller.endStep(0);
            }
            assertThat(controller.multipliers()).isEqualTo(new TrainingCheckpoint.Multipliers(0, 1));
        });
    }

    /**
     * A step over its target, after the warm-up (t = f = 0.5, the target led by at most 0.02 below ŝ ≈ 0.99), with
     * ŝ not moving (the parameters are left as they are): both multipliers rise by the ascent, λ₁ by η·gap and λ₂ by
     * η·gap², and the term counts both parts.
     */
    @Test
    void overTheTargetBothMultipliersRiseByTheAscent() {
        withNetwork((controller, network) -> {
            float open = (float) Math.log(100);
            network.assignLogAlphas(uniform(open, open));
            double gap = BudgetController.MAX_LEAD;
            controller.restore(new TrainingCheckpoint.Multipliers(1, 1));
            try (NDScope ignored = new NDScope()) {
                controller.beginStep(10);
                assertThat(controller.term().toType(DataType.FLOAT64, false).getDouble())
                        .isCloseTo(gap + gap * gap, within(1e-6));
                controller.endStep(10);
            }
            TrainingCheckpoint.Multipliers after = controller.multipliers();
            assertThat(after.lambda1()).isCloseTo(1 + 0.2 * gap, within(1e-12));
            assertThat(after.lambda2()).isCloseTo(1 + 0.2 * gap * gap, within(1e-12));
        });
    }

    @Test
    void aNegativeLinearMultiplierFromAnOlderCheckpointResumesAtZero() {
        withController(controller -> {
            controller.restore(new TrainingCheckpoint.Multipliers(-3, 2));
            assertThat(controller.multipliers()).isEqualTo(new TrainingCheckpoint.Multipliers(0, 2));
        });
    }

    private interface ControllerCheck {
        void check(BudgetController controller);
    }

    private interface NetworkCheck {
        void check(BudgetController controller, L0Network network);
    }

    private static void withController(ControllerCheck check) {
        withNetwork((controller, network) -> check.check(controller));
    }

    private static void withNetwork(NetworkCheck check) {
        withNetwork(HALF, check);
    }

    private static void withNetwork(SizeTarget target, NetworkCheck check) {
        TrainingOptions config = TrainingOptions.builder().optEpochs(2).optSeed(1).optTarget(target).build();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            L0Network network = L0Network.build(MLP, config);
            network.initialize(manager, config);
            try (BudgetController controller = new BudgetController(target, new ExpectedSize(MLP), network, 2, 10,
                    manager)) {
                check.check(controller, network);
            }
        }
    }
}

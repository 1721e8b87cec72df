package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class HardConcreteGateTest {

    private static final HardConcreteGate GATE = HardConcreteGate.withTemperature(2.0 / 3.0);
    private static final int SAMPLES = 400_000;

    @Test
    void closedFormsMatchHandComputedValues() {
        // P(z=0) = sigmoid(β·log(−γ/ζ) − log α) = sigmoid(−1.598597) = 0.1681778… at log α = 0,
        // and by the symmetry of γ, ζ around ½ P(z=1) is the same there.
        assertThat(GATE.probabilityZero(0)).isCloseTo(0.16817781600830958, within(1e-12));
        assertThat(GATE.probabilityOne(0)).isCloseTo(0.1681778160083097, within(1e-12));
        // log α = 1.5: P(z=0) = 0.0431652, P(z=1) = 0.4753707, ẑ = sigmoid(1.5)·1.2 − 0.1 = 0.8810894
        assertThat(GATE.probabilityZero(1.5)).isCloseTo(0.04316517068304344, within(1e-12));
        assertThat(GATE.probabilityOne(1.5)).isCloseTo(0.4753707370851776, within(1e-12));
        assertThat(GATE.testTime(1.5)).isCloseTo(0.8810893714323725, within(1e-12));
        assertThat(GATE.testTime(0)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void testTimeGateClosesExactlyBelowLogOneEleventh() {
        // ẑ = 0 ⇔ sigmoid(log α) ≤ −γ/(ζ−γ) = 1/12 ⇔ log α ≤ log(1/11) = −2.3978953
        assertThat(GATE.isClosed(-2.3979)).isTrue();
        assertThat(GATE.isClosed(-2.3978)).isFalse();
        assertThat(GATE.testTime(5)).isEqualTo(1.0);
    }

    /**
     * P(z=0) = sigmoid(β·log(−γ/ζ) − log α) and P(z=1) = sigmoid(log α − β·log((1−γ)/(ζ−1))), worked out by
     * hand for β = 2/3, γ = −0.1, ζ = 1.1, where β·log(−γ/ζ) = (2/3)·log(1/11) = −1.5985968…:
     * {log α, P(z=0), P(z=1)}.
     */
    static Stream<Arguments> handComputedProbabilities() {
        return Stream.of(
                // sigmoid(−0.5985968) = 0.3546648, sigmoid(−2.5985968) = 0.0692288
                Arguments.of(-1.0, 0.3546647782868854, 0.0692287793983092),
                // sigmoid(−1.5985968) = 0.1681778 for both: γ and ζ are symmetric around ½
                Arguments.of(0.0, 0.16817781600830958, 0.1681778160083097),
                // sigmoid(−3.0985968) = 0.0431652, sigmoid(−0.0985968) = 0.4753707
                Arguments.of(1.5, 0.04316517068304344, 0.4753707370851776));
    }

    @ParameterizedTest
    @MethodSource("handComputedProbabilities")
    void probabilitiesOfZeroAndOneMatchTheClosedForm(double logAlpha, double zero, double one) {
        assertThat(GATE.probabilityZero(logAlpha)).isCloseTo(zero, within(1e-12));
        assertThat(GATE.probabilityOne(logAlpha)).isCloseTo(one, within(1e-12));
        // P(z ≠ 0) = sigmoid(log α − β·log(−γ/ζ)) is computed separately and must be the complement
        assertThat(GATE.probabilityNonZero(logAlpha)).isCloseTo(1 - zero, within(1e-12));
    }

    @ParameterizedTest
    @MethodSource("handComputedProbabilities")
    void sampledGatesAreZeroAndOneAsOftenAsTheClosedFormSays(double logAlpha, double zero, double one) {
        SplittableRandom random = new SplittableRandom(42);
        long zeros = 0;
        long ones = 0;
        double sum = 0;
        for (int i = 0; i < SAMPLES; i++) {
            double u = HardConcreteGate.EPSILON + (1 - 2 * HardConcreteGate.EPSILON) * random.nextDouble();
            double z = GATE.sample(logAlpha, u);
            zeros += z == 0 ? 1 : 0;
            ones += z == 1 ? 1 : 0;
            sum += z;
        }
        // A frequency over n draws has standard error √(p(1−p)/n) (e.g. 7.6e-4 for p = 0.35,
        // n = 400 000); four of them leave a false alarm about once in 16 000 runs.
        assertThat(zeros / (double) SAMPLES).isCloseTo(zero, within(4 * Math.sqrt(zero * (1 - zero) / SAMPLES)));
        assertThat(ones / (double) SAMPLES).isCloseTo(one, within(4 * Math.sqrt(one * (1 - one) / SAMPLES)));

        // The continuous part: numerical integration of the stretched density over (0, 1) (midpoint rule,
        // 200 000 cells) gives its mass and first moment.
        int cells = 200_000;
        double mass = 0;
        double firstMoment = 0;
        for (int i = 0; i < cells; i++) {
            double x = (i + 0.5) / cells;
            double f = GATE.stretchedDensity(x, logAlpha) / cells;
            mass += f;
            firstMoment += x * f;
        }
        // The three parts of the distribution add up to one.
        assertThat(zero + mass + one).isCloseTo(1.0, within(1e-6));
        // z ∈ [0, 1], so its standard deviation is at most ½: 4 standard errors of the mean.
        assertThat(sum / SAMPLES).isCloseTo(one + firstMoment, within(4 * 0.5 / Math.sqrt(SAMPLES)));
    }

    @Test
    void tensorFormulasAgreeWithScalarOnes() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            float[] logAlphas = {-3f, -1f, 0f, 0.7f, 2f, 4.5f};
            float[] noise = {0.01f, 0.2f, 0.5f, 0.6f, 0.9f, 0.999f};
            NDArray la = manager.create(logAlphas);
            float[] samples = GATE.sample(la, manager.create(noise)).toFloatArray();
            float[] testTime = GATE.testTime(la).toFloatArray();
            float[] nonZero = GATE.probabilityNonZero(la).toFloatArray();
            for (int i = 0; i < logAlphas.length; i++) {
                assertThat((double) samples[i]).isCloseTo(GATE.sample(logAlphas[i], noise[i]), within(1e-6));
                assertThat((double) testTime[i]).isCloseTo(GATE.testTime(logAlphas[i]), within(1e-6));
                assertThat((double) nonZero[i]).isCloseTo(GATE.probabilityNonZero(logAlphas[i]), within(1e-6));
            }
        }
    }

    @Test
    void rejectsParametersOutsideTheStretchedInterval() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HardConcreteGate(2.0 / 3, 0.1, 1.1))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HardConcreteGate.withTemperature(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The clamp the gates and the log α clamp use (bounds made on the device) computes what DJL's {@code clip}
     * computes, to the bit, for the values and for the gradient: inside the closed interval, on its ends and
     * outside it, over enough values that the vectorised loop runs as well as the remainder. A NaN stays NaN; its
     * gradient is passed on where clip's is 0, which cannot matter: a gate is NaN only when its log α is, and then
     * the loss is, which ends the run. The log α clamp's bounds are doubles (as the trainer passed them to clip).
     */
    @Test
    void clampGivesClipsValuesAndGradientToTheBit() {
        float lowLogAlpha = (float) HardConcreteGate.MIN_LOG_ALPHA;
        float highLogAlpha = (float) HardConcreteGate.MAX_LOG_ALPHA;
        float[][] specials = {
            {-3f, -0.1f, 0f, 1e-8f, 0.5f, 1f, 1.0000001f, Math.nextDown(1f), 7f, Float.NaN},
            {lowLogAlpha, Math.nextDown(lowLogAlpha), Math.nextUp(lowLogAlpha), highLogAlpha,
                Math.nextDown(highLogAlpha), Math.nextUp(highLogAlpha), 0f, -20f, 20f, Float.NaN}};
        double[][] bounds = {{0, 1}, {HardConcreteGate.MIN_LOG_ALPHA, HardConcreteGate.MAX_LOG_ALPHA}};
        SplittableRandom random = new SplittableRandom(5);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            for (int kind = 0; kind < 2; kind++) {
                double low = bounds[kind][0];
                double high = bounds[kind][1];
                float[] values = new float[133];
                float[] upstream = new float[values.length];
                for (int i = 0; i < values.length; i++) {
                    values[i] = i < specials[kind].length ? specials[kind][i]
                            : (float) (low - 1 + (high - low + 2) * random.nextDouble());
                    upstream[i] = (float) random.nextDouble(-4, 4);
                }
                float[][] results = new float[2][];
                float[][] gradients = new float[2][];
                for (int way = 0; way < 2; way++) {
                    NDArray x = manager.create(values);
                    x.setRequiresGradient(true);
                    try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                        NDArray y = way == 0 ? (kind == 0 ? x.clip(0f, 1f) : x.clip(low, high))
                                : HardConcreteGate.clamp(x, low, high);
                        results[way] = y.toFloatArray();
                        collector.backward(y.mul(manager.create(upstream)).sum());
                    }
                    gradients[way] = x.getGradient().toFloatArray();
                }
                int inside = 0;
                for (int i = 0; i < values.length; i++) {
                    assertThat(Float.floatToRawIntBits(results[1][i])).as("bounds %d, value %d", kind, i)
                            .isEqualTo(Float.floatToRawIntBits(results[0][i]));
                    if (!Float.isNaN(values[i])) {
                        assertThat(Float.floatToRawIntBits(gradients[1][i])).as("bounds %d, gradient %d", kind, i)
                                .isEqualTo(Float.floatToRawIntBits(gradients[0][i]));
                        inside += values[i] >= (float) low && values[i] <= (float) high ? 1 : 0;
                    }
                }
                assertThat(results[1][specials[kind].length - 1]).isNaN();
                // both sides of both bounds were exercised
                assertThat(inside).isBetween(10, values.length - 10);
            }
        }
    }

    /** A double-precision scalar keeps its value to 48 bits where a float would keep 24. */
    @Test
    void aDoubleScalarKeepsFortyEightBits() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray like = manager.zeros(new ai.djl.ndarray.types.Shape(1), DataType.FLOAT64);
            for (double value : new double[] {0.1, 0.02, 1.0 / 3, 4_586_000.0, 1_010_000_123.0, -7.25e-9, 0}) {
                NDArray scalar = HardConcreteGate.scalar(like, value);
                assertThat(scalar.getDataType()).isEqualTo(DataType.FLOAT64);
                assertThat(scalar.getShape().isScalar()).isTrue();
                assertThat(scalar.toDoubleArray()[0]).as("%s", value)
                        .isCloseTo(value, within(Math.abs(value) * 0x1p-48));
            }
            // whole numbers of up to 48 bits come out exactly (a float would round 1 010 000 123 to 1 010 000 128)
            assertThat(HardConcreteGate.scalar(like, 1_010_000_123.0).toDoubleArray()[0]).isEqualTo(1_010_000_123.0);
        }
    }
}

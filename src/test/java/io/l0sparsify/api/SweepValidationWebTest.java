package io.l0sparsify.api;


import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Bad sweeps ({@code sweep}, {@code select}) are refused with a 422 problem+json naming the field, and the job
 * service is never reached.
 */
@TestPropertySource(properties = {"l0.api.max-request-bytes=4096", "l0.limits.max-epochs=500"})
class SweepValidationWebTest extends JobControllerWebTest {

    @Test
    void aSweepWithATrainingTargetIsRefused() throws Exception {
        assertValidationError(job("{\"target\": {\"flops\": 0.5}}", SWEEP, null), "training.target",
                "leave training.target out");
    }

    @Test
    void targetsOutsideZeroToOneAreRefused() throws Exception {
        assertValidationError(job(null, "{\"metric\": \"flops\", \"targets\": [0.5, 0]}", null),
                "sweep.targets[1]", "greater than 0");
        assertValidationError(job(null, "{\"metric\": \"flops\", \"targets\": [1, 0.5]}", null),
                "sweep.targets[0]", "less than 1");
        assertValidationError(job(null, "{\"metric\": \"parameters\", \"targets\": [-0.1]}", null),
                "sweep.targets[0]", "greater than 0");
    }

    @Test
    void noTargetsOrMoreThanTwentyAreRefused() throws Exception {
        assertValidationError(job(null, "{\"metric\": \"flops\", \"targets\": []}", null), "sweep.targets",
                "at least 1");
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= 21; i++) {
            many.append(i == 1 ? "" : ", ").append(i / 22.0);
        }
        assertValidationError(job(null, "{\"metric\": \"flops\", \"targets\": [" + many + "]}", null),
                "sweep.targets", "at most 20");
    }

    @Test
    void repeatedTargetsAreRefused() throws Exception {
        assertValidationError(job(null, "{\"metric\": \"flops\", \"targets\": [0.5, 0.25, 0.5]}", null),
                "sweep.targets[2]", "repeats the target 0.5");
    }

    @Test
    void anUnknownMetricIsRefused() throws Exception {
        assertValidationError(job(null, "{\"metric\": \"latency\", \"targets\": [0.5]}", null), "sweep.metric",
                "");
        assertValidationError(job(null, "{\"targets\": [0.5]}", null), "sweep.metric", "");
    }

    @Test
    void selectWithoutASweepIsRefused() throws Exception {
        assertValidationError(job(null, null, "{\"maxErrorIncrease\": 0.005}"), "select", "applies only to a sweep");
    }

    @Test
    void aNegativeErrorIncreaseIsRefused() throws Exception {
        assertValidationError(job(null, SWEEP, "{\"maxErrorIncrease\": -0.01}"), "select.maxErrorIncrease",
                "at least 0");
    }

    private static final String SWEEP = "{\"metric\": \"flops\", \"targets\": [0.5, 0.25]}";

    private static String job(String training, String sweep, String select) {
        return "{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"}"
                + (training == null ? "" : ", \"training\": " + training)
                + (sweep == null ? "" : ", \"sweep\": " + sweep)
                + (select == null ? "" : ", \"select\": " + select) + "}";
    }
}

package io.l0sparsify.api;


import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Bad size budgets ({@code training.target}) are refused with a 422 problem+json naming the field, and the job
 * service is never reached.
 */
@TestPropertySource(properties = {"l0.api.max-request-bytes=4096", "l0.limits.max-epochs=500"})
class TargetValidationWebTest extends JobControllerWebTest {

    @Test
    void aBudgetOfZeroOrLessIsRefused() throws Exception {
        assertValidationError(job("{\"target\": {\"flops\": 0}}"), "training.target.flops", "greater than 0");
        assertValidationError(job("{\"target\": {\"parameters\": -0.5}}"), "training.target.parameters",
                "greater than 0");
    }

    @Test
    void aBudgetOfOneOrMoreIsRefused() throws Exception {
        assertValidationError(job("{\"target\": {\"flops\": 1}}"), "training.target.flops", "less than 1");
        assertValidationError(job("{\"target\": {\"parameters\": 1.5}}"), "training.target.parameters",
                "less than 1");
    }

    @Test
    void anUnknownMetricIsRefused() throws Exception {
        assertValidationError(job("{\"target\": {\"latency\": 0.5}}"), "training.target.latency", "");
    }

    @Test
    void bothMetricsOrNeitherAreRefused() throws Exception {
        assertValidationError(job("{\"target\": {\"flops\": 0.5, \"parameters\": 0.5}}"), "training.target", "");
        assertValidationError(job("{\"target\": {\"warmupEpochs\": 2}}"), "training.target", "");
    }

    @Test
    void aWarmUpLongerThanTheRunIsRefused() throws Exception {
        assertValidationError(job("{\"epochs\": 5, \"target\": {\"flops\": 0.5, \"warmupEpochs\": 6}}"),
                "training.target.warmupEpochs", "at most epochs (5)");
    }

    @Test
    void badControllerSettingsAreRefused() throws Exception {
        assertValidationError(job("{\"target\": {\"flops\": 0.5, \"multiplierLearningRate\": 0}}"),
                "training.target.multiplierLearningRate", "greater than 0");
        assertValidationError(job("{\"target\": {\"flops\": 0.5, \"fineTuneEpochs\": -1}}"),
                "training.target.fineTuneEpochs", "at least 0");
        assertValidationError(job("{\"target\": {\"flops\": NaN}}"), "training.target.flops", "");
    }

    @Test
    void roundUnitsToBelowOneIsRefused() throws Exception {
        assertValidationError(job("{\"roundUnitsTo\": 0}"), "training.roundUnitsTo", "at least 1");
    }

    private static String job(String training) {
        return "{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"}, \"training\": "
                + training + "}";
    }
}

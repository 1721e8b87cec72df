package io.l0sparsify.job;

import io.l0sparsify.l0.TrainingConfig;
import java.time.Duration;
import java.util.List;

/**
 * The training part of a job as the user gave it, defaults filled in. Differs from {@link TrainingConfig}
 * in what belongs to the job rather than the run: the device may be left to the worker (null), and the
 * runtime budget is always set (the service's cap when the user gave none).
 */
public record TrainingSettings(
        int epochs,
        int batchSize,
        double learningRate,
        List<Double> lambdas,
        double weightDecay,
        double temperature,
        List<Double> initialDropRates,
        double ema,
        long seed,
        boolean perExampleGates,
        String device,
        Duration maxRuntime) {

    public TrainingSettings {
        lambdas = List.copyOf(lambdas);
        initialDropRates = List.copyOf(initialDropRates);
    }

    /**
     * The core's configuration for one run of this job.
     *
     * @param runDevice where the worker placed the run (it honours {@link #device} when set)
     */
    public TrainingConfig toConfig(String runDevice, int progressEverySteps) {
        return new TrainingConfig(epochs, batchSize, learningRate, lambdas, weightDecay, temperature,
                initialDropRates, ema, seed, perExampleGates, runDevice, progressEverySteps, maxRuntime);
    }
}

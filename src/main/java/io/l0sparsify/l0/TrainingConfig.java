package io.l0sparsify.l0;

import io.l0sparsify.spec.ModelSpec;
import java.time.Duration;
import java.util.List;

/**
 * Everything that shapes one training run, with the paper's values as defaults ({@link #defaults()}).
 *
 * @param epochs passes over the training set
 * @param batchSize examples per minibatch (paper: 100)
 * @param learningRate Adam step size (paper: 1e-3)
 * @param lambdas λ "per 1/N": one value for every gated layer, or one per gated layer in order (paper's
 *     "λ sep."); the penalty adds λ/N per expected non-zero parameter
 * @param weightDecay coefficient of the ½·wd·w² term inside each group (0 reproduces Table 1)
 * @param beta hard-concrete temperature β (paper: 2/3)
 * @param initialDropRates initial drop rate d per gated layer (log α starts at log(1−d) − log d); empty
 *     means the reference's rule: 0.2 for a network's first layer when it is dense, 0.5 elsewhere
 * @param emaDecay decay of the parameter moving average that is evaluated and pruned; 0 disables it
 * @param seed seeds initialisation, shuffling and gate noise
 * @param perExampleGates one gate sample per example ("local reparametrization") instead of one per
 *     minibatch
 * @param device where to train, see {@link Devices}: "auto", "cpu", "gpu", "gpu:N", "gpu:N,M" or "gpu:all"
 * @param progressEverySteps report progress every so many steps besides every epoch end (0: epochs only)
 * @param maxRuntime wall-clock budget; exceeded ⇒ {@link TrainingAbortedException} with reason
 *     {@code MAX_RUNTIME_EXCEEDED}. Null: unbounded
 */
public record TrainingConfig(
        int epochs,
        int batchSize,
        double learningRate,
        List<Double> lambdas,
        double weightDecay,
        double beta,
        List<Double> initialDropRates,
        double emaDecay,
        long seed,
        boolean perExampleGates,
        String device,
        int progressEverySteps,
        Duration maxRuntime) {

    public static final int DEFAULT_EPOCHS = 200;
    public static final int DEFAULT_BATCH_SIZE = 100;
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    public static final double DEFAULT_LAMBDA = 0.1;
    public static final double DEFAULT_BETA = 2.0 / 3.0;
    public static final double DEFAULT_EMA_DECAY = 0.999;
    public static final long DEFAULT_SEED = 1;

    public TrainingConfig {
        lambdas = List.copyOf(lambdas);
        initialDropRates = List.copyOf(initialDropRates);
    }

    /** The paper's MNIST settings: 200 epochs, batch 100, Adam 1e-3, λ = 0.1, β = 2/3, EMA 0.999. */
    public static TrainingConfig defaults() {
        return new TrainingConfig(DEFAULT_EPOCHS, DEFAULT_BATCH_SIZE, DEFAULT_LEARNING_RATE,
                List.of(DEFAULT_LAMBDA), 0.0, DEFAULT_BETA, List.of(), DEFAULT_EMA_DECAY, DEFAULT_SEED,
                false, "auto", 0, null);
    }

    public TrainingConfig withEpochs(int value) {
        return new TrainingConfig(value, batchSize, learningRate, lambdas, weightDecay, beta, initialDropRates,
                emaDecay, seed, perExampleGates, device, progressEverySteps, maxRuntime);
    }

    public TrainingConfig withLambdas(List<Double> value) {
        return new TrainingConfig(epochs, batchSize, learningRate, value, weightDecay, beta, initialDropRates,
                emaDecay, seed, perExampleGates, device, progressEverySteps, maxRuntime);
    }

    public TrainingConfig withSeed(long value) {
        return new TrainingConfig(epochs, batchSize, learningRate, lambdas, weightDecay, beta, initialDropRates,
                emaDecay, value, perExampleGates, device, progressEverySteps, maxRuntime);
    }

    public TrainingConfig withEmaDecay(double value) {
        return new TrainingConfig(epochs, batchSize, learningRate, lambdas, weightDecay, beta, initialDropRates,
                value, seed, perExampleGates, device, progressEverySteps, maxRuntime);
    }

    public TrainingConfig withPerExampleGates(boolean value) {
        return new TrainingConfig(epochs, batchSize, learningRate, lambdas, weightDecay, beta, initialDropRates,
                emaDecay, seed, value, device, progressEverySteps, maxRuntime);
    }

    public TrainingConfig withProgressEverySteps(int value) {
        return new TrainingConfig(epochs, batchSize, learningRate, lambdas, weightDecay, beta, initialDropRates,
                emaDecay, seed, perExampleGates, device, value, maxRuntime);
    }

    public TrainingConfig withMaxRuntime(Duration value) {
        return new TrainingConfig(epochs, batchSize, learningRate, lambdas, weightDecay, beta, initialDropRates,
                emaDecay, seed, perExampleGates, device, progressEverySteps, value);
    }

    /** λ of the k-th gated layer. */
    public double lambdaOf(int gatedLayer) {
        return lambdas.size() == 1 ? lambdas.get(0) : lambdas.get(gatedLayer);
    }

    /** Initial drop rate of the k-th gated layer of the given spec. */
    public double initialDropRateOf(ModelSpec spec, int gatedLayer) {
        if (initialDropRates.size() == 1) {
            return initialDropRates.get(0);
        }
        if (!initialDropRates.isEmpty()) {
            return initialDropRates.get(gatedLayer);
        }
        boolean firstLayerDense = spec.gatedLayerIndices().get(gatedLayer) == 0
                && spec.layers().get(0) instanceof io.l0sparsify.spec.LayerSpec.Dense;
        return firstLayerDense ? 0.2 : 0.5;
    }

    /**
     * Checks ranges and list lengths against the spec; throws {@link IllegalArgumentException} whose
     * message starts with the offending field name ("lambda", "epochs", ...).
     */
    public void validateFor(ModelSpec spec) {
        int gated = spec.gatedLayerIndices().size();
        requireRange("epochs", epochs, 1, 100_000);
        requireRange("batchSize", batchSize, 1, 65_536);
        requirePositiveFinite("learningRate", learningRate);
        if (learningRate > 10) {
            throw new IllegalArgumentException("learningRate: must be at most 10 but is " + learningRate);
        }
        if (lambdas.isEmpty() || !(lambdas.size() == 1 || lambdas.size() == gated)) {
            throw new IllegalArgumentException("lambda: give one value or one per gated layer (" + gated
                    + ") but " + lambdas.size() + " were given");
        }
        for (int i = 0; i < lambdas.size(); i++) {
            requireNonNegativeFinite(lambdas.size() == 1 ? "lambda" : "lambda[" + i + "]", lambdas.get(i));
        }
        requireNonNegativeFinite("weightDecay", weightDecay);
        requirePositiveFinite("temperature", beta);
        if (!initialDropRates.isEmpty() && !(initialDropRates.size() == 1 || initialDropRates.size() == gated)) {
            throw new IllegalArgumentException("initialDropRate: give one value or one per gated layer ("
                    + gated + ") but " + initialDropRates.size() + " were given");
        }
        for (int i = 0; i < initialDropRates.size(); i++) {
            double d = initialDropRates.get(i);
            String field = initialDropRates.size() == 1 ? "initialDropRate" : "initialDropRate[" + i + "]";
            if (!(d > 0 && d < 1)) {
                throw new IllegalArgumentException(field + ": must be strictly between 0 and 1 but is " + d);
            }
        }
        if (!(emaDecay >= 0 && emaDecay < 1)) {
            throw new IllegalArgumentException("ema: must be in [0, 1) but is " + emaDecay);
        }
        Devices.parse(device);
        if (progressEverySteps < 0) {
            throw new IllegalArgumentException("progressEverySteps: must not be negative");
        }
        if (maxRuntime != null && (maxRuntime.isNegative() || maxRuntime.isZero())) {
            throw new IllegalArgumentException("maxRuntime: must be positive");
        }
    }

    private static void requireRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + ": must be between " + min + " and " + max + " but is "
                    + value);
        }
    }

    private static void requirePositiveFinite(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + ": must be a positive finite number but is " + value);
        }
    }

    private static void requireNonNegativeFinite(String field, Double value) {
        if (value == null || !(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + ": must be a non-negative finite number but is " + value);
        }
    }
}

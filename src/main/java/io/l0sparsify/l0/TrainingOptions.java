package io.l0sparsify.l0;

import io.l0sparsify.dataset.Augmentation;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything that shapes one training run. Built like DJL's own configurations
 * ({@code TrainingOptions.builder().optEpochs(10).optLambdas(List.of(0.1)).build()}); every option starts at the
 * value of the paper's MNIST experiments (Louizos, Welling &amp; Kingma, ICLR 2018) and each {@code opt} method
 * documents its default. {@link Builder#build()} refuses what the core cannot train with, throwing an
 * {@link IllegalArgumentException} whose message starts with the option's field name ({@code "epochs: ..."}).
 *
 * <p>A job stores these options as the user gave them: its {@link #device()} may be unset (the worker chooses)
 * and its {@link #maxRuntime()} is always set. The worker derives the options of one run with
 * {@link #toBuilder()}.
 */
public final class TrainingOptions {

    public static final int DEFAULT_EPOCHS = 200;
    public static final int DEFAULT_BATCH_SIZE = 100;
    /** Adam's learning rate; SGD's default is {@link OptimizerSpec#SGD_LEARNING_RATE}. */
    public static final double DEFAULT_LEARNING_RATE = OptimizerSpec.ADAM_LEARNING_RATE;
    public static final double DEFAULT_LAMBDA = 0.1;
    public static final double DEFAULT_BETA = 2.0 / 3.0;
    public static final double DEFAULT_EMA_DECAY = 0.999;
    public static final long DEFAULT_SEED = 1;

    private final int epochs;
    private final int batchSize;
    private final double learningRate;
    private final List<Double> lambdas;
    private final double weightDecay;
    private final double beta;
    private final List<Double> initialDropRates;
    private final double emaDecay;
    private final long seed;
    private final boolean perExampleGates;
    private final String device;
    private final int progressEverySteps;
    private final Duration maxRuntime;
    private final SizeTarget target;
    private final Integer roundUnitsTo;
    private final OptimizerSpec optimizer;
    private final LearningRateSchedule schedule;
    private final Augmentation augmentation;

    private TrainingOptions(Builder b) {
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.learningRate = b.learningRateOrDefault();
        this.lambdas = List.copyOf(b.lambdas);
        this.weightDecay = b.weightDecay;
        this.beta = b.beta;
        this.initialDropRates = List.copyOf(b.initialDropRates);
        this.emaDecay = b.emaDecay;
        this.seed = b.seed;
        this.perExampleGates = b.perExampleGates;
        this.device = b.device;
        this.progressEverySteps = b.progressEverySteps;
        this.maxRuntime = b.maxRuntime;
        this.target = b.target;
        this.roundUnitsTo = b.roundUnitsTo;
        this.optimizer = b.optimizer;
        this.schedule = b.schedule;
        this.augmentation = b.augmentation;
    }

    /** A builder at the paper's settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The paper's settings: 200 epochs, batch 100, Adam 1e-3, λ = 0.1, β = 2/3, EMA 0.999, seed 1. */
    public static TrainingOptions defaults() {
        return builder().build();
    }

    /** A builder holding these options, to derive others from them. */
    public Builder toBuilder() {
        return new Builder()
                .optEpochs(epochs)
                .optBatchSize(batchSize)
                .optLearningRate(learningRate)
                .optLambdas(lambdas)
                .optWeightDecay(weightDecay)
                .optBeta(beta)
                .optInitialDropRates(initialDropRates)
                .optEmaDecay(emaDecay)
                .optSeed(seed)
                .optPerExampleGates(perExampleGates)
                .optDevice(device)
                .optProgressEverySteps(progressEverySteps)
                .optMaxRuntime(maxRuntime)
                .optTarget(target)
                .optRoundUnitsTo(roundUnitsTo)
                .optOptimizer(optimizer)
                .optSchedule(schedule)
                .optAugmentation(augmentation);
    }

    /** Passes over the training set. */
    public int epochs() {
        return epochs;
    }

    /** Examples per minibatch. */
    public int batchSize() {
        return batchSize;
    }

    /** The base learning rate, which {@link #schedule()} scales epoch by epoch. */
    public double learningRate() {
        return learningRate;
    }

    /** λ "per 1/N": one value for every gated layer, or one per gated layer in order. */
    public List<Double> lambdas() {
        return lambdas;
    }

    /** Coefficient of the ½·wd·w² term inside each group. */
    public double weightDecay() {
        return weightDecay;
    }

    /** Hard-concrete temperature β (the contract calls it {@code temperature}). */
    public double beta() {
        return beta;
    }

    /** Initial drop rate per gated layer; empty: the reference's rule (see {@link #initialDropRateOf}). */
    public List<Double> initialDropRates() {
        return initialDropRates;
    }

    /** Decay of the parameter moving average that is evaluated and pruned (the contract's {@code ema}). */
    public double emaDecay() {
        return emaDecay;
    }

    /** Seeds initialisation, shuffling and gate noise. */
    public long seed() {
        return seed;
    }

    /** One gate sample per example instead of one per minibatch. */
    public boolean perExampleGates() {
        return perExampleGates;
    }

    /** Where to train (see {@link Devices}); null when left to whoever runs the training ("auto" for the core). */
    public String device() {
        return device;
    }

    /** Report progress every so many steps besides every epoch end (0: epochs only). */
    public int progressEverySteps() {
        return progressEverySteps;
    }

    /** Wall-clock budget; null: unbounded. */
    public Duration maxRuntime() {
        return maxRuntime;
    }

    /** The size budget the run drives the network to; null: none (λ alone decides the size). */
    public SizeTarget target() {
        return target;
    }

    /**
     * The multiple the kept units of every gated layer are rounded up to when pruning (see
     * {@link UnitRounding}); null: no rounding.
     */
    public Integer roundUnitsTo() {
        return roundUnitsTo;
    }

    /** The optimizer every trainable parameter (log α included) is updated with. */
    public OptimizerSpec optimizer() {
        return optimizer;
    }

    /** How the learning rate changes from epoch to epoch. */
    public LearningRateSchedule schedule() {
        return schedule;
    }

    /** The learning rate of epoch {@code epoch} (from 0): the base rate as the schedule scales it. */
    public double learningRateAt(int epoch) {
        return schedule.rateAt(learningRate, epoch, epochs);
    }

    /** Random crops and flips of the training images; null: none. */
    public Augmentation augmentation() {
        return augmentation;
    }

    /** {@link #roundUnitsTo()} as a number: 1 without rounding. */
    public int unitMultiple() {
        return roundUnitsTo == null ? 1 : roundUnitsTo;
    }

    /** λ of the k-th gated layer. */
    public double lambdaOf(int gatedLayer) {
        return lambdas.size() == 1 ? lambdas.get(0) : lambdas.get(gatedLayer);
    }

    /**
     * Initial drop rate of the k-th gated layer of the given spec. Without explicit rates the reference's
     * rule applies: 0.2 for a network's first layer when it is dense, 0.3 inside a residual block (the reference
     * WRN's {@code droprate_init}), 0.5 elsewhere.
     */
    public double initialDropRateOf(ModelSpec spec, int gatedLayer) {
        if (initialDropRates.size() == 1) {
            return initialDropRates.get(0);
        }
        if (!initialDropRates.isEmpty()) {
            return initialDropRates.get(gatedLayer);
        }
        int unit = spec.gatedLayerIndices().get(gatedLayer);
        if (spec.walk().units().get(unit).inBody()) {
            return 0.3;
        }
        boolean firstLayerDense = unit == 0
                && switch (spec.layers().get(0)) {
                    case LayerSpec.Dense _ -> true;
                    case LayerSpec.Conv2d _, LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _,
                         LayerSpec.Flatten _, LayerSpec.Dropout _, LayerSpec.BatchNorm _, LayerSpec.GlobalAvgPool _,
                         LayerSpec.Residual _ -> false;
                };
        return firstLayerDense ? 0.2 : 0.5;
    }

    /**
     * Checks what depends on the network: λ and the initial drop rates give one value or one per gated layer.
     * Throws {@link IllegalArgumentException} whose message starts with the field name.
     */
    public void validateFor(ModelSpec spec) {
        int gated = spec.gatedLayerIndices().size();
        requireOneOrPerGatedLayer("lambda", lambdas, gated);
        if (!initialDropRates.isEmpty()) {
            requireOneOrPerGatedLayer("initialDropRate", initialDropRates, gated);
        }
        if (augmentation != null) {
            List<Integer> input = spec.inputShape();
            if (input.size() != 3) {
                throw new IllegalArgumentException("augmentation: applies to images [C, H, W]; the model's input "
                        + input + " is a feature vector");
            }
            int smaller = Math.min(input.get(1), input.get(2));
            if (augmentation.padding() > smaller) {
                throw new IllegalArgumentException("augmentation.padding: must be at most the image's height and"
                        + " width (" + smaller + ") but is " + augmentation.padding());
            }
        }
        if (target != null && gated == 0) {
            throw new IllegalArgumentException("target: the network has no gated layer, so nothing can be pruned to"
                    + " reach a budget");
        }
    }

    private static void requireOneOrPerGatedLayer(String field, List<Double> values, int gated) {
        if (!(values.size() == 1 || values.size() == gated)) {
            throw new IllegalArgumentException(field + ": give one value or one per gated layer (" + gated
                    + ") but " + values.size() + " were given");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingOptions t && epochs == t.epochs && batchSize == t.batchSize
                && Double.compare(learningRate, t.learningRate) == 0 && lambdas.equals(t.lambdas)
                && Double.compare(weightDecay, t.weightDecay) == 0 && Double.compare(beta, t.beta) == 0
                && initialDropRates.equals(t.initialDropRates) && Double.compare(emaDecay, t.emaDecay) == 0
                && seed == t.seed && perExampleGates == t.perExampleGates
                && Objects.equals(device, t.device) && progressEverySteps == t.progressEverySteps
                && Objects.equals(maxRuntime, t.maxRuntime) && Objects.equals(target, t.target)
                && Objects.equals(roundUnitsTo, t.roundUnitsTo) && optimizer.equals(t.optimizer)
                && schedule.equals(t.schedule) && Objects.equals(augmentation, t.augmentation);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epochs, batchSize, learningRate, lambdas, weightDecay, beta, initialDropRates,
                emaDecay, seed, perExampleGates, device, progressEverySteps, maxRuntime, target, roundUnitsTo,
                optimizer, schedule, augmentation);
    }

    @Override
    public String toString() {
        return "TrainingOptions[epochs=" + epochs + ", batchSize=" + batchSize + ", learningRate=" + learningRate
                + ", lambdas=" + lambdas + ", weightDecay=" + weightDecay + ", beta=" + beta
                + ", initialDropRates=" + initialDropRates + ", emaDecay=" + emaDecay + ", seed=" + seed
                + ", perExampleGates=" + perExampleGates + ", device=" + device + ", progressEverySteps="
                + progressEverySteps + ", maxRuntime=" + maxRuntime + ", target=" + target + ", roundUnitsTo="
                + roundUnitsTo + ", optimizer=" + optimizer + ", schedule=" + schedule + ", augmentation="
                + augmentation + "]";
    }

    /** Collects options; starts at the paper's settings. Not thread-safe; {@link #build()} copies. */
    public static final class Builder {

        private int epochs = DEFAULT_EPOCHS;
        private int batchSize = DEFAULT_BATCH_SIZE;
        /** Null until given: the optimizer's default ({@link OptimizerSpec#defaultLearningRate()}). */
        private Double learningRate;
        private List<Double> lambdas = List.of(DEFAULT_LAMBDA);
        /** Whether λ was given; without it a run with a target gets λ = 0 (see {@link #optTarget}). */
        private boolean lambdasGiven;
        private double weightDecay;
        private double beta = DEFAULT_BETA;
        private List<Double> initialDropRates = List.of();
        private double emaDecay = DEFAULT_EMA_DECAY;
        private long seed = DEFAULT_SEED;
        private boolean perExampleGates;
        private String device;
        private int progressEverySteps;
        private Duration maxRuntime;
        private SizeTarget target;
        private Integer roundUnitsTo;
        private OptimizerSpec optimizer = new OptimizerSpec.Adam();
        private LearningRateSchedule schedule = new LearningRateSchedule.Constant();
        private Augmentation augmentation;

        private Builder() {}

        /** Passes over the training set; at least 1. Default 200 (the paper's MNIST runs). */
        public Builder optEpochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /** Examples per minibatch; at least 1. Default 100 (the paper). */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * The base learning rate, scaled per epoch by the schedule; positive. Default: the optimizer's, 1e-3 for
         * Adam (the paper's MNIST runs), 0.1 for SGD (the paper's WRN runs).
         */
        public Builder optLearningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /**
         * λ "per 1/N": one value for every gated layer, or one per gated layer in order (the paper's "λ sep.");
         * the penalty adds λ/N per expected non-zero parameter. Non-negative. Default [0.1] (the paper's MNIST
         * MLP).
         */
        public Builder optLambdas(List<Double> lambdas) {
            this.lambdas = lambdas;
            this.lambdasGiven = true;
            return this;
        }

        /** Coefficient of the ½·wd·w² term inside each group; non-negative. Default 0 (reproduces Table 1). */
        public Builder optWeightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Hard-concrete temperature β; positive. Default 2/3 (the paper). */
        public Builder optBeta(double beta) {
            this.beta = beta;
            return this;
        }

        /**
         * Initial drop rate d per gated layer, each strictly between 0 and 1 (log α starts at log(1−d) − log d):
         * one value for every gated layer or one per gated layer. Default empty: the reference's rule, 0.2 for a
         * network's first layer when it is dense, 0.5 elsewhere.
         */
        public Builder optInitialDropRates(List<Double> initialDropRates) {
            this.initialDropRates = initialDropRates;
            return this;
        }

        /** Decay of the parameter moving average that is evaluated and pruned; in [0, 1), 0 disables it. Default 0.999. */
        public Builder optEmaDecay(double emaDecay) {
            this.emaDecay = emaDecay;
            return this;
        }

        /** Seeds initialisation, shuffling and gate noise. Default 1. */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** One gate sample per example ("local reparametrization") instead of one per minibatch. Default false. */
        public Builder optPerExampleGates(boolean perExampleGates) {
            this.perExampleGates = perExampleGates;
            return this;
        }

        /**
         * Where to train, see {@link Devices}: "auto", "cpu", "gpu", "gpu:N", "gpu:N,M" or "gpu:all". Default
         * unset (null): a job leaves the choice to its worker, the core trains as for "auto".
         */
        public Builder optDevice(String device) {
            this.device = device;
            return this;
        }

        /** Report progress every so many steps besides every epoch end; not negative. Default 0 (epochs only). */
        public Builder optProgressEverySteps(int progressEverySteps) {
            this.progressEverySteps = progressEverySteps;
            return this;
        }

        /**
         * Wall-clock budget; positive. Exceeded ⇒ {@link TrainingAbortedException} with reason
         * {@code MAX_RUNTIME_EXCEEDED}. Default null: unbounded.
         */
        public Builder optMaxRuntime(Duration maxRuntime) {
            this.maxRuntime = maxRuntime;
            return this;
        }

        /**
         * A size budget (see {@link SizeTarget}): the run adds a Lagrangian term that drives the expected size to
         * it, and the delivered network never exceeds it. λ still applies beside it, but defaults to 0 with a target:
         * the L0 term pulls the size down whatever the budget, so with the paper's λ on a small training set the
         * controller spends its multipliers holding the network up at the target. Default null: no budget.
         */
        public Builder optTarget(SizeTarget target) {
            this.target = target;
            return this;
        }

        /**
         * Rounds the kept units (inputs of a dense layer, filters of a conv layer) of every gated layer UP to a
         * multiple of this when pruning, for shapes hardware runs fast: the closed groups with the highest log α
         * are kept as padding with zero weights, so the pruned network computes the same function. At least 1.
         * With a target the budget counts the rounded network. Default null: no rounding.
         */
        public Builder optRoundUnitsTo(Integer roundUnitsTo) {
            this.roundUnitsTo = roundUnitsTo;
            return this;
        }

        /**
         * The optimizer (see {@link OptimizerSpec}); every trainable parameter, log α included, is updated with it.
         * Default Adam (the paper's MNIST runs); the paper's WRN runs use {@link OptimizerSpec.Sgd#paper()}.
         */
        public Builder optOptimizer(OptimizerSpec optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /**
         * How the learning rate changes from epoch to epoch (see {@link LearningRateSchedule}). Default constant;
         * the paper's WRN runs use {@link LearningRateSchedule.Step#paper()}.
         */
        public Builder optSchedule(LearningRateSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /**
         * Random crops and flips of the training images (see {@link Augmentation}); image inputs only. Default null:
         * none. The paper's CIFAR runs use {@link Augmentation#paper()}.
         */
        public Builder optAugmentation(Augmentation augmentation) {
            this.augmentation = augmentation;
            return this;
        }

        private double learningRateOrDefault() {
            return learningRate != null ? learningRate : optimizer.defaultLearningRate();
        }

        /** The options; throws {@link IllegalArgumentException} naming the first option the core cannot use. */
        public TrainingOptions build() {
            if (target != null && !lambdasGiven) {
                lambdas = List.of(0.0);
            }
            requireAtLeastOne("epochs", epochs);
            requireAtLeastOne("batchSize", batchSize);
            if (optimizer == null) {
                throw new IllegalArgumentException("optimizer: must not be null");
            }
            if (schedule == null) {
                throw new IllegalArgumentException("schedule: must not be null");
            }
            requirePositiveFinite("learningRate", learningRateOrDefault());
            if (lambdas == null || lambdas.isEmpty()) {
                throw new IllegalArgumentException("lambda: give one value or one per gated layer");
            }
            for (int i = 0; i < lambdas.size(); i++) {
                requireNonNegativeFinite(lambdas.size() == 1 ? "lambda" : "lambda[" + i + "]", lambdas.get(i));
            }
            requireNonNegativeFinite("weightDecay", weightDecay);
            requirePositiveFinite("temperature", beta);
            if (initialDropRates == null) {
                throw new IllegalArgumentException("initialDropRate: must not be null");
            }
            for (int i = 0; i < initialDropRates.size(); i++) {
                Double d = initialDropRates.get(i);
                String field = initialDropRates.size() == 1 ? "initialDropRate" : "initialDropRate[" + i + "]";
                if (d == null || !(d > 0 && d < 1)) {
                    throw new IllegalArgumentException(field + ": must be strictly between 0 and 1 but is " + d);
                }
            }
            if (!(emaDecay >= 0 && emaDecay < 1)) {
                throw new IllegalArgumentException("ema: must be in [0, 1) but is " + emaDecay);
            }
            if (device != null) {
                Devices.parse(device);
            }
            if (progressEverySteps < 0) {
                throw new IllegalArgumentException("progressEverySteps: must not be negative");
            }
            if (maxRuntime != null && (maxRuntime.isNegative() || maxRuntime.isZero())) {
                throw new IllegalArgumentException("maxRuntime: must be positive");
            }
            if (roundUnitsTo != null && roundUnitsTo < 1) {
                throw new IllegalArgumentException("roundUnitsTo: must be at least 1 but is " + roundUnitsTo);
            }
            if (target != null && target.warmupEpochs() != null && target.warmupEpochs() > epochs) {
                throw new IllegalArgumentException("target.warmupEpochs: must be at most epochs (" + epochs
                        + ") but is " + target.warmupEpochs());
            }
            return new TrainingOptions(this);
        }

        private static void requireAtLeastOne(String field, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(field + ": must be at least 1 but is " + value);
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
}

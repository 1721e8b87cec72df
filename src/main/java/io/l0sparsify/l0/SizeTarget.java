package io.l0sparsify.l0;

/**
 * A size budget for the pruned network and how the run reaches it (the contract's {@code training.target}):
 * a fraction of the original network's FLOPs or parameters, counted as result.json counts the pruned network
 * ({@link io.l0sparsify.prune.PrunedNetwork#flops()}, {@link io.l0sparsify.prune.PrunedNetwork#parameterCount()}).
 *
 * <p>During training a Lagrangian term λ₁(ŝ − t) + λ₂·max(0, ŝ − t)² joins the loss (see {@link BudgetController}),
 * where ŝ is the expected size fraction under the gates ({@link ExpectedSize}) and t ramps linearly from the
 * expected size of the initial gates to {@link #fraction} over {@link #warmupEpochs}; the multipliers rise by gradient ascent with
 * step {@link #multiplierLearningRate}. The ordinary L0 term (λ per 1/N) still applies and pulls below the
 * budget (so λ defaults to 0 when a target is given); the budget is an upper bound, so the controller does not
 * pull a network that is under it back open. At the end a deterministic network still over the budget has groups closed
 * ({@link BudgetController#groupsToClose}) until it fits, and then fine-tunes its weights for
 * {@link #fineTuneEpochs} epochs with the gates frozen.
 *
 * @param metric what the fraction counts
 * @param fraction the budget, strictly between 0 and 1
 * @param warmupEpochs epochs over which the target ramps from its start to {@code fraction}; null: 30 % of the epochs
 * @param multiplierLearningRate step of the multipliers' gradient ascent; positive
 * @param fineTuneEpochs epochs of fine-tuning with frozen gates after groups were closed to meet the budget
 * @param rampStart where the ramp starts, as a fraction of the original size; null: the expected size of the
 *     initial gates. Not part of the contract: a sweep sets it for a point warm-started from a smaller network
 *     than a fresh one, so that its target moves on from the previous point's budget instead of starting near
 *     the dense size
 */
public record SizeTarget(Metric metric, double fraction, Double warmupEpochs, double multiplierLearningRate,
        int fineTuneEpochs, Double rampStart) {

    /**
     * Default multiplier step. Larger steps reach the target sooner but wind λ₁ up while the gates lag behind it
     * (Adam moves log α by about its learning rate per step) and overshoot; 0.2 tracked the ramp on MNIST MLPs.
     */
    public static final double DEFAULT_MULTIPLIER_LEARNING_RATE = 0.2;
    public static final int DEFAULT_FINE_TUNE_EPOCHS = 1;
    /** Share of the planned epochs the target ramps over when no warm-up is given. */
    public static final double DEFAULT_WARMUP_SHARE = 0.3;

    /** The sizes a budget can count. */
    public enum Metric {
        /** Multiply-add FLOPs of one forward pass, as result.json's {@code flops}. */
        FLOPS("flops"),
        /** Weights and biases, as result.json's {@code parameters}. */
        PARAMETERS("parameters");

        private final String field;

        Metric(String field) {
            this.field = field;
        }

        /** The contract's name of this metric (the field of {@code training.target} that carries the fraction). */
        public String field() {
            return field;
        }
    }

    /** Checks the values; messages start with the field name under {@code target}. */
    public SizeTarget {
        if (metric == null) {
            throw new IllegalArgumentException("target: give exactly one of flops or parameters");
        }
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("target." + metric.field() + ": must be strictly between 0 and 1 but is "
                    + fraction);
        }
        if (warmupEpochs != null && !(warmupEpochs >= 0 && Double.isFinite(warmupEpochs))) {
            throw new IllegalArgumentException("target.warmupEpochs: must be a non-negative finite number but is "
                    + warmupEpochs);
        }
        if (!(multiplierLearningRate > 0) || Double.isInfinite(multiplierLearningRate)) {
            throw new IllegalArgumentException("target.multiplierLearningRate: must be a positive finite number but is "
                    + multiplierLearningRate);
        }
        if (fineTuneEpochs < 0) {
            throw new IllegalArgumentException("target.fineTuneEpochs: must not be negative but is " + fineTuneEpochs);
        }
        if (rampStart != null && !(rampStart > 0 && rampStart <= 1)) {
            throw new IllegalArgumentException("target.rampStart: must be in (0, 1] but is " + rampStart);
        }
    }

    /** A budget whose ramp starts at the expected size of the initial gates. */
    public SizeTarget(Metric metric, double fraction, Double warmupEpochs, double multiplierLearningRate,
            int fineTuneEpochs) {
        this(metric, fraction, warmupEpochs, multiplierLearningRate, fineTuneEpochs, null);
    }

    /** This budget with its ramp starting at {@code start} (a fraction of the original size). */
    public SizeTarget withRampStart(double start) {
        return new SizeTarget(metric, fraction, warmupEpochs, multiplierLearningRate, fineTuneEpochs, start);
    }

    /** A budget with the default warm-up, multiplier step and fine-tuning. */
    public static SizeTarget of(Metric metric, double fraction) {
        return new SizeTarget(metric, fraction, null, DEFAULT_MULTIPLIER_LEARNING_RATE, DEFAULT_FINE_TUNE_EPOCHS);
    }

    /**
     * The binding's entry point: exactly one of {@code flops} and {@code parameters}, the rest optional (null: the
     * default).
     */
    public static SizeTarget fromFields(Double flops, Double parameters, Double warmupEpochs,
            Double multiplierLearningRate, Integer fineTuneEpochs) {
        if ((flops == null) == (parameters == null)) {
            throw new IllegalArgumentException("target: give exactly one of flops or parameters");
        }
        return new SizeTarget(flops != null ? Metric.FLOPS : Metric.PARAMETERS, flops != null ? flops : parameters,
                warmupEpochs, multiplierLearningRate != null ? multiplierLearningRate : DEFAULT_MULTIPLIER_LEARNING_RATE,
                fineTuneEpochs != null ? fineTuneEpochs : DEFAULT_FINE_TUNE_EPOCHS);
    }

    /** The fraction when the metric is FLOPs, else null (for the binding). */
    public Double flops() {
        return metric == Metric.FLOPS ? fraction : null;
    }

    /** The fraction when the metric is parameters, else null (for the binding). */
    public Double parameters() {
        return metric == Metric.PARAMETERS ? fraction : null;
    }

    /** Epochs of warm-up for a run of {@code epochs} epochs. */
    public double warmupEpochsOf(int epochs) {
        return warmupEpochs != null ? warmupEpochs : DEFAULT_WARMUP_SHARE * epochs;
    }
}

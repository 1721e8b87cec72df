package io.l0sparsify.l0;

/**
 * The optimizer a run updates every trainable parameter with (the contract's {@code training.optimizer}), log α
 * of the gates included, as the authors' code does: one optimizer over {@code model.parameters()}. Neither kind
 * applies weight decay itself: the L0 objective carries its own ½·wd·w² term inside each gate group
 * ({@link L0Penalty}), so the decay reaches the weights through the gradient and never reaches log α, as in the
 * authors' WRN script (plain {@code torch.optim.SGD} without {@code weight_decay}, the L2 term in the loss).
 *
 * <p>The kinds are closed: the trainer and the binding switch over them without a {@code default}.
 */
public sealed interface OptimizerSpec permits OptimizerSpec.Adam, OptimizerSpec.Sgd {

    /** Learning rate of Adam when the job gives none (the paper's MNIST runs). */
    double ADAM_LEARNING_RATE = 1e-3;
    /** Learning rate of SGD when the job gives none (the paper's WRN runs). */
    double SGD_LEARNING_RATE = 0.1;

    /** The learning rate a run gets with this optimizer when none is given. */
    double defaultLearningRate();

    /**
     * Adam with β₁ = 0.9, β₂ = 0.999, ε = 1e-8 ({@link ResumableAdam}); the default, and the only optimizer of
     * earlier releases, whose runs it reproduces bit for bit.
     */
    record Adam() implements OptimizerSpec {

        @Override
        public double defaultLearningRate() {
            return ADAM_LEARNING_RATE;
        }
    }

    /**
     * Stochastic gradient descent with momentum in PyTorch's formulation ({@link ResumableSgd}):
     *
     * <pre>
     *   v ← μ·v + g            (v starts at 0, so the first step has v = g, as PyTorch's first step)
     *   θ ← θ − η·(g + μ·v)    with Nesterov momentum
     *   θ ← θ − η·v            without
     * </pre>
     *
     * @param momentum μ, in [0, 1); default 0.9 (the paper's WRN runs)
     * @param nesterov Nesterov's variant; default true (the paper's WRN runs); needs a positive momentum
     */
    record Sgd(double momentum, boolean nesterov) implements OptimizerSpec {

        public static final double DEFAULT_MOMENTUM = 0.9;

        /** Checks the values; messages start with the field name under {@code optimizer}. */
        public Sgd {
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("optimizer.momentum: must be in [0, 1) but is " + momentum);
            }
            if (nesterov && momentum == 0) {
                throw new IllegalArgumentException("optimizer.nesterov: Nesterov momentum needs a positive"
                        + " momentum; give optimizer.momentum or set nesterov to false");
            }
        }

        /** The paper's WRN settings: momentum 0.9 with Nesterov's variant. */
        public static Sgd paper() {
            return new Sgd(DEFAULT_MOMENTUM, true);
        }

        /** The binding's entry point: absent members (null) take the paper's values. */
        public static Sgd fromFields(Double momentum, Boolean nesterov) {
            return new Sgd(momentum != null ? momentum : DEFAULT_MOMENTUM, nesterov == null || nesterov);
        }

        @Override
        public double defaultLearningRate() {
            return SGD_LEARNING_RATE;
        }
    }
}

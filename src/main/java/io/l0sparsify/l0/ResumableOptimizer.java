package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import java.util.List;

/**
 * An optimizer whose state a checkpoint can hold and whose learning rate the trainer sets per epoch from the
 * run's {@link LearningRateSchedule}. DJL's optimizers keep their state private and read their rate from a
 * tracker keyed by DJL's own update count, so a resumed run could neither restore the state nor continue on the
 * same rates.
 */
abstract sealed class ResumableOptimizer extends Optimizer permits ResumableAdam, ResumableSgd {

    /** The step size of the next updates; set by the trainer at the start of every epoch. */
    protected float learningRate;

    ResumableOptimizer(float learningRate) {
        super(new Builder());
        this.learningRate = learningRate;
    }

    /**
     * The optimizer {@code spec} names, starting at {@code learningRate}; Adam with its moments on the Java heap
     * when {@code onHost} ({@link HostUpdate} then does its updates).
     */
    static ResumableOptimizer of(OptimizerSpec spec, float learningRate, boolean onHost) {
        return switch (spec) {
            case OptimizerSpec.Adam _ -> new ResumableAdam(learningRate, onHost);
            case OptimizerSpec.Sgd sgd -> {
                if (onHost) {
                    throw new IllegalArgumentException("SGD updates its parameters on their device only");
                }
                yield new ResumableSgd(learningRate, (float) sgd.momentum(), sgd.nesterov());
            }
        };
    }

    void setLearningRate(float learningRate) {
        this.learningRate = learningRate;
    }

    float learningRate() {
        return learningRate;
    }

    /**
     * Updates each of {@code parameters} from its gradient, which the update clears: what DJL's
     * {@code Trainer.step()} does for one device, without the copy of every gradient its parameter server makes
     * before handing it over (an update here never changes the gradient it is given) and without its one-time
     * check, at the first step, that gradients exist (a read of their sum to the host).
     */
    void step(List<Parameter> parameters) {
        for (Parameter p : parameters) {
            NDArray weight = p.getArray();
            try (NDArray gradient = weight.getGradient()) {
                update(p.getId(), weight, gradient);
            }
        }
    }

    /** The state of {@code parameters}, in that order; an empty state before the first step. */
    abstract TrainingCheckpoint.OptimizerState state(List<Parameter> parameters);

    /**
     * Continues from a saved state of the same parameters; an empty state (of either kind) leaves the state at
     * its start.
     *
     * @throws IllegalArgumentException when the state is another optimizer's or does not fit the parameters
     */
    abstract void restore(List<Parameter> parameters, TrainingCheckpoint.OptimizerState state);

    /** The per-parameter arrays of a state must be one per parameter, each of the parameter's size. */
    static void requireFits(List<Parameter> parameters, List<float[]> arrays, String what) {
        if (arrays.size() != parameters.size()) {
            throw new IllegalArgumentException(what + " for " + arrays.size() + " parameters but the network has "
                    + parameters.size());
        }
        for (int i = 0; i < parameters.size(); i++) {
            if (arrays.get(i).length != parameters.get(i).getArray().size()) {
                throw new IllegalArgumentException(what + " does not match parameter " + parameters.get(i).getName());
            }
        }
    }

    /** No rescaling and no clipping: the objective is what the paper's is. */
    private static final class Builder extends OptimizerBuilder<Builder> {
        Builder() {
            setRescaleGrad(1.0f);
            optClipGrad(-1f);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}

package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SGD with momentum, optionally Nesterov's, in PyTorch's formulation ({@code torch.optim.SGD} with
 * {@code dampening = 0} and no weight decay: the L0 objective carries its own, see {@link OptimizerSpec}):
 *
 * <pre>
 *   v ← μ·v + g
 *   θ ← θ − η·(g + μ·v)    Nesterov
 *   θ ← θ − η·v            otherwise
 * </pre>
 *
 * PyTorch starts v at g on the first step; starting it at 0 gives the same v = μ·0 + g. The momentum buffers
 * are what a checkpoint keeps, so a resumed run continues on the same velocities. DJL's own SGD has no
 * Nesterov variant and keeps its buffers private. Like the engine's Adam update, each update clears its weight's
 * gradient.
 */
final class ResumableSgd extends ResumableOptimizer {

    private final float momentum;
    private final boolean nesterov;
    private final Map<String, Velocity> velocities = new ConcurrentHashMap<>();

    private static final class Velocity {
        final NDArray value;
        long steps;

        Velocity(NDArray value, long steps) {
            this.value = value;
            this.steps = steps;
        }
    }

    ResumableSgd(float learningRate, float momentum, boolean nesterov) {
        super(learningRate);
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        // created outside any NDScope (the trainer steps outside them) on the weight's manager, closed with it
        Velocity v = velocities.computeIfAbsent(parameterId, id -> new Velocity(weight.zerosLike(), 0));
        v.steps++;
        // the temporaries and the scalars of the in-place ops would otherwise stay on the model's manager
        try (NDScope ignored = new NDScope()) {
            v.value.muli(momentum).addi(grad);
            NDArray direction = nesterov ? grad.add(v.value.mul(momentum)) : v.value;
            weight.subi(direction.mul(learningRate));
        }
        // the next backward adds to the gradient: clear it, as the engine's Adam update does (see Autograd)
        Autograd.zeroGradient(weight);
    }

    /** The velocities of {@code parameters}, in that order; empty before the first step. */
    @Override
    TrainingCheckpoint.SgdMomentum state(List<Parameter> parameters) {
        List<float[]> buffers = new ArrayList<>();
        long steps = 0;
        for (Parameter p : parameters) {
            Velocity v = velocities.get(p.getId());
            if (v == null) {
                return TrainingCheckpoint.SgdMomentum.NONE;
            }
            buffers.add(v.value.toFloatArray());
            steps = v.steps;
        }
        return new TrainingCheckpoint.SgdMomentum(buffers, steps);
    }

    @Override
    void restore(List<Parameter> parameters, TrainingCheckpoint.OptimizerState saved) {
        if (saved.isEmpty()) {
            return;
        }
        TrainingCheckpoint.SgdMomentum state = switch (saved) {
            case TrainingCheckpoint.SgdMomentum sgd -> sgd;
            case TrainingCheckpoint.AdamMoments _ -> throw new IllegalArgumentException(
                    "the checkpoint holds Adam's moments but the run uses SGD");
        };
        requireFits(parameters, state.buffers(), "SGD's momentum");
        for (int i = 0; i < parameters.size(); i++) {
            NDArray value = parameters.get(i).getArray().zerosLike();
            NativeArrays.assign(value, state.buffers().get(i));
            Velocity previous = velocities.put(parameters.get(i).getId(), new Velocity(value, state.steps()));
            if (previous != null) {
                previous.value.close();
            }
        }
    }
}

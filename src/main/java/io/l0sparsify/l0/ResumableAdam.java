package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Adam whose moments can be saved and restored. DJL's Adam keeps them private, so a checkpoint could not hold
 * them and a resumed run restarted them from zero. The update is DJL's: its fused PyTorch kernel with the same
 * arguments as DJL's Adam (bias correction folded into the step size, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, no
 * weight decay: the L0 objective carries its own). The step count is kept per parameter; DJL's is the maximum
 * over one optimizer's parameters, the same number when every parameter is updated every step, as here.
 */
final class ResumableAdam extends ResumableOptimizer {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final Map<String, Moments> moments = new ConcurrentHashMap<>();

    private static final class Moments {
        final NDArray mean;
        final NDArray variance;
        long steps;

        Moments(NDArray mean, NDArray variance, long steps) {
            this.mean = mean;
            this.variance = variance;
            this.steps = steps;
        }
    }

    ResumableAdam(float learningRate) {
        super(learningRate);
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        // created outside any NDScope (the trainer steps outside them) on the weight's manager, closed with it
        Moments m = moments.computeIfAbsent(parameterId,
                id -> new Moments(weight.zerosLike(), weight.zerosLike(), 0));
        m.steps++;
        double coefficient1 = 1.0 - Math.pow(BETA1, m.steps);
        double coefficient2 = 1.0 - Math.pow(BETA2, m.steps);
        float stepSize = (float) (learningRate * Math.sqrt(coefficient2) / coefficient1);
        weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, m.mean, m.variance), new NDList(weight),
                learningRate, stepSize, 0f, rescaleGrad, clipGrad, BETA1, BETA2, EPSILON, true, false);
    }

    /** The moments of {@code parameters}, in that order; empty before the first step. */
    @Override
    TrainingCheckpoint.AdamMoments state(List<Parameter> parameters) {
        List<float[]> means = new ArrayList<>();
        List<float[]> variances = new ArrayList<>();
        long steps = 0;
        for (Parameter p : parameters) {
            Moments m = moments.get(p.getId());
            if (m == null) {
                return TrainingCheckpoint.AdamMoments.NONE;
            }
            means.add(m.mean.toFloatArray());
            variances.add(m.variance.toFloatArray());
            steps = m.steps;
        }
        return new TrainingCheckpoint.AdamMoments(means, variances, steps);
    }

    @Override
    void restore(List<Parameter> parameters, TrainingCheckpoint.OptimizerState saved) {
        if (saved.isEmpty()) {
            return;
        }
        TrainingCheckpoint.AdamMoments state = switch (saved) {
            case TrainingCheckpoint.AdamMoments adam -> adam;
            case TrainingCheckpoint.SgdMomentum _ -> throw new IllegalArgumentException(
                    "the checkpoint holds SGD's momentum but the run uses Adam");
        };
        requireFits(parameters, state.means(), "Adam's means");
        requireFits(parameters, state.variances(), "Adam's variances");
        for (int i = 0; i < parameters.size(); i++) {
            NDArray weight = parameters.get(i).getArray();
            NDArray mean = weight.zerosLike();
            NDArray variance = weight.zerosLike();
            NativeArrays.assign(mean, state.means().get(i));
            NativeArrays.assign(variance, state.variances().get(i));
            Moments previous = moments.put(parameters.get(i).getId(), new Moments(mean, variance, state.steps()));
            if (previous != null) {
                previous.mean.close();
                previous.variance.close();
            }
        }
    }
}

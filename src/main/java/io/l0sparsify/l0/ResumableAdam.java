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
 * them and a resumed run restarted them from zero. On a device the update is DJL's: its fused PyTorch kernel with
 * the same arguments as DJL's Adam (bias correction folded into the step size, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, no
 * weight decay: the L0 objective carries its own). A run on the CPU keeps the moments on the Java heap instead,
 * where {@link HostUpdate} computes the same update. The step count is kept per parameter; DJL's is the maximum
 * over one optimizer's parameters, the same number when every parameter is updated every step, as here.
 */
final class ResumableAdam extends ResumableOptimizer {

    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPSILON = 1e-8f;

    /** Whether the moments live on the Java heap ({@link HostUpdate}) rather than beside the parameters. */
    private final boolean onHost;
    private final Map<String, Moments> moments = new ConcurrentHashMap<>();

    /** One parameter's running moments and the number of steps they have seen. */
    private abstract static sealed class Moments permits DeviceMoments, HostMoments {
        long steps;

        Moments(long steps) {
            this.steps = steps;
        }
    }

    private static final class DeviceMoments extends Moments {
        final NDArray mean;
        final NDArray variance;

        DeviceMoments(NDArray mean, NDArray variance, long steps) {
            super(steps);
            this.mean = mean;
            this.variance = variance;
        }
    }

    /** Moments on the Java heap, which {@link HostUpdate} updates in place. */
    static final class HostMoments extends Moments {
        final float[] mean;
        final float[] variance;

        HostMoments(float[] mean, float[] variance, long steps) {
            super(steps);
            this.mean = mean;
            this.variance = variance;
        }
    }

    ResumableAdam(float learningRate, boolean onHost) {
        super(learningRate);
        this.onHost = onHost;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        if (onHost) {
            throw new IllegalStateException("this Adam keeps its moments on the heap; HostUpdate updates them");
        }
        // created outside any NDScope (the trainer steps outside them) on the weight's manager, closed with it
        DeviceMoments m = (DeviceMoments) moments.computeIfAbsent(parameterId,
                id -> new DeviceMoments(weight.zerosLike(), weight.zerosLike(), 0));
        m.steps++;
        weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, m.mean, m.variance), new NDList(weight),
                learningRate, stepSize(m.steps), 0f, rescaleGrad, clipGrad, BETA1, BETA2, EPSILON, true, false);
    }

    /**
     * The heap moments of parameter {@code id} of {@code size} values (zero at first use), counted one step on:
     * what {@link HostUpdate} updates for this step.
     */
    HostMoments advanceOnHost(String id, int size) {
        if (!onHost) {
            throw new IllegalStateException("this Adam keeps its moments beside the parameters");
        }
        HostMoments m = (HostMoments) moments.computeIfAbsent(id,
                key -> new HostMoments(new float[size], new float[size], 0));
        m.steps++;
        return m;
    }

    /** The learning rate with both bias corrections folded in, after {@code steps} steps: ε stays unscaled. */
    float stepSize(long steps) {
        double coefficient1 = 1.0 - Math.pow(BETA1, steps);
        double coefficient2 = 1.0 - Math.pow(BETA2, steps);
        return (float) (learningRate * Math.sqrt(coefficient2) / coefficient1);
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
            switch (m) {
                case DeviceMoments d -> {
                    means.add(d.mean.toFloatArray());
                    variances.add(d.variance.toFloatArray());
                }
                case HostMoments h -> {
                    means.add(h.mean.clone());
                    variances.add(h.variance.clone());
                }
            }
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
            Moments restored;
            if (onHost) {
                restored = new HostMoments(state.means().get(i).clone(), state.variances().get(i).clone(),
                        state.steps());
            } else {
                NDArray weight = parameters.get(i).getArray();
                NDArray mean = weight.zerosLike();
                NDArray variance = weight.zerosLike();
                NativeArrays.assign(mean, state.means().get(i));
                NativeArrays.assign(variance, state.variances().get(i));
                restored = new DeviceMoments(mean, variance, state.steps());
            }
            if (moments.put(parameters.get(i).getId(), restored) instanceof DeviceMoments previous) {
                previous.mean.close();
                previous.variance.close();
            }
        }
    }
}

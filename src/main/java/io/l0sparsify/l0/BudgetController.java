package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives the expected size of the pruned network to a {@link SizeTarget} with the Lagrangian of CoFi (Xia et al.
 * 2022) and Sheared-LLaMA (Xia et al. 2024):
 *
 * <pre>
 *   L = λ₁·(ŝ − t) + λ₂·(ŝ − t)²                  added to the loss; the model minimises it
 *   λ₁ ← λ₁ + η·(ŝ − t),   λ₂ ← λ₂ + η·(ŝ − t)²     after each step: gradient ASCENT, the multipliers maximise it
 *   t(step) = ŝ₀ − (ŝ₀ − f)·min(1, step / warm-up steps)
 * </pre>
 *
 * ŝ is the expected size fraction ({@link ExpectedSize}) at the parameters the step's loss was computed at, f the
 * budget, ŝ₀ the expected size of the initial gates (or {@link SizeTarget#rampStart()} when set, for a warm start):
 * the ramp starts where the network starts (the gates open
 * with their initial drop rate, so ŝ₀ is below 1), otherwise λ₁ would spend the first part of the warm-up
 * falling negative to hold the network at a size it is already under. While ŝ is above t, λ₁ grows and pushes the gates shut; once below, λ₁ falls and may turn negative,
 * which pulls gates back open, so the size settles at the target instead of merely under it. λ₂ only grows and
 * damps the oscillation. The multipliers are plain numbers (no optimizer state), so a checkpoint holds the whole
 * controller in two doubles.
 */
final class BudgetController {

    private final SizeTarget target;
    private final ExpectedSize size;
    private final List<GatedLayer> gated = new ArrayList<>();
    private final HardConcreteGate gate;
    private final double warmupSteps;
    /** ŝ₀: the expected size of the initial gates, where the ramp starts. */
    private final double start;
    private double lambda1;
    private double lambda2;
    /** The target of the step in progress, set by {@link #beginStep}. */
    private double stepTarget = 1;

    BudgetController(SizeTarget target, ExpectedSize size, L0Network network, int epochs, int stepsPerEpoch) {
        this.target = target;
        this.size = size;
        this.gate = network.gate();
        for (GatedLayer layer : network.weightedLayers()) {
            if (layer.gated()) {
                gated.add(layer);
            }
        }
        this.warmupSteps = target.warmupEpochsOf(epochs) * stepsPerEpoch;
        // the network is freshly initialised from the seed here, also when a checkpoint is restored later, so the
        // start is the same in a resumed run as in the uninterrupted one
        this.start = target.rampStart() != null ? target.rampStart()
                : expectedFraction(target.metric(), network.logAlphas());
    }

    SizeTarget target() {
        return target;
    }

    TrainingCheckpoint.Multipliers multipliers() {
        return new TrainingCheckpoint.Multipliers(lambda1, lambda2);
    }

    void restore(TrainingCheckpoint.Multipliers multipliers) {
        lambda1 = multipliers.lambda1();
        lambda2 = multipliers.lambda2();
    }

    /** t after {@code step} steps: ŝ₀ at the start, the budget from the end of the warm-up on. */
    double targetAt(long step) {
        double progress = warmupSteps <= 0 ? 1 : Math.min(1, step / warmupSteps);
        return start - (start - target.fraction()) * progress;
    }

    /** Sets the target of the step about to be taken (the {@code step}-th, counting from 0). */
    void beginStep(long step) {
        stepTarget = targetAt(step);
    }

    /**
     * λ₁(ŝ − t) + λ₂(ŝ − t)² with ŝ computed from the gated layers' log α as a differentiable scalar; on the
     * parameters' manager, so call inside an NDScope.
     */
    NDArray term() {
        List<NDArray> probabilities = new ArrayList<>(gated.size());
        for (GatedLayer layer : gated) {
            probabilities.add(gate.probabilityNonZero(layer.logAlpha().getArray()));
        }
        NDArray gap = size.fractionArray(target.metric(), probabilities)
                .sub(HardConcreteGate.scalar(probabilities.getFirst(), stepTarget));
        return gap.mul(HardConcreteGate.scalar(gap, lambda1))
                .add(gap.square().mul(HardConcreteGate.scalar(gap, lambda2)));
    }

    /** The ascent step for the step just taken, given ŝ at the parameters its loss was computed at. */
    void ascend(double expectedFraction) {
        double gap = expectedFraction - stepTarget;
        lambda1 += target.multiplierLearningRate() * gap;
        lambda2 += target.multiplierLearningRate() * gap * gap;
    }

    /** ŝ of {@code metric} from log α on the heap, one array per gated layer. */
    double expectedFraction(SizeTarget.Metric metric, List<float[]> logAlphas) {
        return size.fraction(metric, probabilities(gate, logAlphas));
    }

    static List<double[]> probabilities(HardConcreteGate gate, List<float[]> logAlphas) {
        List<double[]> result = new ArrayList<>(logAlphas.size());
        for (float[] la : logAlphas) {
            double[] p = new double[la.length];
            for (int g = 0; g < la.length; g++) {
                p[g] = gate.probabilityNonZero(la[g]);
            }
            result.add(p);
        }
        return result;
    }
}

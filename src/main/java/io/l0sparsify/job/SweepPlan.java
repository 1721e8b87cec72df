package io.l0sparsify.job;

import io.l0sparsify.l0.SizeTarget;
import java.util.List;

/**
 * A sweep over size budgets: one job trains a point per target, densest first, each warm-started from the
 * network the previous point delivered, and names one of them its main model.
 *
 * @param metric what the targets count: the original network's FLOPs or parameters
 * @param targets fractions of the original size in (0, 1), distinct, sorted densest (largest) first: the run order
 * @param maxErrorIncrease the selection rule: the main model is the smallest point whose test error exceeds the
 *     densest point's by at most this much; null when the request had no {@code select}, and then the main model
 *     is the smallest point trained
 */
public record SweepPlan(SizeTarget.Metric metric, List<Double> targets, Double maxErrorIncrease) {

    public SweepPlan {
        targets = List.copyOf(targets);
    }

    /**
     * The budget of point {@code index} (0 is the densest), with the target's documented defaults. A later point
     * starts from the network the previous point delivered, which its guarantee made fit the previous budget
     * (unless only emptying a layer would have), so its ramp starts at that budget rather than at the expected size
     * of freshly initialised gates. The warm start's expected size lies below it, its undecided gates counting
     * less in ŝ than in the deterministic size; the controller does not pull a network under its target open, but
     * until the ramp comes down to ŝ it does not push either.
     */
    public SizeTarget target(int index) {
        SizeTarget target = SizeTarget.of(metric, targets.get(index));
        return index == 0 ? target : target.withRampStart(targets.get(index - 1));
    }

    public int points() {
        return targets.size();
    }
}

package io.l0sparsify.l0;

import java.util.List;

/**
 * A snapshot of a run, reported at every epoch end and, optionally, every N steps. Test error, expected
 * L0/FLOPs and kept units are computed with deterministic gates on the evaluated (averaged) parameters.
 *
 * @param epoch epochs completed when {@code epochEnd}; otherwise the epoch in progress (1-based)
 * @param epochs epochs planned
 * @param step optimizer steps done so far
 * @param stepsPerEpoch steps in one epoch
 * @param epochEnd whether this snapshot closes an epoch (test error is only measured then)
 * @param trainLoss mean cross-entropy over the steps since the previous snapshot
 * @param penalty mean L0 penalty over the same steps
 * @param testError fraction of test images misclassified, NaN when not measured in this snapshot
 * @param expectedL0 expected number of non-zero parameters
 * @param expectedFlops expected FLOPs of one forward pass, counted as the reference implementation does
 * @param keptUnits per gated layer, the number of groups whose test-time gate is non-zero
 * @param elapsedSeconds wall-clock seconds of training so far, the earlier attempts of a resumed run included
 * @param examplesPerSecond training throughput since the previous snapshot
 * @param rssMegabytes resident set size of the process, or -1 where it cannot be read
 * @param budget where a run with a size budget stands; null without one
 */
public record TrainingProgress(
        int epoch,
        int epochs,
        long step,
        int stepsPerEpoch,
        boolean epochEnd,
        double trainLoss,
        double penalty,
        double testError,
        double expectedL0,
        double expectedFlops,
        List<Integer> keptUnits,
        double elapsedSeconds,
        double examplesPerSecond,
        double rssMegabytes,
        Budget budget) {

    public TrainingProgress {
        keptUnits = List.copyOf(keptUnits);
    }

    /** A snapshot of a run without a size budget. */
    public TrainingProgress(int epoch, int epochs, long step, int stepsPerEpoch, boolean epochEnd, double trainLoss,
            double penalty, double testError, double expectedL0, double expectedFlops, List<Integer> keptUnits,
            double elapsedSeconds, double examplesPerSecond, double rssMegabytes) {
        this(epoch, epochs, step, stepsPerEpoch, epochEnd, trainLoss, penalty, testError, expectedL0, expectedFlops,
                keptUnits, elapsedSeconds, examplesPerSecond, rssMegabytes, null);
    }

    /**
     * Where a run with a size budget ({@link SizeTarget}) stands; sizes are fractions of the unpruned network's.
     *
     * @param metric what the sizes count
     * @param target the budget
     * @param currentTarget the ramped target t of the latest step (1 at the start, {@code target} after the warm-up)
     * @param expected ŝ, the expected size under the gates
     * @param deterministic the size of the network pruned with the test-time gates now
     * @param lambda1 the linear multiplier λ₁
     * @param lambda2 the quadratic multiplier λ₂
     * @param aim where the latest step aimed ŝ (before the 0.02 bound on the lead): {@code currentTarget} until the
     *            first re-aim after the warm-up, then the aim set at the start of the step's epoch from the training
     *            parameters (not the averaged ones {@code expected} and {@code deterministic} are measured at); NaN
     *            in a history kept before it was recorded
     * @param gain the gain c of that aim (how far ŝ follows the test-time network towards the budget); NaN while
     *            the aim is the ramp's
     */
    public record Budget(SizeTarget.Metric metric, double target, double currentTarget, double expected,
            double deterministic, double lambda1, double lambda2, double aim, double gain) {}

    /** Fraction of the run done, in [0, 1]. */
    public double fraction() {
        return Math.min(1.0, step / (double) ((long) epochs * stepsPerEpoch));
    }
}

package io.l0sparsify.l0;

import io.l0sparsify.prune.PrunedNetwork;
import java.util.List;

/**
 * What a finished (or early-stopped) run produced.
 *
 * @param epochsCompleted full epochs trained
 * @param stoppedEarly whether the caller asked to stop before the planned epochs
 * @param history one snapshot per epoch end (the last one also closes an early-stopped run), over every attempt of
 *     a resumed run
 * @param gatedTestError test error of the gated network with deterministic gates
 * @param dense the unpruned network with the test-time gates folded into its weights (every unit kept;
 *     units whose gate is zero have zero weights), the baseline for size and latency comparisons
 * @param pruned the physically smaller network
 * @param prunedTestError test error of {@link #pruned} (equal to the gated one up to float rounding)
 * @param gatedParameters the evaluated parameters in DJL's parameter-file format, for resuming or tuning
 * @param device the device the run used, e.g. "cpu()" or "gpu(0)"
 * @param trainingSeconds wall-clock seconds of the training steps, summed over every attempt of a resumed run
 * @param budget how the run met its size budget; null without one
 * @param delivered with a budget, the delivered gated network (after the guarantee's closing and fine-tuning) as
 *     the start of a new run ({@link TrainingCheckpoint#startingFrom}): a sweep's next point starts from it; null
 *     without a budget
 */
public record TrainingResult(
        int epochsCompleted,
        boolean stoppedEarly,
        List<TrainingProgress> history,
        double gatedTestError,
        PrunedNetwork dense,
        PrunedNetwork pruned,
        double prunedTestError,
        byte[] gatedParameters,
        String device,
        double trainingSeconds,
        BudgetOutcome budget,
        TrainingCheckpoint delivered) {

    public TrainingResult {
        history = List.copyOf(history);
    }

    /** The result of a run without a size budget. */
    public TrainingResult(int epochsCompleted, boolean stoppedEarly, List<TrainingProgress> history,
            double gatedTestError, PrunedNetwork dense, PrunedNetwork pruned, double prunedTestError,
            byte[] gatedParameters, String device, double trainingSeconds) {
        this(epochsCompleted, stoppedEarly, history, gatedTestError, dense, pruned, prunedTestError, gatedParameters,
                device, trainingSeconds, null, null);
    }
}

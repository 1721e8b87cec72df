package io.l0sparsify.job;

import java.util.List;

/**
 * The latest progress of a running (or finished) job, as stored with the job.
 *
 * @param epoch epochs completed at an epoch end, else the epoch in progress (1-based)
 * @param epochs epochs planned
 * @param step optimizer steps done
 * @param fraction share of the planned steps done, in [0, 1]
 * @param trainLoss mean cross-entropy since the previous snapshot
 * @param testError test error at the last epoch end; null before the first one
 * @param expectedL0 expected number of non-zero parameters
 * @param keptUnits per gated layer, the units whose test-time gate is non-zero
 * @param examplesPerSecond training throughput
 * @param elapsedSeconds seconds since training started
 * @param etaSeconds estimated seconds until training ends; null when unknown
 */
public record JobProgress(int epoch, int epochs, long step, double fraction, double trainLoss, Double testError,
        double expectedL0, List<Integer> keptUnits, double examplesPerSecond, double elapsedSeconds,
        Double etaSeconds) {

    public JobProgress {
        keptUnits = List.copyOf(keptUnits);
    }
}

package io.l0sparsify.job;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param budget where a job with a size budget ({@code training.target}) stands; null without one
 * @param sweep which point of a sweep the other members describe; null for a job without a sweep
 */
public record JobProgress(int epoch, int epochs, long step, double fraction, double trainLoss, Double testError,
        double expectedL0, List<Integer> keptUnits, double examplesPerSecond, double elapsedSeconds,
        Double etaSeconds, Budget budget, SweepPoint sweep) {

    public JobProgress {
        keptUnits = List.copyOf(keptUnits);
    }

    /** Progress of a job that is no sweep. */
    public JobProgress(int epoch, int epochs, long step, double fraction, double trainLoss, Double testError,
            double expectedL0, List<Integer> keptUnits, double examplesPerSecond, double elapsedSeconds,
            Double etaSeconds, Budget budget) {
        this(epoch, epochs, step, fraction, trainLoss, testError, expectedL0, keptUnits, examplesPerSecond,
                elapsedSeconds, etaSeconds, budget, null);
    }

    /** This progress as point {@code sweep} of a sweep. */
    public JobProgress withSweep(SweepPoint sweep) {
        return new JobProgress(epoch, epochs, step, fraction, trainLoss, testError, expectedL0, keptUnits,
                examplesPerSecond, elapsedSeconds, etaSeconds, budget, sweep);
    }

    /**
     * The point of a sweep in training (schema {@code SweepProgress}).
     *
     * @param point its index, 0 for the densest (N of its artifacts)
     * @param points the sweep's targets
     */
    public record SweepPoint(int point, int points) {}

    /** Progress of a job without a size budget. */
    public JobProgress(int epoch, int epochs, long step, double fraction, double trainLoss, Double testError,
            double expectedL0, List<Integer> keptUnits, double examplesPerSecond, double elapsedSeconds,
            Double etaSeconds) {
        this(epoch, epochs, step, fraction, trainLoss, testError, expectedL0, keptUnits, examplesPerSecond,
                elapsedSeconds, etaSeconds, null);
    }

    /**
     * The size budget's state; sizes are fractions of the unpruned network's (schema {@code BudgetProgress}).
     *
     * @param metric "flops" or "parameters"
     * @param target the budget
     * @param currentTarget the ramped target of the latest step
     * @param expected the expected size under the gates
     * @param deterministic the size of the network pruned with the test-time gates now
     * @param lambda1 the linear Lagrange multiplier
     * @param lambda2 the quadratic Lagrange multiplier
     * @param aim where the latest step aimed the expected size; null where not recorded (an older run)
     * @param gain the gain of the epoch's aim; null during the warm-up, where the aim is the ramp's
     */
    public record Budget(String metric, double target, double currentTarget, double expected, double deterministic,
            double lambda1, double lambda2, @JsonInclude(JsonInclude.Include.NON_NULL) Double aim,
            @JsonInclude(JsonInclude.Include.NON_NULL) Double gain) {}
}

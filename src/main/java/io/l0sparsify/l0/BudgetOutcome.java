package io.l0sparsify.l0;

/**
 * How a run with a size budget ({@link SizeTarget}) ended; sizes are fractions of the unpruned network's.
 *
 * @param metric what the sizes count
 * @param target the budget
 * @param expected ŝ at the end of training, the expected size under the gates the controller drove
 * @param deterministic the size of the delivered (pruned) network
 * @param lambda1 the linear multiplier at the end of training
 * @param lambda2 the quadratic multiplier at the end of training
 * @param enforcement the guarantee's closing of groups and the fine-tuning with frozen gates after training; null
 *     only when the trained network was within the budget and no fine-tuning epochs were asked for
 */
public record BudgetOutcome(SizeTarget.Metric metric, double target, double expected, double deterministic,
        double lambda1, double lambda2, Enforcement enforcement) {

    /**
     * The end of a budget run: open groups were closed, ranked by log α and what each saves, while the pruned network
     * was over the budget (none when it was within it) and until it fit (or only the last group of some layer was
     * left to close), then the weights were fine-tuned with the gates frozen.
     *
     * @param groupsClosed gate groups closed
     * @param sizeBefore the pruned network's size before closing any
     * @param sizeAfter its size after (at most the budget, unless {@code fits} is false)
     * @param fits whether the budget was met; false only when even one unit per layer (the least the pruner keeps)
     *     is over it
     * @param testErrorBefore test error (deterministic gates) right after closing, before fine-tuning
     * @param testErrorAfter test error after fine-tuning (equal to {@code testErrorBefore} without it)
     * @param fineTuneEpochs epochs of fine-tuning done (fewer than asked when the run was stopped)
     */
    public record Enforcement(int groupsClosed, double sizeBefore, double sizeAfter, boolean fits,
            double testErrorBefore, double testErrorAfter, int fineTuneEpochs) {}
}

package io.l0sparsify.l0;

import java.util.List;

/**
 * The state of a run at an epoch end, enough for {@link L0Trainer} to resume it as if it had never stopped:
 * the parameters, their moving average, the optimizer's state (Adam's moment estimates or SGD's momentum, and the
 * step count), and what the run has recorded so far (its per-epoch history and its time), so that a run resumed
 * any number of times reports the whole of itself. Shuffles, gate noise, augmentation and the learning rate's
 * schedule are derived from (seed, epoch), and the epoch is {@link #epochsCompleted}, so no generator state is
 * needed (dropout, drawn from PyTorch's generator, is the exception). {@link #encode()} and
 * {@link #decode(byte[])} give its one stored form ({@link CheckpointCodec}); storage keeps those bytes without
 * reading them.
 *
 * <p>The arrays are held as given, not copied: a checkpoint is made once per epoch and handed straight to
 * storage, and copying the whole network twice more would only cost memory.
 *
 * @param epochsCompleted epochs finished when the checkpoint was taken
 * @param step optimizer steps done
 * @param parameters the trainable parameters' values, in the network's parameter order, followed by every batch
 *     normalization's running mean and variance (state without gradient; a network without batch normalization
 *     has none)
 * @param average the moving average of the trainable parameters ({@link Average#NONE} when the run keeps none);
 *     it does not cover the running statistics, which evaluation uses as they are, as the reference WRN code does
 * @param optimizer the optimizer's state ({@link AdamMoments#NONE} or {@link SgdMomentum#NONE} before the first
 *     step)
 * @param history the run's epoch-end snapshots and time up to this checkpoint, every earlier attempt included
 *     ({@link History#NONE} in checkpoints of formats that did not keep it)
 * @param multipliers the size budget's Lagrange multipliers ({@link Multipliers#NONE} without a budget and in
 *     checkpoints of formats that did not keep them)
 */
public record TrainingCheckpoint(int epochsCompleted, long step, List<float[]> parameters, Average average,
        OptimizerState optimizer, History history, Multipliers multipliers) {

    public TrainingCheckpoint {
        parameters = List.copyOf(parameters);
    }

    /** A checkpoint of a run without a size budget. */
    public TrainingCheckpoint(int epochsCompleted, long step, List<float[]> parameters, Average average,
            OptimizerState optimizer, History history) {
        this(epochsCompleted, step, parameters, average, optimizer, history, Multipliers.NONE);
    }

    /**
     * The start of a new run from these values (parameters, then running statistics, as in {@link #parameters}):
     * epoch 0, no average, no optimizer state, no history, no multipliers.
     */
    public static TrainingCheckpoint startingFrom(List<float[]> parameters) {
        return new TrainingCheckpoint(0, 0, parameters, Average.NONE, AdamMoments.NONE, History.NONE);
    }

    /**
     * The size budget's multipliers λ₁ and λ₂ ({@link BudgetController}); they are plain numbers updated by
     * gradient ascent, so they are the controller's whole state.
     */
    public record Multipliers(double lambda1, double lambda2) {

        public static final Multipliers NONE = new Multipliers(0, 0);
    }

    /**
     * The raw (not bias-corrected) shadows of the parameter average and the number of updates they have had.
     */
    public record Average(List<float[]> shadows, long updates) {

        public static final Average NONE = new Average(List.of(), 0);

        public Average {
            shadows = List.copyOf(shadows);
        }
    }

    /** The state of the run's optimizer ({@link OptimizerSpec}): one kind per optimizer. */
    public sealed interface OptimizerState permits AdamMoments, SgdMomentum {

        /** Steps the state has seen. */
        long steps();

        /** Whether this is the state before the first step (nothing to restore). */
        boolean isEmpty();
    }

    /** Adam's first and second moment estimates per parameter, and the steps they have seen. */
    public record AdamMoments(List<float[]> means, List<float[]> variances, long steps) implements OptimizerState {

        public static final AdamMoments NONE = new AdamMoments(List.of(), List.of(), 0);

        public AdamMoments {
            means = List.copyOf(means);
            variances = List.copyOf(variances);
        }

        @Override
        public boolean isEmpty() {
            return means.isEmpty();
        }
    }

    /** SGD's momentum buffer (velocity) per parameter, and the steps it has seen. */
    public record SgdMomentum(List<float[]> buffers, long steps) implements OptimizerState {

        public static final SgdMomentum NONE = new SgdMomentum(List.of(), 0);

        public SgdMomentum {
            buffers = List.copyOf(buffers);
        }

        @Override
        public boolean isEmpty() {
            return buffers.isEmpty();
        }
    }

    /**
     * What the run recorded up to the checkpoint, carried across attempts: a resumed run appends to it, so its
     * metrics and its training time cover every attempt, not only the last.
     *
     * @param epochEnds one snapshot per completed epoch, first epoch first
     * @param trainingSeconds seconds spent in training steps
     * @param elapsedSeconds wall-clock seconds the run has trained, summed over its attempts
     */
    public record History(List<TrainingProgress> epochEnds, double trainingSeconds, double elapsedSeconds) {

        public static final History NONE = new History(List.of(), 0, 0);

        public History {
            epochEnds = List.copyOf(epochEnds);
        }
    }

    /** This checkpoint in the current format (see {@link CheckpointCodec}). */
    public byte[] encode() {
        return CheckpointCodec.encode(this);
    }

    /**
     * Reads a checkpoint of the current format, of versions 5 (Adam only), 4 (without multipliers) and 3 (without
     * history), or of the previous release's.
     *
     * @throws CheckpointFormatException when the bytes are not a checkpoint, are cut short, or come from a format
     *     version this build does not know
     */
    public static TrainingCheckpoint decode(byte[] bytes) {
        return CheckpointCodec.decode(bytes);
    }
}

package io.l0sparsify.l0;

import java.util.List;

/**
 * How the learning rate changes over a run (the contract's {@code training.schedule}). The rate is set at the
 * start of every epoch from the epoch's index and held for the whole epoch, as the authors' WRN script does
 * ({@code MultiStepLR} stepped once per epoch). Its position is therefore the number of epochs completed, which
 * every checkpoint holds, so a resumed run continues on the same rates. Epochs past the planned ones (the
 * fine-tuning of a size budget) keep the rate of the last planned epoch.
 *
 * <p>The kinds are closed: the binding switches over them without a {@code default}.
 */
public sealed interface LearningRateSchedule
        permits LearningRateSchedule.Constant, LearningRateSchedule.Step, LearningRateSchedule.Cosine {

    /**
     * The learning rate of epoch {@code epoch} (counted from 0) of a run of {@code epochs} epochs with base rate
     * {@code base}.
     */
    double rateAt(double base, int epoch, int epochs);

    /** The last planned epoch for an epoch at or past the end. */
    private static int planned(int epoch, int epochs) {
        return Math.min(epoch, epochs - 1);
    }

    /** The base rate throughout; the default. */
    record Constant() implements LearningRateSchedule {

        @Override
        public double rateAt(double base, int epoch, int epochs) {
            return base;
        }
    }

    /**
     * The base rate multiplied by {@code factor} at each milestone: epoch e runs at
     * {@code base · factor^k} where k counts the milestones m with {@code e ≥ round(m · epochs)}. The defaults are
     * the paper's WRN recipe: 0.2 at 30 %, 60 % and 80 % of the epochs (epochs 60, 120 and 160 of 200).
     *
     * @param milestones fractions of the epochs, strictly increasing, each strictly between 0 and 1
     * @param factor the multiplier at each milestone, in (0, 1]
     */
    record Step(List<Double> milestones, double factor) implements LearningRateSchedule {

        public static final List<Double> DEFAULT_MILESTONES = List.of(0.3, 0.6, 0.8);
        public static final double DEFAULT_FACTOR = 0.2;

        /** Checks the values; messages start with the field name under {@code schedule}. */
        public Step {
            if (milestones == null || milestones.isEmpty()) {
                throw new IllegalArgumentException("schedule.milestones: give at least one milestone");
            }
            milestones = List.copyOf(milestones);
            for (int i = 0; i < milestones.size(); i++) {
                double m = milestones.get(i);
                if (!(m > 0 && m < 1)) {
                    throw new IllegalArgumentException("schedule.milestones[" + i + "]: must be strictly between 0"
                            + " and 1 (a fraction of the epochs) but is " + m);
                }
                if (i > 0 && !(m > milestones.get(i - 1))) {
                    throw new IllegalArgumentException("schedule.milestones[" + i + "]: must be greater than the"
                            + " milestone before it (" + milestones.get(i - 1) + ") but is " + m);
                }
            }
            if (!(factor > 0 && factor <= 1)) {
                throw new IllegalArgumentException("schedule.factor: must be in (0, 1] but is " + factor);
            }
        }

        /** The paper's WRN schedule. */
        public static Step paper() {
            return new Step(DEFAULT_MILESTONES, DEFAULT_FACTOR);
        }

        /** The binding's entry point: absent members (null) take the paper's values. */
        public static Step fromFields(List<Double> milestones, Double factor) {
            return new Step(milestones != null ? milestones : DEFAULT_MILESTONES,
                    factor != null ? factor : DEFAULT_FACTOR);
        }

        /** The epoch (from 0) a milestone takes effect in a run of {@code epochs} epochs. */
        public static long epochOf(double milestone, int epochs) {
            return Math.round(milestone * epochs);
        }

        @Override
        public double rateAt(double base, int epoch, int epochs) {
            int e = planned(epoch, epochs);
            int passed = 0;
            for (double m : milestones) {
                passed += e >= epochOf(m, epochs) ? 1 : 0;
            }
            return passed == 0 ? base : base * Math.pow(factor, passed);
        }
    }

    /**
     * Cosine annealing to zero over the planned epochs, PyTorch's {@code CosineAnnealingLR} with
     * {@code T_max = epochs} stepped once per epoch: {@code base · ½ · (1 + cos(π · e / epochs))}.
     */
    record Cosine() implements LearningRateSchedule {

        @Override
        public double rateAt(double base, int epoch, int epochs) {
            int e = planned(epoch, epochs);
            return base * 0.5 * (1 + Math.cos(Math.PI * e / epochs));
        }
    }
}

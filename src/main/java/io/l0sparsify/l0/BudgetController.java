package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Drives the expected size of the pruned network to a {@link SizeTarget} with the Lagrangian of CoFi (Xia et al.
 * 2022) and Sheared-LLaMA (Xia et al. 2024):
 *
 * <pre>
 *   L = λ₁·(ŝ − t) + λ₂·max(0, ŝ − t)²            added to the loss; the model minimises it
 *   λ₁ ← λ₁ + η·(ŝ − t),   λ₂ ← λ₂ + η·(ŝ − t)²     after each step over the target: gradient ASCENT
 *   λ₁ ← 0                                         after each step at or under it: a dual restart
 *   t(step) = max(ŝ₀ − (ŝ₀ − f)·min(1, step / warm-up steps),  ŝ − 0.02)         during the warm-up
 *   t(step) = max(min(ŝₑ, f) − c·(dₑ − 0.99·f),  ŝ − 0.02)                          after it
 * </pre>
 *
 * with λ₁ ≥ 0 (restarted from 0 whenever ŝ ≤ t) and the quadratic counted only over the target, and two guards
 * against windup ({@link #beginStep}, {@link #endStep}): the target never leads ŝ down by more than 0.02, and the
 * multipliers hold while ŝ already moves towards the target at the pace asked of it. After the warm-up ŝ is aimed,
 * once an epoch, where the deterministic network would meet the budget, as far as its gates have chosen
 * ({@link #reaim}).
 *
 * ŝ is the expected size fraction ({@link ExpectedSize}) at the parameters the step's loss was computed at, ŝₑ and
 * dₑ the expected and the deterministic size at the start of the step's epoch, c the aim's gain ({@link #reaim}:
 * how decided the gates are, or how far d has come, whichever is more), f the budget, ŝ₀ the expected size of the
 * initial gates (or {@link SizeTarget#rampStart()} when set, for a warm start): the ramp starts where the network
 * starts (the gates open with their initial drop rate, so ŝ₀ is below 1). The budget is an upper bound, so the multipliers are an
 * inequality's: while ŝ is above t, λ₁ grows and pushes the gates shut; at or under t it restarts from 0 and the
 * cross-entropy alone reopens what it needs, so the size settles at the target from below ({@link #endStep}). λ₂
 * only grows and damps the oscillation above the target. The multipliers are plain numbers (no optimizer state),
 * so a checkpoint holds the whole controller in two doubles.
 *
 * <p>Each step's arithmetic (ŝ after the update, the ascent, the next step's target) runs where the parameters
 * are, in double precision, and nothing of it is read back during training: a read makes the host wait for the
 * device, once per step on a GPU. The multipliers are read for checkpoints and progress reports, and the
 * deterministic size, which needs log α on the host, once an epoch ({@link #reaim}).
 */
final class BudgetController implements AutoCloseable {

    /** How far below the expected size a step's target may lie; see {@link #beginStep}. */
    static final double MAX_LEAD = 0.02;
    /**
     * How far under the budget, as a share of it, the deterministic size is aimed ({@link #reaim}): stepping by a
     * share c &lt; 1 of the excess, d approaches its aim from above without reaching it, and LeNet-5-Caffe ended 30
     * epochs at 0.1744 of the FLOPs for a budget of 0.1704, leaving the guarantee to close the rest.
     */
    static final double MARGIN = 0.01;
    /** P(z≠0) from which an open gate counts as decided ({@link #decidedShare}): log α ≥ 1.35. */
    static final double DECIDED = 0.95;
    /** Share of the run by whose end the network should be at its aim (see {@link #endStep}). */
    static final double SETTLE_SHARE = 0.8;

    private final SizeTarget target;
    private final ExpectedSize size;
    private final List<GatedLayer> gated = new ArrayList<>();
    private final HardConcreteGate gate;
    private final double warmupSteps;
    /** ŝ₀: the expected size of the initial gates, where the ramp starts. */
    private final double start;
    /** How fast the ramp lowers the target, per step, during the warm-up. */
    private final double rampSlope;
    /** Steps within which a network that responds closes its gap to the target: an epoch. */
    private final double paceSteps;
    /** The step by which the network should have reached its aim after the warm-up, leaving the rest to settle. */
    private final double settleSteps;
    /**
     * d₀: the deterministic size the run starts from, against which {@link #reaim} measures how far d has come. 1
     * for a fresh network (its test-time gates are all open), the ramp's start for a warm start (a sweep point
     * starts from the network its predecessor delivered, at or under that budget). Fixed when the controller is
     * built, so a resumed run measures from where the uninterrupted one did.
     */
    private final double deterministicStart;
    /** f less the aim of the epoch in progress after the warm-up, 0 before; see {@link #reaim}. */
    private double aimOffset;
    /** c of the latest {@link #reaim}; NaN before the first. */
    private double gain = Double.NaN;
    /** The aim and the gain of the latest step begun ({@link #beginStep}); NaN before the first. */
    private double stepAim = Double.NaN;
    private double stepGain = Double.NaN;
    /** Owns the device state below: double-precision scalars on the parameters' device. */
    private final NDManager manager;
    private NDArray lambda1;
    private NDArray lambda2;
    /** The target of the step in progress, set by {@link #beginStep}. */
    private NDArray stepTarget;
    /** ŝ at the parameters after {@link #expectedStep} steps, or null. */
    private NDArray expected;
    private long expectedStep = -1;
    /** The step-independent numbers of the arithmetic, made once and exactly (see {@link #constant}). */
    private final NDArray maxLead;
    private final NDArray zero;
    private final NDArray paceStepsArray;
    private final NDArray rampSlopeArray;
    private final NDArray multiplierRate;

    /** @param parent the manager of the parameters, on their device */
    BudgetController(SizeTarget target, ExpectedSize size, L0Network network, int epochs, int stepsPerEpoch,
            NDManager parent) {
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
        this.deterministicStart = target.rampStart() != null ? target.rampStart() : 1.0;
        this.rampSlope = warmupSteps <= 0 ? 0 : (start - target.fraction()) / warmupSteps;
        this.paceSteps = Math.max(1, stepsPerEpoch);
        this.settleSteps = Math.max(warmupSteps, SETTLE_SHARE * epochs * stepsPerEpoch);
        this.manager = parent.newSubManager();
        this.lambda1 = manager.create(0.0);
        this.lambda2 = manager.create(0.0);
        this.stepTarget = manager.create(1.0);
        this.maxLead = manager.create(MAX_LEAD);
        this.zero = manager.create(0.0);
        this.paceStepsArray = manager.create(paceSteps);
        this.rampSlopeArray = manager.create(rampSlope);
        this.multiplierRate = manager.create(target.multiplierLearningRate());
    }

    SizeTarget target() {
        return target;
    }

    /** λ₁ and λ₂, read from the device together. */
    TrainingCheckpoint.Multipliers multipliers() {
        try (NDArray both = NDArrays.stack(new NDList(lambda1, lambda2))) {
            double[] values = both.toDoubleArray();
            return new TrainingCheckpoint.Multipliers(values[0], values[1]);
        }
    }

    /**
     * The multipliers of a checkpoint. A checkpoint of the controller before λ₁ was held at 0 or above can hold a
     * negative λ₁; it resumes at 0, where this controller would have reset it at the first step under the target.
     */
    void restore(TrainingCheckpoint.Multipliers multipliers) {
        lambda1.close();
        lambda2.close();
        lambda1 = manager.create(Math.max(0, multipliers.lambda1()));
        lambda2 = manager.create(multipliers.lambda2());
    }

    /** t after {@code step} steps: ŝ₀ at the start, the budget from the end of the warm-up on. */
    double targetAt(long step) {
        double progress = warmupSteps <= 0 ? 1 : Math.min(1, step / warmupSteps);
        return start - (start - target.fraction()) * progress;
    }

    /** Whether the aim follows the deterministic size at this step: from the end of the warm-up on. */
    boolean tracksDeterministic(long step) {
        return step >= warmupSteps;
    }

    /**
     * Re-aims ŝ at the start of an epoch after the warm-up, given ŝ, the deterministic (test-time) size d and the
     * share of d's open groups whose gates are decided ({@link #decidedShare}), all at the parameters the epoch
     * starts from: ŝ is aimed at min(ŝ, f) − c·(d − f′), a step from where it is (or from the budget f, while it
     * still lags the ramp) that moves d towards f′ = (1 − {@link #MARGIN})·f, just under the budget. With c = 1 and
     * ŝ at or under f this is f′ − (d − ŝ), where ŝ would put d at f′ if the gap between the two stayed as it is.
     *
     * <p>The network delivered is the deterministic one, and with ŝ held at f it was far larger: every open group
     * whose gate is not yet certain counts fully in d but only with P(z≠0) &lt; 1 in ŝ (and every closed one the
     * other way round). LeNet-5-Caffe held ŝ at its budget of 0.17 with a test-time network of 0.25–0.28, and the
     * guarantee then cut a third of it after the last epoch, in one go, with one epoch to recover. Aimed this way
     * training chooses and absorbs those cuts itself.
     *
     * <p>The gap stays as it is only where the gates have chosen; undecided gates are where it comes from, and they
     * move together. In a 7-epoch LeNet-5-Caffe run at half the FLOPs the test-time network stayed whole for five
     * epochs while ŝ fell to 0.40; the whole gap aimed ŝ at 0, λ₁ wound up to 8.1, and in the last two epochs the
     * gates fell through together, to an expected 0.24 (d 0.66) at 3.7 % test error. So the gain c is the larger of
     * two signs that the gates have chosen:
     * <ul>
     *   <li>the decided share, the savings-weighted share of d's open groups with P(z≠0) ≥ {@link #DECIDED}: groups
     *       that count in ŝ nearly as fully as in d;
     *   <li>the progress, (d₀ − d)/(d₀ − f) clamped to [0, 1]: the share of the run's required shrinking that d has
     *       already done, from where it started ({@link #deterministicStart}).
     * </ul>
     * The decided share alone stayed near 0.15 through a 30-epoch LeNet-5-Caffe run at the paper's budget, where
     * most of the open savings are dense inputs whose gates stay between 0.5 and 0.95 while the maps close: d
     * approached the budget from above and ended over it (0.1740 for 0.1704). The progress alone met the budget
     * from epoch 21 there, but it is 0 until d moves, so it cannot tell decided gates that hold d up from gates
     * that have not yet chosen; and measured from the dense size it started a warm-started sweep point at 0.7.
     * While both are near 0 the aim moves little (the guarantee then closes what is left, by log α and cost).
     *
     * <p>As a step from ŝ, not an offset from f, the aim still brings d to f′ when c &lt; 1, where f − c·(d − ŝ)
     * would have left d above the budget for good. Once an epoch, not every step: within an epoch ŝ moves smoothly
     * towards a fixed aim, which {@link #endStep}'s pace test needs, where d moves in jumps of whole groups.
     * Computed from the parameters an epoch starts from, which a checkpoint holds, so a resumed run aims exactly as
     * the uninterrupted one did.
     */
    void reaim(double expected, double deterministic, double decided) {
        double budget = target.fraction();
        // a start at or under the budget has no shrinking to do: done while d stays there, not begun once it is over
        double progress = deterministicStart <= budget ? (deterministic <= budget ? 1 : 0)
                : Math.clamp((deterministicStart - deterministic) / (deterministicStart - budget), 0, 1);
        gain = Math.max(decided, progress);
        aimOffset = budget - Math.min(expected, budget) + gain * (deterministic - (1 - MARGIN) * budget);
    }

    /** c of the latest {@link #reaim}: NaN before the first (during the warm-up). */
    double gain() {
        return gain;
    }

    /**
     * Where the latest step begun aimed ŝ ({@link #aimAt(long)}, before the bound on its lead); NaN before the
     * first step. An epoch's end re-aims for the next epoch before it is reported, so the report reads this, the
     * aim the epoch's own steps used, not {@link #aimAt(long)} at the present step.
     */
    double stepAim() {
        return stepAim;
    }

    /** The gain of {@link #stepAim()}: NaN while the aim was the ramp's (before the first {@link #reaim}). */
    double stepGain() {
        return stepGain;
    }

    /** Where ŝ is aimed after {@code step} steps: the ramp's t(step), less the offset of {@link #reaim}. */
    double aimAt(long step) {
        return Math.clamp(targetAt(step) - aimOffset, 0, 1);
    }

    /**
     * Sets the target of the step about to be taken (the {@code step}-th, counting from 0), given the expected
     * size ŝ at the parameters the step starts from (left by {@link #endStep} of the step before, else computed
     * from the present log α): the aim ({@link #aimAt(long)}), but never more than
     * {@link #MAX_LEAD} below ŝ (anti-windup, with {@link #endStep}). Adam moves log α by about its learning rate
     * per step, and saturated gates (a fine-tuning's, log α ≈ 2.9 where P(z≠0) ≈ 0.99) hardly move ŝ at all, so ŝ
     * can lag a ramp by far more than any gap the controller should act on. λ₁ integrates the gap: integrating the
     * whole lag wound it up (to 95 on a fine-tuned LeNet-5-Caffe), and once the gates did respond it closed every
     * layer together, the important groups too, far past the budget. With the lead bounded the ramp waits for the
     * network instead of running away from it. Computed from the present parameters alone, so a resumed run aims
     * exactly as the uninterrupted one did.
     */
    void beginStep(long step) {
        try (NDScope scope = new NDScope()) {
            if (expectedStep != step) {
                expected = keep(expected, expectedOnDevice());
                expectedStep = step;
            }
            stepAim = aimAt(step);
            stepGain = gain;
            stepTarget = keep(stepTarget, expected.sub(maxLead).maximum(constant(stepAim)));
        }
    }

    /**
     * λ₁(ŝ − t) + λ₂·max(0, ŝ − t)² with ŝ computed from the gated layers' log α as a differentiable scalar; on
     * the parameters' manager, so call inside an NDScope. The quadratic is one-sided: a network under its budget is
     * not pulled open (see {@link #endStep}).
     */
    NDArray term() {
        List<NDArray> probabilities = new ArrayList<>(gated.size());
        for (GatedLayer layer : gated) {
            probabilities.add(gate.probabilityNonZero(layer.logAlpha().getArray()));
        }
        NDArray fraction = size.fractionArray(target.metric(), probabilities);
        DataType type = fraction.getDataType();
        NDArray gap = fraction.sub(stepTarget.toType(type, false));
        NDArray over = gap.maximum(zero.toType(type, false));
        return gap.mul(lambda1.toType(type, false)).add(over.square().mul(lambda2.toType(type, false)));
    }

    /**
     * The ascent for the step just taken, the {@code step}-th: ŝ at the parameters its loss was computed at
     * ({@code before}, kept by {@link #beginStep}) and after its update ({@code after}, computed here and kept for
     * the next step's start).
     *
     * <p>The budget is an upper bound (the constraint ŝ ≤ t), so the multipliers are those of an inequality: λ₁
     * only pushes gates shut, and it is reset to 0 at every step that starts at or under the target (a dual restart,
     * Gallego-Posada et al., "Controlled Sparsity via Constrained Optimization", NeurIPS 2022). A multiplier that
     * had to be unwound by ascent overshot: after the network came in under its target it went on closing gates
     * for as long as λ₁ took to fall back, and when it was allowed below zero it pulled them open again, past the
     * budget. A sweep point warm-started under its ramp drove λ₁ to −11 in one epoch and the network regrew to
     * the dense size. Under the target the cross-entropy alone opens the gates it needs, until ŝ reaches t and
     * the push starts again from nothing.
     *
     * <p>Conditional integration (anti-windup): over the target the multipliers hold while ŝ already moves towards
     * it at the pace the controller asks for: during the warm-up the ramp's slope plus enough to close the gap
     * within an epoch, after it enough to reach the aim by {@link #SETTLE_SHARE} of the run (within an epoch once
     * that is past). A larger λ₁ would not move it faster (Adam caps each log α's step at about its learning rate)
     * but would overshoot, so λ₁ grows only while the network stalls or drifts away.
     */
    void endStep(long step) {
        try (NDScope scope = new NDScope()) {
            NDArray before = expected;
            NDArray after = expectedOnDevice();
            // as on the host: gap = ŝ − t; over the target the multipliers move by η·gap and η·gap·gap unless ŝ
            // fell by at least the pace; at or under it λ₁ restarts from 0 and λ₂ holds. The aim is this step's,
            // as beginStep set it
            NDArray gap = before.sub(stepTarget);
            NDArray over = gap.gt(zero);
            NDArray towards = before.sub(after);
            NDArray pace = step < warmupSteps
                    ? gap.div(paceStepsArray).add(rampSlopeArray)
                    : before.sub(constant(stepAim)).abs()
                            .div(constant(Math.max(paceSteps, settleSteps - step)));
            NDArray integrate = over.logicalAnd(towards.gte(pace).logicalNot());
            NDArray rateTimesGap = multiplierRate.mul(gap);
            lambda1 = keep(lambda1, NDArrays.where(over,
                    NDArrays.where(integrate, lambda1.add(rateTimesGap), lambda1), zero));
            lambda2 = keep(lambda2, NDArrays.where(integrate, lambda2.add(rateTimesGap.mul(gap)), lambda2));
            expected = keep(expected, after);
            expectedStep = step + 1;
        }
    }

    /** ŝ of the target's metric at the present log α, a double-precision scalar on the device, outside autograd. */
    private NDArray expectedOnDevice() {
        List<NDArray> probabilities = new ArrayList<>(gated.size());
        for (GatedLayer layer : gated) {
            NDArray logAlpha = layer.logAlpha().getArray().stopGradient().toType(DataType.FLOAT64, false);
            probabilities.add(gate.probabilityNonZero(logAlpha));
        }
        return size.fractionArray(target.metric(), probabilities);
    }

    /**
     * A number that changes from step to step, made on the device to 48 bits: no copy from the host, which on a
     * GPU would wait for the stream (see {@link HardConcreteGate#scalar}). Those that do not change are made once,
     * exactly, with a copy each when the controller is built.
     */
    private NDArray constant(double value) {
        return HardConcreteGate.scalar(stepTarget, value);
    }

    /** {@code value}, taken out of the open scope onto the controller's manager, in place of {@code old}. */
    private NDArray keep(NDArray old, NDArray value) {
        NDScope.unregister(value);
        value.attach(manager);
        if (old != null) {
            old.close();
        }
        return value;
    }

    @Override
    public void close() {
        manager.close();
    }

    /**
     * The open groups the budget guarantee closes next, as {gated layer, group} pairs, enough by their own
     * estimated savings to cover half of {@code excess} (at least one; none when no open group that is not the
     * last of its layer saves anything).
     *
     * <p>Each open group is ranked by log α − ln(what closing it alone saves), lowest first: the gates' own verdict
     * (log α is the log-odds of keeping the group), weighed by what the group costs. By log α alone, a network whose
     * gates have barely moved (a short run) lost whole layers to the groups that happened to sit lowest, mostly
     * cheap dense inputs, and ended at chance; the cost term closes the expensive maps first instead. The last open
     * group of a layer is never closed: a layer without groups disconnects the network, and a budget that only
     * that would meet is reported as not met rather than delivered as a network that answers nothing. Savings are
     * measured on the test-time gates as 0/1 probabilities, where the expected size is the deterministic one
     * (before rounding); they interact (closing a map also empties the weights that read it, rounding adds groups
     * back), so each batch covers only half the excess and the caller measures the exact size after it and asks
     * again while over.
     */
    List<int[]> groupsToClose(List<float[]> logAlphas, double excess) {
        TestTimeGroups groups = testTimeGroups(logAlphas);
        record Candidate(int layer, int group, double saving, double score) {}
        List<Candidate> candidates = new ArrayList<>();
        for (int k = 0; k < groups.savings().size(); k++) {
            double[] savings = groups.savings().get(k);
            for (int g = 0; g < savings.length; g++) {
                if (savings[g] > 0 && groups.openInLayer()[k] > 1) {
                    candidates.add(new Candidate(k, g, savings[g], logAlphas.get(k)[g] - Math.log(savings[g])));
                }
            }
        }
        candidates.sort(Comparator.comparingDouble(Candidate::score)
                .thenComparingInt(Candidate::layer).thenComparingInt(Candidate::group));
        List<int[]> result = new ArrayList<>();
        double saved = 0;
        for (Candidate c : candidates) {
            if (saved >= excess / 2) {
                break;
            }
            result.add(new int[] {c.layer(), c.group()});
            saved += c.saving();
        }
        return result;
    }

    /**
     * The decided share of {@link #reaim}: the share of the deterministic network's open groups whose gates are
     * decided, each group weighted by what closing it alone would save; decided means P(z≠0) ≥
     * {@link #DECIDED}, a group that training's noisy gates keep at least that often, so that it counts in ŝ nearly
     * as fully as in d. 1 when no open group saves anything.
     *
     * <p>A threshold, not a graded measure such as 1 − 4P(1 − P): with that, the gates of a 7-epoch LeNet-5-Caffe
     * point, all open and at P(z≠0) between about 0.3 and 0.8, still counted 0.12, and the aim stepped ŝ down by
     * 0.06 an epoch while the test-time network stayed whole (1.55 % after the guarantee, against 1.29 % with the
     * aim at the budget).
     */
    double decidedShare(List<float[]> logAlphas) {
        TestTimeGroups groups = testTimeGroups(logAlphas);
        double weight = 0;
        double decided = 0;
        for (int k = 0; k < groups.savings().size(); k++) {
            double[] savings = groups.savings().get(k);
            for (int g = 0; g < savings.length; g++) {
                if (savings[g] > 0) {
                    weight += savings[g];
                    if (gate.probabilityNonZero(logAlphas.get(k)[g]) >= DECIDED) {
                        decided += savings[g];
                    }
                }
            }
        }
        return weight > 0 ? decided / weight : 1;
    }

    /**
     * The test-time gates' open groups: per gated layer, what closing each open group alone would save of the
     * target's metric (0 for a closed group), and how many groups are open.
     */
    private record TestTimeGroups(List<double[]> savings, int[] openInLayer) {}

    private TestTimeGroups testTimeGroups(List<float[]> logAlphas) {
        List<double[]> open = new ArrayList<>(logAlphas.size());
        int[] openInLayer = new int[logAlphas.size()];
        for (int k = 0; k < logAlphas.size(); k++) {
            float[] la = logAlphas.get(k);
            double[] z = new double[la.length];
            for (int g = 0; g < la.length; g++) {
                z[g] = gate.isClosed(la[g]) ? 0 : 1;
                openInLayer[k] += (int) z[g];
            }
            open.add(z);
        }
        double base = size.fraction(target.metric(), open);
        List<double[]> savings = new ArrayList<>(open.size());
        for (double[] z : open) {
            double[] saving = new double[z.length];
            for (int g = 0; g < z.length; g++) {
                if (z[g] == 1) {
                    z[g] = 0;
                    saving[g] = base - size.fraction(target.metric(), open);
                    z[g] = 1;
                }
            }
            savings.add(saving);
        }
        return new TestTimeGroups(savings, openInLayer);
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

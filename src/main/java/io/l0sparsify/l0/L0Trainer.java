package io.l0sparsify.l0;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import io.l0sparsify.dataset.Augmentation;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.prune.LayerParameters;
import io.l0sparsify.prune.PrunedNetwork;
import io.l0sparsify.prune.PrunedNetworkRunner;
import io.l0sparsify.prune.Pruner;
import io.l0sparsify.prune.PrunedSize;
import io.l0sparsify.spec.ModelSpec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Trains a gated network with the L0 objective of Louizos, Welling &amp; Kingma (2018) and prunes it:
 *
 * <pre>
 *   minimise  mean cross-entropy + Σ_layers Σ_groups P(z_g ≠ 0)·Σ_{w∈g} (½·wd·w² + λ/N)
 * </pre>
 *
 * with Adam or SGD ({@link OptimizerSpec}) at a learning rate set per epoch ({@link LearningRateSchedule}), one gate
 * sample per minibatch (or per example), log α clamped after every step, and a bias-corrected moving average of
 * the parameters that is what gets evaluated and pruned. Training images may be cropped and mirrored at random
 * ({@link Augmentation}); evaluation never is. With a size budget
 * ({@link TrainingOptions#target()}) the objective gains the Lagrangian term of {@link BudgetController}, and a
 * network still over the budget at the end has groups closed and its weights fine-tuned under frozen gates.
 *
 * <p>Examples stay in the compact form the dataset keeps them in (unsigned bytes for images); each minibatch
 * and each evaluation batch is preprocessed into one reused float buffer ({@link Examples#copyInto}).
 *
 * <p>Native memory: each step's inputs live in a per-batch sub-manager; everything computed from
 * parameters during forward, loss and backward is closed by an {@link NDScope}. {@code trainer.step()}
 * stays outside the scope because Adam creates its state lazily on the first step.
 */
public final class L0Trainer {

    /** Test examples evaluated at once; the service bounds a job's memory at this batch too. */
    public static final int EVAL_BATCH = 1000;

    /**
     * A step whose cross-entropy exceeds this multiple of its value at initialisation, ln(classes), has exploded;
     * a healthy run starts near ln(classes) and falls. A single spike is forgiven, a run of them is not.
     */
    static final double EXPLODED_LOSS_FACTOR = 100;
    /** Consecutive exploded steps after which the run is declared diverged. */
    static final int EXPLODED_STEPS = 10;
    /**
     * Standard deviations above the chance count of correct answers a model must reach to be delivered: at 3 a
     * model that merely guesses passes in about one run in 700.
     */
    static final double CHANCE_MARGIN_SIGMAS = 3;

    /**
     * Steps whose losses wait on the device before they are read (besides every progress report and epoch end):
     * one wait for the device per so many steps instead of one per step. A diverged step is found this many
     * steps late at most, and reported with its own number.
     */
    static final int LOSS_READ_EVERY = 50;

    /** Replicas per device; above 1 only in tests, to run the multi-device path on one CPU. */
    private final int replicasPerDevice;
    /**
     * Whether a CPU run may update its parameters on the Java heap ({@link HostUpdate}); off only in tests, to run
     * on the CPU the kernels a GPU runs.
     */
    private final boolean hostUpdates;

    public L0Trainer() {
        this(1, true);
    }

    L0Trainer(int replicasPerDevice) {
        this(replicasPerDevice, true);
    }

    L0Trainer(int replicasPerDevice, boolean hostUpdates) {
        this.replicasPerDevice = replicasPerDevice;
        this.hostUpdates = hostUpdates;
    }

    /**
     * Trains {@code spec} on {@code data}, then prunes the evaluated parameters.
     *
     * @param resumeFrom a checkpoint of an earlier attempt of the same run (same spec, config and data),
     *     or null to start afresh
     * @throws TrainingAbortedException when cancelled, over its time budget, or diverged
     * @param data examples of exactly the spec's input shape ({@link TrainingData#shapedFor} adapts an image
     *     dataset to a multilayer perceptron)
     * @throws IllegalArgumentException when the config or the data do not fit the spec
     */
    public TrainingResult train(ModelSpec spec, TrainingOptions config, TrainingData data,
            RunListener listener, TrainingCheckpoint resumeFrom) {
        return train(spec, config, data, listener, resumeFrom, List.of());
    }

    /**
     * {@link #train(ModelSpec, TrainingOptions, TrainingData, RunListener, TrainingCheckpoint)} from trained
     * values instead of drawn ones: {@code start} holds weights, biases and batch normalization values by flat
     * index (an imported model's); a checkpoint, when given, takes precedence, as it continues this same run.
     */
    public TrainingResult train(ModelSpec spec, TrainingOptions config, TrainingData data,
            RunListener listener, TrainingCheckpoint resumeFrom, List<LayerParameters> start) {
        config.validateFor(spec);
        checkData(spec, data);
        Autograd.disableOnThisThread();
        List<Device> devices = new ArrayList<>();
        for (Device d : Devices.resolve(config.device() != null ? config.device() : "auto")) {
            for (int i = 0; i < replicasPerDevice; i++) {
                devices.add(d);
            }
        }
        Device device = devices.get(0);
        Libtorch.engine().setRandomSeed((int) config.seed()); // only dropout draws from it
        try (Model model = Model.newInstance("l0", device, "PyTorch")) {
            L0Network network = L0Network.build(spec, config);
            model.setBlock(network.block());
            network.initialize(model.getNDManager(), config, start);
            boolean onHost = hostUpdates
                    && HostUpdate.applies(devices, network.trainableParameters(), config.optimizer());
            ResumableOptimizer optimizer = ResumableOptimizer.of(config.optimizer(), (float) config.learningRateAt(0),
                    onHost);
            DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(optimizer)
                    .optDevices(new Device[] {device});
            try (Trainer trainer = model.newTrainer(trainingConfig)) {
                return new Run(spec, config, data, listener, network, trainer, optimizer, devices, onHost)
                        .execute(resumeFrom);
            }
        }
    }

    private static void checkData(ModelSpec spec, TrainingData data) {
        InputShape modelInput = new InputShape(spec.inputShape());
        if (!data.shape().equals(modelInput)) {
            throw new IllegalArgumentException("the dataset's examples have shape " + data.shape()
                    + " but the model's inputShape is " + modelInput);
        }
        if (data.classNames().size() > spec.numClasses()) {
            throw new IllegalArgumentException("the dataset has " + data.classNames().size()
                    + " classes but the model gives only " + spec.numClasses() + " logits");
        }
        for (Examples part : List.of(data.train(), data.test())) {
            if (part.size() == 0) {
                throw new IllegalArgumentException("dataset " + part.name() + " is empty");
            }
            if (part.labelBound() > spec.numClasses()) {
                throw new IllegalArgumentException("dataset " + part.name() + " has labels up to "
                        + (part.labelBound() - 1) + " but the model gives only " + spec.numClasses() + " logits");
            }
        }
    }

    /** The state of one run; lives as long as {@link #execute}. */
    private static final class Run {
        private final ModelSpec spec;
        private final TrainingOptions config;
        private final TrainingData data;
        private final RunListener listener;
        private final L0Network network;
        private final Trainer trainer;
        private final ResumableOptimizer optimizer;
        private final List<Device> devices;
        private final NDManager manager;
        private final List<Parameter> parameters = new ArrayList<>();
        private final L0Penalty penalty;
        /** The size budget's controller and size model; null without a budget. */
        private final BudgetController budget;
        private final ExpectedSize expectedSize;
        /** log α held fixed while the weights are fine-tuned under frozen gates; null otherwise. */
        private List<float[]> frozenLogAlphas;
        private final ParameterAverage average;
        /** The whole update after the backward pass, on the heap; null where the device's kernels do it. */
        private final HostUpdate hostUpdate;
        private final DataParallel parallel;
        /** The losses of the steps since the last read, still on the device. */
        private final LossLog lossLog;
        private final int inputSize;
        private final int stepsPerEpoch;
        /** Epoch-end snapshots of the whole run, earlier attempts' first (restored from the checkpoint). */
        private final List<TrainingProgress> history = new ArrayList<>();
        private final long startNanos = System.nanoTime();
        /** Wall-clock seconds the earlier attempts trained, so that elapsed time runs on across a resume. */
        private double elapsedBeforeThisAttempt;
        private final NativeArrays.Staging staging = new NativeArrays.Staging();
        /** The preprocessed inputs of one evaluation batch, reused by every test pass. */
        private final float[] evalInputs;

        private long step;
        /** Consecutive steps whose cross-entropy exceeded {@link #explodedLoss}. */
        private int explodedSteps;
        private final double explodedLoss;
        // accumulated since the last progress report
        private double lossSum;
        private double penaltySum;
        private int lossCount;
        private long examplesSinceReport;
        private long trainNanosSinceReport;
        private double trainSeconds;

        Run(ModelSpec spec, TrainingOptions config, TrainingData data, RunListener listener,
                L0Network network, Trainer trainer, ResumableOptimizer optimizer, List<Device> devices,
                boolean onHost) {
            this.spec = spec;
            this.config = config;
            this.data = data;
            this.listener = listener;
            this.network = network;
            this.trainer = trainer;
            this.optimizer = optimizer;
            this.devices = devices;
            this.manager = trainer.getManager();
            List<GatedLayer> weighted = network.weightedLayers();
            double[] lambdas = new double[weighted.size()];
            int gatedIndex = 0;
            for (int i = 0; i < weighted.size(); i++) {
                if (weighted.get(i).gated()) {
                    lambdas[i] = config.lambdaOf(gatedIndex++);
                }
            }
            parameters.addAll(network.trainableParameters());
            this.stepsPerEpoch = (data.train().size() + config.batchSize() - 1) / config.batchSize();
            this.expectedSize = config.target() == null ? null : new ExpectedSize(spec);
            this.budget = config.target() == null ? null
                    : new BudgetController(config.target(), expectedSize, network, config.epochs(), stepsPerEpoch,
                            manager);
            this.penalty = new L0Penalty(weighted, lambdas, config.weightDecay(), data.train().size(), budget,
                    network.batchNorms());
            this.average = config.emaDecay() > 0
                    ? new ParameterAverage(parameters, config.emaDecay(), manager, onHost) : null;
            this.hostUpdate = onHost ? new HostUpdate(parameters, network.logAlphaParameters(),
                    (ResumableAdam) optimizer, average) : null;
            this.parallel = new DataParallel(trainer, network, parameters, penalty, devices);
            this.lossLog = new LossLog(manager);
            this.inputSize = spec.inputSize();
            this.evalInputs = new float[Math.multiplyExact(Math.min(EVAL_BATCH, data.test().size()), inputSize)];
            this.explodedLoss = EXPLODED_LOSS_FACTOR * Math.log(spec.numClasses());
        }

        TrainingResult execute(TrainingCheckpoint resumeFrom) {
            try {
                int firstEpoch = 0;
                if (resumeFrom != null) {
                    restore(resumeFrom);
                    firstEpoch = resumeFrom.epochsCompleted();
                }
                if (budget != null && budget.tracksDeterministic(step)) {
                    // as at the end of the epoch the checkpoint was taken at: inside the steps' flush
                    try (SubnormalFlush flush = SubnormalFlush.onThisThread()) {
                        reaim();
                    }
                }
                boolean stoppedEarly = false;
                int epochsCompleted = firstEpoch;
                for (int epoch = firstEpoch; epoch < config.epochs() && !stoppedEarly; epoch++) {
                    stoppedEarly = trainEpoch(epoch);
                    if (!stoppedEarly) {
                        epochsCompleted = epoch + 1;
                        Evaluation evaluation = evaluateAveraged();
                        report(epochsCompleted, true, evaluation);
                        listener.onCheckpoint(checkpoint(epochsCompleted));
                    }
                }
                return finish(epochsCompleted, stoppedEarly);
            } finally {
                lossLog.close();
                parallel.close();
                if (average != null) {
                    average.close();
                }
                if (budget != null) {
                    budget.close();
                }
            }
        }

        /**
         * One pass over the shuffled training set; true when the caller asked to stop early. Its steps flush
         * subnormal floats to zero ({@link SubnormalFlush}); evaluation, pruning and export do not, so they compute
         * exactly as before.
         */
        private boolean trainEpoch(int epoch) {
            try (SubnormalFlush flush = SubnormalFlush.onThisThread()) {
                return trainSteps(epoch);
            }
        }

        private boolean trainSteps(int epoch) {
            Examples train = data.train();
            int[] order = permutation(train.size(), config.seed(), epoch);
            network.noise().startEpoch(epoch);
            optimizer.setLearningRate((float) config.learningRateAt(epoch));
            Augmentation augmentation = config.augmentation();
            int batchSize = config.batchSize();
            float[] batchPixels = new float[batchSize * inputSize];
            float[] augmentScratch = augmentation == null ? null : new float[inputSize];
            long[] batchLabels = new long[batchSize];
            for (int start = 0; start < order.length; start += batchSize) {
                switch (listener.control()) {
                    case CONTINUE -> {}
                    case STOP_EARLY -> {
                        readLosses();
                        return true;
                    }
                    case CANCEL -> throw new TrainingAbortedException(TrainingAbortedException.Reason.CANCELLED,
                            "cancelled at step " + step);
                }
                checkRuntime();
                int size = Math.min(batchSize, order.length - start);
                if (augmentation == null) {
                    train.copyInto(order, start, size, data.preprocessing(), batchPixels);
                } else {
                    augmentation.copyInto(train, order, start, size, data.preprocessing(), config.seed(), epoch,
                            batchPixels, augmentScratch);
                }
                for (int i = 0; i < size; i++) {
                    batchLabels[i] = train.labels()[order[start + i]];
                }
                long begin = System.nanoTime();
                trainStep(batchPixels, batchLabels, size);
                trainNanosSinceReport += System.nanoTime() - begin;
                examplesSinceReport += size;
                if (config.progressEverySteps() > 0 && step % config.progressEverySteps() == 0
                        && start + batchSize < order.length) {
                    report(epoch + 1, false, evaluateCurrentGates());
                }
            }
            readLosses();
            if (budget != null && frozenLogAlphas == null && budget.tracksDeterministic(step)) {
                reaim();
            }
            return false;
        }

        /**
         * Aims the controller for the epoch that starts from the present parameters (at an epoch's end, and at the
         * start of a run for a resumed one): log α read to the host once an epoch, for the deterministic size.
         */
        private void reaim() {
            List<float[]> logAlphas = network.logAlphas();
            budget.reaim(budget.expectedFraction(budget.target().metric(), logAlphas), deterministicFraction(logAlphas),
                    budget.decidedShare(logAlphas));
        }

        private void trainStep(float[] pixels, long[] labels, int size) {
            network.noise().startStep();
            boolean controlled = budget != null && frozenLogAlphas == null;
            if (controlled) {
                budget.beginStep(step);
            }
            lossLog.add(step + 1, parallel.backward(pixels, labels, size, lossLog.manager()));
            if (hostUpdate != null) {
                hostUpdate.step(frozenLogAlphas);
            } else {
                optimizer.step(parameters);
                if (frozenLogAlphas != null) {
                    // fine-tuning the weights alone: whatever the step did to log α is undone
                    network.assignLogAlphas(frozenLogAlphas);
                } else {
                    network.clampLogAlphas();
                }
                if (average != null) {
                    average.update();
                }
            }
            if (controlled) {
                budget.endStep(step);
            }
            step++;
            if (lossLog.pending() >= LOSS_READ_EVERY) {
                readLosses();
            }
        }

        /**
         * Reads the losses of the steps since the last read (one copy from the device) and checks and sums each
         * as if it had been read at its step: a non-finite loss, or one that stayed exploded for
         * {@link #EXPLODED_STEPS} steps, ends the run naming that step.
         */
        private void readLosses() {
            lossLog.drain(this::checkAndSum);
        }

        private void checkAndSum(long stepNumber, float loss, float cost) {
            if (!Float.isFinite(loss) || !Float.isFinite(cost)) {
                throw new TrainingAbortedException(TrainingAbortedException.Reason.DIVERGED,
                        "the loss became non-finite at step " + stepNumber + " (cross-entropy " + loss
                                + ", penalty " + cost + "); lower the learning rate or λ");
            }
            explodedSteps = loss > explodedLoss ? explodedSteps + 1 : 0;
            if (explodedSteps >= EXPLODED_STEPS) {
                throw new TrainingAbortedException(TrainingAbortedException.Reason.DIVERGED, String.format(Locale.ROOT,
                        "the loss exploded: the cross-entropy stayed above %.0f (%.0f times its starting value"
                                + " ln %d) for %d steps up to step %d (last %.4g); lower the learning rate or λ",
                        explodedLoss, EXPLODED_LOSS_FACTOR, spec.numClasses(), EXPLODED_STEPS, stepNumber, loss));
            }
            lossSum += loss;
            penaltySum += cost;
            lossCount++;
        }

        private void checkRuntime() {
            if (config.maxRuntime() != null
                    && System.nanoTime() - startNanos > config.maxRuntime().toNanos()) {
                throw new TrainingAbortedException(TrainingAbortedException.Reason.MAX_RUNTIME_EXCEEDED,
                        "training ran longer than its maxRuntime of " + config.maxRuntime() + " (at step " + step
                                + ")");
            }
        }

        private void report(int epoch, boolean epochEnd, Evaluation evaluation) {
            readLosses();
            if (frozenLogAlphas != null) {
                // fine-tuning after the planned epochs: its outcome is in the result, not in the progress
                return;
            }
            double seconds = trainNanosSinceReport / 1e9;
            trainSeconds += seconds;
            TrainingProgress progress = new TrainingProgress(epoch, config.epochs(), step, stepsPerEpoch, epochEnd,
                    lossCount == 0 ? Double.NaN : lossSum / lossCount,
                    lossCount == 0 ? Double.NaN : penaltySum / lossCount, evaluation.testError(),
                    evaluation.expectedL0(), evaluation.expectedFlops(), evaluation.keptUnits(),
                    elapsedSeconds(),
                    seconds > 0 ? examplesSinceReport / seconds : Double.NaN, ProcessMemory.rssMegabytes(),
                    evaluation.budget());
            lossSum = 0;
            penaltySum = 0;
            lossCount = 0;
            examplesSinceReport = 0;
            trainNanosSinceReport = 0;
            if (epochEnd) {
                history.add(progress);
            }
            listener.onProgress(progress);
        }

        private TrainingResult finish(int epochsCompleted, boolean stoppedEarly) {
            List<float[]> current = values();
            try {
                if (average != null) {
                    load(average.averages());
                }
                if (stoppedEarly) {
                    report(epochsCompleted + 1, true, evaluate());
                }
                BudgetOutcome budgetOutcome = budget == null ? null : enforceBudget();
                var snapshot = network.snapshot();
                // rounding pads with zero-weight groups: the pruned network's shapes change, its function does not
                PrunedNetwork pruned = Pruner.prune(spec, network.snapshot(config.unitMultiple()));
                PrunedNetwork dense = Pruner.foldGates(spec, snapshot);
                double gatedError = testError(null);
                double prunedError;
                try (PrunedNetworkRunner runner = new PrunedNetworkRunner(pruned, manager)) {
                    prunedError = testError(runner);
                }
                refuseChanceLevel("gated", gatedError);
                refuseChanceLevel("pruned", prunedError);
                return new TrainingResult(epochsCompleted, stoppedEarly, history, gatedError, dense, pruned,
                        prunedError, saveParameters(), Devices.describe(devices), trainSeconds, budgetOutcome,
                        budget == null ? null : TrainingCheckpoint.startingFrom(state()));
            } finally {
                load(current);
            }
        }

        /**
         * Fails the run when a model to be delivered is not better than always answering the test set's most
         * common class (accuracy p) by more than {@link #CHANCE_MARGIN_SIGMAS} binomial standard deviations
         * √(n·p·(1−p)) on its n test examples: a weak model that learned passes, a guess does not.
         */
        private void refuseChanceLevel(String which, double testError) {
            Examples test = data.test();
            int n = test.size();
            long[] perClass = new long[spec.numClasses()];
            for (int label : test.labels()) {
                perClass[label]++;
            }
            double p = Arrays.stream(perClass).max().orElse(0) / (double) n;
            double chanceCorrect = n * p;
            double needed = chanceCorrect + CHANCE_MARGIN_SIGMAS * Math.sqrt(n * p * (1 - p));
            long correct = Math.round((1 - testError) * n);
            // With (nearly) one class in the test set even a perfect model cannot clear the margin: no verdict then.
            if (needed < n && correct <= needed) {
                throw new TrainingAbortedException(TrainingAbortedException.Reason.NO_BETTER_THAN_CHANCE,
                        String.format(Locale.ROOT, "the %s model answers %d of %d test examples correctly (test error"
                                + " %.3f); always answering the most common class gets %.0f, and more than %.1f are"
                                + " needed to tell a trained model from a guess; lower the learning rate or λ, or"
                                + " train longer", which, correct, n, testError, chanceCorrect, needed));
            }
        }

        /**
         * The budget guarantee, on the evaluated parameters: when the pruned network is over the budget, closes open
         * groups, ranked by log α and what each saves ({@link BudgetController#groupsToClose}), until it fits; then,
         * whether or not it closed any, fine-tunes the weights for the target's fine-tune epochs with the gates
         * frozen. The network delivered is the deterministic one, which the noisy gates of training never ran as
         * such: closing groups and an epoch of it took LeNet-5-Caffe's test error from the last epoch's 1.99 % to
         * 1.57 % and the MLP's from 1.79 % to 1.69 %, and a run whose controller met the budget by itself went
         * without it.
         * Leaves the final parameters loaded.
         */
        private BudgetOutcome enforceBudget() {
            SizeTarget target = budget.target();
            List<float[]> logAlphas = network.logAlphas();
            double expected = budget.expectedFraction(target.metric(), logAlphas);
            TrainingCheckpoint.Multipliers multipliers = budget.multipliers();
            double before = deterministicFraction(logAlphas);
            if (before <= target.fraction() && target.fineTuneEpochs() == 0) {
                return new BudgetOutcome(target.metric(), target.fraction(), expected, before, multipliers.lambda1(),
                        multipliers.lambda2(), null);
            }
            double size = before;
            int closed = 0;
            while (size > target.fraction()) {
                List<int[]> next = budget.groupsToClose(logAlphas, size - target.fraction());
                if (next.isEmpty()) {
                    break;
                }
                for (int[] kg : next) {
                    logAlphas.get(kg[0])[kg[1]] = (float) HardConcreteGate.MIN_LOG_ALPHA;
                }
                closed += next.size();
                size = deterministicFraction(logAlphas);
            }
            network.assignLogAlphas(logAlphas);
            double errorBefore = testError(null);
            int tuned = 0;
            frozenLogAlphas = logAlphas;
            network.freezeGates(true);
            // the fine-tuning's iterates are averaged as training's were (the average restarted, so it holds the
            // fine-tuning's alone): its last raw Adam iterate took an MLP from 1.50 % to 2.02 % test error
            if (average != null) {
                average.restart();
            }
            try {
                for (int e = 0; e < target.fineTuneEpochs(); e++) {
                    if (trainEpoch(config.epochs() + e)) {
                        break;
                    }
                    tuned++;
                }
                if (average != null && tuned > 0) {
                    load(average.averages());
                    // log α exactly as frozen, not its average (the same values to rounding)
                    network.assignLogAlphas(logAlphas);
                }
            } finally {
                network.freezeGates(false);
                frozenLogAlphas = null;
            }
            double errorAfter = tuned == 0 ? errorBefore : testError(null);
            return new BudgetOutcome(target.metric(), target.fraction(), expected, size, multipliers.lambda1(),
                    multipliers.lambda2(), new BudgetOutcome.Enforcement(closed, before, size,
                            size <= target.fraction(), errorBefore, errorAfter, tuned));
        }

        /** The pruned network's size under these log α, as a fraction of the unpruned network's. */
        private double deterministicFraction(List<float[]> logAlphas) {
            PrunedSize size = Pruner.size(spec, network.testTimeGatesBySpecLayer(logAlphas, config.unitMultiple()));
            PrunedSize dense = expectedSize.dense();
            return switch (budget.target().metric()) {
                case PARAMETERS -> size.parameters() / (double) dense.parameters();
                case FLOPS -> size.flops() / (double) dense.flops();
            };
        }

        /** Metrics with the averaged parameters swapped in for the duration. */
        private Evaluation evaluateAveraged() {
            if (average == null) {
                return evaluate();
            }
            List<float[]> current = values();
            try {
                load(average.averages());
                return evaluate();
            } finally {
                load(current);
            }
        }

        private Evaluation evaluate() {
            Evaluation gates = evaluateCurrentGates();
            return new Evaluation(testError(null), gates.expectedL0(), gates.expectedFlops(), gates.keptUnits(),
                    gates.budget());
        }

        /** Expected L0, FLOPs and kept units of the current log α; no test pass. */
        private Evaluation evaluateCurrentGates() {
            HardConcreteGate gate = network.gate();
            List<float[]> logAlphas = network.logAlphas();
            List<Integer> kept = new ArrayList<>();
            double l0 = 0;
            double flops = 0;
            int gatedIndex = 0;
            for (GatedLayer layer : network.weightedLayers()) {
                double[] probabilities = new double[layer.groups()];
                if (layer.gated()) {
                    float[] la = logAlphas.get(gatedIndex++);
                    int open = 0;
                    for (int g = 0; g < la.length; g++) {
                        probabilities[g] = gate.probabilityNonZero(la[g]);
                        open += gate.isClosed(la[g]) ? 0 : 1;
                    }
                    kept.add(open);
                } else {
                    java.util.Arrays.fill(probabilities, 1.0);
                }
                double[] counts = layer.expectedFlopsAndL0(probabilities);
                flops += counts[0];
                l0 += counts[1];
            }
            TrainingProgress.Budget budgetStatus = null;
            if (budget != null) {
                SizeTarget target = budget.target();
                TrainingCheckpoint.Multipliers m = budget.multipliers();
                budgetStatus = new TrainingProgress.Budget(target.metric(), target.fraction(), budget.targetAt(step),
                        budget.expectedFraction(target.metric(), logAlphas), deterministicFraction(logAlphas),
                        m.lambda1(), m.lambda2(), budget.stepAim(), budget.stepGain());
            }
            return new Evaluation(Double.NaN, l0, flops, kept, budgetStatus);
        }

        /** Test error of the gated network (runner null) or of a pruned one, with deterministic gates. */
        private double testError(PrunedNetworkRunner runner) {
            Examples test = data.test();
            ParameterStore store = new ParameterStore(manager, false);
            long wrong = 0;
            for (int start = 0; start < test.size(); start += EVAL_BATCH) {
                int size = Math.min(EVAL_BATCH, test.size() - start);
                try (NDManager batch = manager.newSubManager(); NDScope scope = new NDScope()) {
                    test.copyRangeInto(start, size, data.preprocessing(), evalInputs);
                    NDArray x = staging.floats(batch, evalInputs, 0, network.inputShape(size));
                    NDArray logits = runner == null
                            ? network.block().forward(store, new NDList(x), false).singletonOrThrow()
                            : runner.forward(x);
                    long[] predicted = logits.argMax(1).toLongArray();
                    for (int i = 0; i < size; i++) {
                        wrong += predicted[i] == test.labels()[start + i] ? 0 : 1;
                    }
                }
            }
            return wrong / (double) test.size();
        }

        private List<float[]> values() {
            List<float[]> result = new ArrayList<>(parameters.size());
            for (Parameter p : parameters) {
                result.add(p.getArray().toFloatArray());
            }
            return result;
        }

        private void load(List<float[]> values) {
            for (int i = 0; i < parameters.size(); i++) {
                NativeArrays.assign(parameters.get(i).getArray(), values.get(i));
            }
        }

        private TrainingCheckpoint checkpoint(int epochsCompleted) {
            var averageState = average == null ? TrainingCheckpoint.Average.NONE
                    : new TrainingCheckpoint.Average(average.shadows(), average.updates());
            return new TrainingCheckpoint(epochsCompleted, step, state(), averageState, optimizer.state(parameters),
                    new TrainingCheckpoint.History(history, trainSeconds, elapsedSeconds()),
                    budget == null ? TrainingCheckpoint.Multipliers.NONE : budget.multipliers());
        }

        /**
         * The parameters' present values followed by batch normalization's running statistics (none without batch
         * normalization), as a checkpoint holds them.
         */
        private List<float[]> state() {
            List<float[]> state = new ArrayList<>(values());
            for (Parameter p : network.runningStatistics()) {
                state.add(p.getArray().toFloatArray());
            }
            return state;
        }

        /** Wall-clock seconds of training so far, every attempt of the run included. */
        private double elapsedSeconds() {
            return elapsedBeforeThisAttempt + (System.nanoTime() - startNanos) / 1e9;
        }

        private void restore(TrainingCheckpoint checkpoint) {
            List<float[]> saved = checkpoint.parameters();
            List<Parameter> statistics = network.runningStatistics();
            if (saved.size() != parameters.size() + statistics.size()) {
                throw new IllegalArgumentException("checkpoint has " + saved.size()
                        + " parameters and running statistics but the network has "
                        + (parameters.size() + statistics.size()));
            }
            List<float[]> values = saved.subList(0, parameters.size());
            for (int i = 0; i < statistics.size(); i++) {
                float[] value = saved.get(parameters.size() + i);
                if (value.length != statistics.get(i).getArray().size()) {
                    throw new IllegalArgumentException("checkpoint does not match the network at running statistic "
                            + statistics.get(i).getName());
                }
                NativeArrays.assign(statistics.get(i).getArray(), value);
            }
            for (int i = 0; i < parameters.size(); i++) {
                if (values.get(i).length != parameters.get(i).getArray().size()) {
                    throw new IllegalArgumentException("checkpoint does not match the network at parameter "
                            + parameters.get(i).getName());
                }
            }
            load(values);
            TrainingCheckpoint.Average savedAverage = checkpoint.average();
            if (average != null && savedAverage.shadows().size() == parameters.size()) {
                average.restore(savedAverage.shadows(), savedAverage.updates());
            }
            optimizer.restore(parameters, checkpoint.optimizer());
            step = checkpoint.step();
            TrainingCheckpoint.History earlier = checkpoint.history();
            history.addAll(earlier.epochEnds());
            trainSeconds = earlier.trainingSeconds();
            elapsedBeforeThisAttempt = earlier.elapsedSeconds();
            if (budget != null) {
                budget.restore(checkpoint.multipliers());
            }
        }

        private byte[] saveParameters() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                network.block().saveParameters(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }
    }

    private record Evaluation(double testError, double expectedL0, double expectedFlops, List<Integer> keptUnits,
            TrainingProgress.Budget budget) {}

    /** A seeded Fisher–Yates shuffle per epoch, so a resumed run sees the same order. */
    static int[] permutation(int size, long seed, int epoch) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Random random = new Random(seed * 31 + epoch);
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}

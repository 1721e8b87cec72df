package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.l0sparsify.dataset.ExampleValues;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.Preprocessing;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.prune.PrunedNetwork;
import io.l0sparsify.prune.PrunedNetworkRunner;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.Presets;
import io.l0sparsify.testing.Inputs;
import io.l0sparsify.testing.KeptCheckpoints;
import io.l0sparsify.testing.Mnist;
import io.l0sparsify.testing.TrainedPresets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Short real trainings on MNIST: pruning parity, determinism, control and memory. */
class L0TrainerTest {

    @Test
    void prunedMlpGivesTheGatedModelsLogitsOnTheWholeTestSet() {
        TrainedPresets.Trained mlp = TrainedPresets.mlp();
        assertRealPruning(mlp.result(), Presets.MLP);
        assertParity(Presets.MLP, mlp.config(), mlp.result(), mlp.data());
    }

    @Test
    void prunedLenetGivesTheGatedModelsLogitsOnTheWholeTestSet() {
        TrainedPresets.Trained lenet = TrainedPresets.lenet();
        assertRealPruning(lenet.result(), Presets.LENET5_CAFFE);
        assertParity(Presets.LENET5_CAFFE, lenet.config(), lenet.result(), lenet.data());
    }

    private static void assertRealPruning(TrainingResult result, ModelSpec spec) {
        PrunedNetwork pruned = result.pruned();
        System.out.println(spec + " pruned to " + pruned.architecture() + ", test error " + result.prunedTestError());
        assertThat(pruned.parameterCount()).isLessThan(result.dense().parameterCount());
        assertThat(result.dense().parameterCount()).isEqualTo(spec.parameterCount());
        assertThat(pruned.flops()).isLessThan(result.dense().flops());
        assertThat(result.prunedTestError()).isEqualTo(result.gatedTestError());
        // a few hundred noisy steps under a strong penalty: far from converged, but far better than chance (0.9)
        assertThat(result.prunedTestError()).isLessThan(0.75);
    }

    /** Max |Δ| ≤ 1e-4 between the gated network (eval mode, restored from its parameters) and the pruned one. */
    private static void assertParity(ModelSpec spec, TrainingOptions config, TrainingResult result, TrainingData data) {
        Examples test = data.test();
        float[] inputs = Inputs.of(test, data.preprocessing());
        int inputSize = test.shape().size();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            L0Network gated = L0Network.restore(spec, config, manager, result.gatedParameters());
            double maxDifference = 0;
            int disagreements = 0;
            NativeArrays.Staging staging = new NativeArrays.Staging();
            try (PrunedNetworkRunner pruned = new PrunedNetworkRunner(result.pruned(), manager);
                    PrunedNetworkRunner dense = new PrunedNetworkRunner(result.dense(), manager)) {
                for (int start = 0; start < test.size(); start += 1000) {
                    try (NDManager batch = manager.newSubManager()) {
                        NDArray x = staging.floats(batch, inputs, start * inputSize,
                                gated.inputShape(Math.min(1000, test.size() - start)));
                        NDArray expected = gated.predict(x);
                        NDArray actual = pruned.forward(x);
                        maxDifference = Math.max(maxDifference, expected.sub(actual).abs().max().getFloat());
                        maxDifference = Math.max(maxDifference, expected.sub(dense.forward(x)).abs().max().getFloat());
                        disagreements += expected.argMax(1).neq(actual.argMax(1)).sum().getLong();
                    }
                }
            }
            assertThat(maxDifference).isLessThanOrEqualTo(1e-4);
            assertThat(disagreements).isZero();
        }
    }

    @Test
    void sameSeedSameDataGiveIdenticalRuns() {
        TrainingData data = Mnist.flat().head(1000, 500);
        TrainingOptions config = TrainingOptions.builder().optEpochs(2).optSeed(42).build();
        TrainingResult first = new L0Trainer().train(Presets.MLP, config, data, RunListener.NONE, null);
        TrainingResult second = new L0Trainer().train(Presets.MLP, config, data, RunListener.NONE, null);
        assertThat(second.gatedParameters()).isEqualTo(first.gatedParameters());
        assertThat(second.history().get(1).trainLoss()).isEqualTo(first.history().get(1).trainLoss());
        TrainingResult other = new L0Trainer().train(Presets.MLP, config.toBuilder().optSeed(43).build(), data,
                RunListener.NONE, null);
        assertThat(other.gatedParameters()).isNotEqualTo(first.gatedParameters());
    }

    @Test
    void concurrentRunsOnFreshThreadsFinishWithTheirSequentialResults() throws Exception {
        TrainingData data = Mnist.flat().head(1000, 200);
        TrainingOptions first = TrainingOptions.builder().optEpochs(2).optSeed(7).build();
        TrainingOptions second = TrainingOptions.builder().optEpochs(2).optSeed(8).build();
        // fresh threads start with PyTorch's autograd on, and only one may collect gradients at a time
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> new L0Trainer().train(Presets.MLP, first, data, RunListener.NONE, null));
            var b = pool.submit(() -> new L0Trainer().train(Presets.MLP, second, data, RunListener.NONE, null));
            byte[] concurrentA = a.get().gatedParameters();
            byte[] concurrentB = b.get().gatedParameters();
            // each run owns its random streams, so running beside another changes nothing
            assertThat(concurrentA).isEqualTo(
                    new L0Trainer().train(Presets.MLP, first, data, RunListener.NONE, null).gatedParameters());
            assertThat(concurrentB).isEqualTo(
                    new L0Trainer().train(Presets.MLP, second, data, RunListener.NONE, null).gatedParameters());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void liveArrayCountStaysFlatOverHundredsOfSteps() {
        TrainingData data = Mnist.flat().head(3000, 200);
        TrainingOptions config = TrainingOptions.builder().optEpochs(10).optProgressEverySteps(50).build();
        List<Integer> counts = new ArrayList<>();
        // every manager of the engine hangs below its system manager, the parent of a base manager
        NDManager system = NDManager.newBaseManager("PyTorch").getParentManager();
        new L0Trainer().train(Presets.LENET5_CAFFE, config.toBuilder().optEpochs(2).build(),
                Mnist.full().head(3000, 200), RunListener.NONE, null);
        new L0Trainer().train(Presets.MLP, config, data, progress -> {
            if (!progress.epochEnd()) {
                counts.add(system.getManagedArrays().size());
            }
        }, null);
        // 300 steps, reports at steps 50, 100, ..., skipping epoch ends: the count must not move after
        // Adam's state exists (first step)
        assertThat(counts).hasSizeGreaterThanOrEqualTo(4);
        assertThat(counts).containsOnly(counts.get(0));
    }

    @Test
    void aRunSplitAcrossReplicasTrainsLikeOneAndLeaksNothing() {
        TrainingData data = Mnist.flat().head(3000, 500);
        TrainingOptions config = TrainingOptions.builder().optEpochs(4).optProgressEverySteps(10).optSeed(11).build();
        NDManager system = NDManager.newBaseManager("PyTorch").getParentManager();
        List<Integer> counts = new ArrayList<>();
        TrainingResult split = new L0Trainer(2).train(Presets.MLP, config, data, progress -> {
            if (!progress.epochEnd() && progress.step() > 30) {
                counts.add(system.getManagedArrays().size());
            }
        }, null);
        TrainingResult single = new L0Trainer().train(Presets.MLP, config, data, RunListener.NONE, null);
        assertThat(split.device()).isEqualTo("cpu()+cpu()");
        assertThat(counts).hasSizeGreaterThanOrEqualTo(4).containsOnly(counts.get(0));
        // same gradients (DataParallelTest), but Adam's sign-like first steps amplify float rounding
        assertThat(Math.abs(split.gatedTestError() - single.gatedTestError())).isLessThan(0.02);
        assertThat(split.history().get(3).trainLoss()).isCloseTo(single.history().get(3).trainLoss(),
                org.assertj.core.data.Percentage.withPercentage(5));
    }

    @Test
    void cancelStopsBeforeTheNextStep() {
        AtomicInteger asked = new AtomicInteger();
        RunListener cancelAtTen = new RunListener() {
            @Override
            public void onProgress(TrainingProgress progress) {}

            @Override
            public TrainingControl control() {
                return asked.incrementAndGet() > 10 ? TrainingControl.CANCEL : TrainingControl.CONTINUE;
            }
        };
        assertThatThrownBy(() -> new L0Trainer().train(Presets.MLP, TrainingOptions.builder().optEpochs(5).build(),
                Mnist.flat().head(5000, 100), cancelAtTen, null))
                .isInstanceOfSatisfying(TrainingAbortedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(TrainingAbortedException.Reason.CANCELLED);
                    assertThat(e.getMessage()).contains("step 10");
                });
        assertThat(asked.get()).isEqualTo(11);
    }

    @Test
    void stopEarlyKeepsTheWorkAndPrunesIt() {
        AtomicInteger asked = new AtomicInteger();
        List<TrainingProgress> reports = new ArrayList<>();
        RunListener stopInSecondEpoch = new RunListener() {
            @Override
            public void onProgress(TrainingProgress progress) {
                reports.add(progress);
            }

            @Override
            public TrainingControl control() {
                return asked.incrementAndGet() > 15 ? TrainingControl.STOP_EARLY : TrainingControl.CONTINUE;
            }
        };
        TrainingResult result = new L0Trainer().train(Presets.MLP, TrainingOptions.builder().optEpochs(50).build(),
                Mnist.flat().head(1000, 300), stopInSecondEpoch, null);
        assertThat(result.stoppedEarly()).isTrue();
        assertThat(result.epochsCompleted()).isEqualTo(1);
        assertThat(result.history()).hasSize(2);
        assertThat(reports.get(reports.size() - 1).step()).isEqualTo(15);
        assertThat(result.pruned().architecture()).isNotEmpty();
    }

    @Test
    void runOverItsTimeBudgetIsAbortedWithThatReason() {
        assertThatThrownBy(() -> new L0Trainer().train(Presets.MLP,
                TrainingOptions.builder().optEpochs(1000).optMaxRuntime(Duration.ofMillis(300)).build(),
                Mnist.flat().head(1000, 100), RunListener.NONE, null))
                .isInstanceOfSatisfying(TrainingAbortedException.class, e -> assertThat(e.reason())
                        .isEqualTo(TrainingAbortedException.Reason.MAX_RUNTIME_EXCEEDED));
    }

    @Test
    void nonFiniteLossEndsTheRunAsDiverged() {
        TrainingData data = Mnist.flat().head(500, 100);
        // features already preprocessed, stored as floats, one of them NaN
        float[] values = Inputs.of(data.train(), data.preprocessing());
        values[1234] = Float.NaN;
        TrainingData poisoned = new TrainingData(new Examples("poisoned", Mnist.FLAT, new ExampleValues.Floats(values),
                data.train().labels()), data.test().reshaped(Mnist.FLAT), Preprocessing.scaleOnly(1, 1),
                data.classNames(), data.split());
        assertThatThrownBy(() -> new L0Trainer().train(Presets.MLP, TrainingOptions.builder().optEpochs(1).build(),
                poisoned, RunListener.NONE, null))
                .isInstanceOfSatisfying(TrainingAbortedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(TrainingAbortedException.Reason.DIVERGED);
                    assertThat(e.getMessage()).contains("non-finite").contains("cross-entropy NaN");
                });
    }

    @Test
    void aLossThatExplodesWithoutBecomingNonFiniteEndsTheRunAsDiverged() {
        // Adam at learning rate 10 (the contract's maximum) throws the logits to ±1e4 at the first step: the loss
        // stays in the thousands and millions, finite, far above 100 · ln 10 = 230
        TrainingOptions config = TrainingOptions.builder().optEpochs(3).optLearningRate(10).optSeed(5).build();
        assertThatThrownBy(() -> new L0Trainer().train(Presets.MLP, config, Mnist.flat().head(2000, 200),
                RunListener.NONE, null))
                .isInstanceOfSatisfying(TrainingAbortedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(TrainingAbortedException.Reason.DIVERGED);
                    assertThat(e.getMessage()).contains("the loss exploded").contains("stayed above 230");
                });
    }

    @Test
    void aModelNoBetterThanChanceIsNotDelivered() {
        // The test labels are shuffled, so no model can do better than guessing on them: about 30 of 300 right,
        // where beating the most common class (about 36) by 3 binomial standard deviations (about 17) is needed.
        TrainingData data = Mnist.flat().head(1000, 300);
        List<Integer> labels = new ArrayList<>(java.util.Arrays.stream(data.test().labels()).boxed().toList());
        java.util.Collections.shuffle(labels, new java.util.Random(1));
        TrainingData guessing = new TrainingData(data.train(), new Examples("shuffled", data.shape(),
                data.test().values(), labels.stream().mapToInt(Integer::intValue).toArray()), data.preprocessing(),
                data.classNames(), data.split());
        TrainingOptions config = TrainingOptions.builder().optEpochs(2).optLearningRate(0.01).optEmaDecay(0)
                .optSeed(3).build();
        assertThatThrownBy(() -> new L0Trainer().train(Presets.MLP, config, guessing, RunListener.NONE, null))
                .isInstanceOfSatisfying(TrainingAbortedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(TrainingAbortedException.Reason.NO_BETTER_THAN_CHANCE);
                    assertThat(e.getMessage()).contains("test examples correctly").contains("most common class");
                });
        // the same run on the true labels learns and is delivered
        TrainingResult learned = new L0Trainer().train(Presets.MLP, config, data, RunListener.NONE, null);
        assertThat(learned.prunedTestError()).isLessThan(0.5);
    }

    @Test
    void aTestSetOfOneClassGivesNoChanceVerdict() {
        // Every test example is a 1: always answering 1 is right n times out of n, so no model could clear the
        // margin above it; the rule must not refuse a trained model for the test set's make-up.
        TrainingData data = Mnist.flat().head(1000, 1000);
        Examples test = data.test();
        int[] ones = java.util.stream.IntStream.range(0, test.size()).filter(i -> test.labels()[i] == 1).toArray();
        TrainingData oneClass = new TrainingData(data.train(), test.select("ones", ones), data.preprocessing(),
                data.classNames(), data.split());
        assertThat(oneClass.test().labels()).containsOnly(1);
        TrainingOptions config = TrainingOptions.builder().optEpochs(2).optLearningRate(0.01).optEmaDecay(0)
                .optSeed(3).build();
        TrainingResult result = new L0Trainer().train(Presets.MLP, config, oneClass, RunListener.NONE, null);
        assertThat(result.prunedTestError()).isLessThan(0.5);
    }

    @Test
    void resumedRunContinuesFromItsCheckpointEpochExactly() {
        TrainingData data = Mnist.flat().head(1000, 300);
        TrainingOptions config = TrainingOptions.builder().optEpochs(3).build();
        List<TrainingCheckpoint> checkpoints = new ArrayList<>();
        RunListener keep = KeptCheckpoints.into(checkpoints);
        TrainingResult full = new L0Trainer().train(Presets.MLP, config, data, keep, null);
        TrainingResult resumed = new L0Trainer().train(Presets.MLP, config, data, RunListener.NONE,
                checkpoints.get(0));
        assertThat(checkpoints).extracting(TrainingCheckpoint::epochsCompleted).containsExactly(1, 2, 3);
        assertThat(resumed.epochsCompleted()).isEqualTo(3);
        // the first epoch's snapshot comes from the checkpoint; the resumed attempt appends epochs 2 and 3
        assertThat(resumed.history()).extracting(TrainingProgress::epoch).containsExactly(1, 2, 3);
        assertThat(resumed.history().get(0)).isEqualTo(full.history().get(0));
        assertThat(resumed.history().get(1).step()).isEqualTo(20);
        // parameters, averages, Adam's moments, shuffles and gate noise all continue: the same run, bit for bit
        assertThat(resumed.gatedParameters()).isEqualTo(full.gatedParameters());
        assertThat(resumed.history().get(2).trainLoss()).isEqualTo(full.history().get(2).trainLoss());
    }

    @Test
    void aRunResumedTwiceReportsEveryEpochAndTheTimeOfEveryAttempt() {
        TrainingData data = Mnist.flat().head(1000, 300);
        TrainingOptions config = TrainingOptions.builder().optEpochs(3).build();
        List<TrainingCheckpoint> first = new ArrayList<>();
        List<TrainingCheckpoint> second = new ArrayList<>();
        new L0Trainer().train(Presets.MLP, config, data, KeptCheckpoints.into(first), null);
        // The second attempt dies after its first epoch (epoch 2); the third resumes from that checkpoint.
        new L0Trainer().train(Presets.MLP, config, data, KeptCheckpoints.into(second), first.get(0));
        TrainingCheckpoint afterEpochTwo = second.get(0);
        TrainingResult third = new L0Trainer().train(Presets.MLP, config, data, RunListener.NONE, afterEpochTwo);

        assertThat(afterEpochTwo.history().epochEnds()).extracting(TrainingProgress::epoch).containsExactly(1, 2);
        assertThat(afterEpochTwo.history().trainingSeconds())
                .isGreaterThan(first.get(0).history().trainingSeconds());
        assertThat(third.history()).extracting(TrainingProgress::epoch).containsExactly(1, 2, 3);
        assertThat(third.history()).extracting(TrainingProgress::step).containsExactly(10L, 20L, 30L);
        // training time and elapsed time run on: the third attempt adds to what the first two spent
        assertThat(third.trainingSeconds()).isGreaterThan(afterEpochTwo.history().trainingSeconds());
        assertThat(third.history().get(2).elapsedSeconds()).isGreaterThan(afterEpochTwo.history().elapsedSeconds());
    }

    @Test
    void aRunResumedAfterItsLastEpochStillReportsEveryEpoch() {
        // As when the worker died while exporting: the last checkpoint has every epoch, nothing is left to train.
        TrainingData data = Mnist.flat().head(1000, 300);
        TrainingOptions config = TrainingOptions.builder().optEpochs(2).build();
        List<TrainingCheckpoint> checkpoints = new ArrayList<>();
        TrainingResult full = new L0Trainer().train(Presets.MLP, config, data, KeptCheckpoints.into(checkpoints),
                null);
        TrainingCheckpoint last = checkpoints.get(checkpoints.size() - 1);

        TrainingResult resumed = new L0Trainer().train(Presets.MLP, config, data, RunListener.NONE, last);

        assertThat(resumed.history()).isEqualTo(full.history());
        assertThat(resumed.trainingSeconds()).isEqualTo(last.history().trainingSeconds()).isPositive();
        assertThat(resumed.gatedParameters()).isEqualTo(full.gatedParameters());
    }

    /** A small convolutional network on MNIST images, for the image-only options. */
    private static final ModelSpec SMALL_CONV = ModelSpec.of(List.of(1, 28, 28), List.<io.l0sparsify.spec.LayerSpec>of(
            new io.l0sparsify.spec.LayerSpec.Conv2d(4, 5), new io.l0sparsify.spec.LayerSpec.Relu(),
            new io.l0sparsify.spec.LayerSpec.MaxPool(2, 2), new io.l0sparsify.spec.LayerSpec.Flatten(),
            new io.l0sparsify.spec.LayerSpec.Dense(10)), io.l0sparsify.spec.SpecLimits.DEFAULT);

    @Test
    void aResumedRunWithSgdAStepScheduleAndAugmentationEqualsTheUninterruptedOne() {
        TrainingData data = Mnist.full().head(1000, 300);
        // 3 epochs with a milestone at 0.6: the rate drops at epoch 2, after the resume
        TrainingOptions config = TrainingOptions.builder().optEpochs(3).optBatchSize(50).optSeed(5)
                .optOptimizer(OptimizerSpec.Sgd.paper())
                .optSchedule(new LearningRateSchedule.Step(List.of(0.6), 0.2))
                .optAugmentation(new io.l0sparsify.dataset.Augmentation(2, true))
                .optWeightDecay(5e-4).optEmaDecay(0.99).optLambdas(List.of(0.01)).build();
        List<TrainingCheckpoint> checkpoints = new ArrayList<>();
        TrainingResult full = new L0Trainer().train(SMALL_CONV, config, data, KeptCheckpoints.into(checkpoints),
                null);
        TrainingCheckpoint afterFirstEpoch = checkpoints.get(0);
        assertThat(afterFirstEpoch.optimizer()).isInstanceOfSatisfying(TrainingCheckpoint.SgdMomentum.class,
                sgd -> assertThat(sgd.steps()).isEqualTo(20));
        // the checkpoint survives its stored form
        TrainingCheckpoint stored = TrainingCheckpoint.decode(afterFirstEpoch.encode());

        TrainingResult resumed = new L0Trainer().train(SMALL_CONV, config, data, RunListener.NONE, stored);

        // velocities, rates, crops and flips all continue: the same run, bit for bit
        assertThat(resumed.gatedParameters()).isEqualTo(full.gatedParameters());
        assertThat(resumed.history().get(2).trainLoss()).isEqualTo(full.history().get(2).trainLoss());
        // a few noisy steps on crops of 1000 images: far from converged, but far better than chance (0.9)
        assertThat(full.prunedTestError()).isLessThan(0.75);
        // and each of them matters: without augmentation, or with Adam, the run is another one
        TrainingResult plain = new L0Trainer().train(SMALL_CONV, config.toBuilder().optAugmentation(null).build(),
                data, RunListener.NONE, null);
        assertThat(plain.gatedParameters()).isNotEqualTo(full.gatedParameters());
        assertThat(plain.history().get(0).trainLoss()).isNotEqualTo(full.history().get(0).trainLoss());
    }

    @Test
    void anSgdRunWithAugmentationKeepsItsLiveArrayCountFlat() {
        TrainingOptions config = TrainingOptions.builder().optEpochs(4).optBatchSize(50).optProgressEverySteps(5)
                .optOptimizer(OptimizerSpec.Sgd.paper())
                .optSchedule(LearningRateSchedule.Step.paper())
                .optAugmentation(new io.l0sparsify.dataset.Augmentation(2, true)).optLambdas(List.of(0.01)).build();
        NDManager system = NDManager.newBaseManager("PyTorch").getParentManager();
        List<Integer> counts = new ArrayList<>();
        new L0Trainer().train(SMALL_CONV, config, Mnist.full().head(1000, 300), progress -> {
            if (!progress.epochEnd() && progress.step() > 10) {
                counts.add(system.getManagedArrays().size());
            }
        }, null);
        // 80 steps, reports every 5 away from epoch ends, after the velocities exist (first step)
        assertThat(counts).hasSizeGreaterThanOrEqualTo(4).containsOnly(counts.get(0));
    }

    @Test
    void aRunThatSwitchesOptimizerCannotResumeAnothersState() {
        TrainingData data = Mnist.flat().head(1000, 300);
        TrainingOptions adam = TrainingOptions.builder().optEpochs(2).build();
        List<TrainingCheckpoint> checkpoints = new ArrayList<>();
        new L0Trainer().train(Presets.MLP, adam, data, KeptCheckpoints.into(checkpoints), null);
        TrainingOptions sgd = adam.toBuilder().optOptimizer(OptimizerSpec.Sgd.paper()).build();
        assertThatThrownBy(() -> new L0Trainer().train(Presets.MLP, sgd, data, RunListener.NONE, checkpoints.get(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Adam's moments but the run uses SGD");
    }

    @Test
    void dataThatDoesNotFitTheSpecIsRejectedBeforeTraining() {
        TrainingData data = Mnist.flat().head(100, 100);
        ModelSpec wrongInput = ModelSpec.of(List.of(100), List.of(new io.l0sparsify.spec.LayerSpec.Dense(10)),
                io.l0sparsify.spec.SpecLimits.DEFAULT);
        assertThatThrownBy(() -> new L0Trainer().train(wrongInput, TrainingOptions.defaults(), data,
                RunListener.NONE, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the dataset's examples have shape [784] but the model's inputShape is [100]");
    }

    @Test
    void imagesOfTheRightSizeButAnotherShapeAreRejectedNamingBothShapes() {
        // 784 values either way, but an image is not a feature vector: the trainer takes only the spec's own shape
        TrainingData images = Mnist.full().head(100, 100);
        assertThatThrownBy(() -> new L0Trainer().train(Presets.MLP, TrainingOptions.defaults(), images,
                RunListener.NONE, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the dataset's examples have shape [1, 28, 28] but the model's inputShape is [784]");
        TrainingData flat = Mnist.flat().head(100, 100);
        assertThatThrownBy(() -> new L0Trainer().train(Presets.LENET5_CAFFE, TrainingOptions.defaults(), flat,
                RunListener.NONE, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the dataset's examples have shape [784] but the model's inputShape is [1, 28, 28]");
    }
}

package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.prune.LayerParameters;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.SpecLimits;
import io.l0sparsify.testing.KeptCheckpoints;
import io.l0sparsify.testing.Mnist;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The size budget end to end: a small MLP on an MNIST subset, on the CPU, seeded. */
class BudgetTrainingTest {

    static final ModelSpec SMALL_MLP = ModelSpec.of(List.of(784), List.of(new LayerSpec.Dense(64), new LayerSpec.Relu(),
            new LayerSpec.Dense(10)), SpecLimits.UNBOUNDED);

    @Test
    void theControllerDrivesTheNetworkToWithinTwoPercentOfTheTarget() {
        TrainingData data = Mnist.flat().head(1000, 300);
        TrainingOptions config = halfTheFlops(20);
        assertThat(config.lambdas()).containsExactly(0.0);
        List<TrainingProgress> seen = new ArrayList<>();
        TrainingResult result = new L0Trainer().train(SMALL_MLP, config, data, seen::add, null);

        TrainingProgress.Budget first = seen.getFirst().budget();
        TrainingProgress.Budget last = seen.getLast().budget();
        assertThat(first.metric()).isEqualTo(SizeTarget.Metric.FLOPS);
        assertThat(first.currentTarget()).isGreaterThan(0.5);
        assertThat(last.currentTarget()).isEqualTo(0.5);
        // after the warm-up the controller aims ŝ, once an epoch, where the deterministic network meets the budget, as
        // far as the gates are decided: from the fifth epoch after it, that network is within 2 % of the dense
        // network's FLOPs of the target (it comes down from 0.58 at the ramp's end; 0.538 after the third epoch,
        // 0.515 after the fifth)
        for (TrainingProgress p : seen.subList(14, 20)) {
            assertThat(p.budget().deterministic()).as("epoch %d", p.epoch()).isCloseTo(0.5, within(0.02));
        }
        // the multipliers of an upper bound: λ₁ pushes gates shut or rests at 0, never pulls them open
        assertThat(seen).allSatisfy(p -> assertThat(p.budget().lambda1()).as("epoch %d", p.epoch()).isNotNegative());
        // ŝ is aimed below the budget by the groups that count fully in the deterministic network but not in ŝ, and
        // training itself delivers the budget: the guarantee has nothing left to close, and the delivered network
        // is fine-tuned with its gates frozen all the same
        assertThat(last.expected()).isLessThan(0.5);
        BudgetOutcome.Enforcement end = result.budget().enforcement();
        assertThat(end.groupsClosed()).isZero();
        assertThat(end.fits()).isTrue();
        assertThat(end.sizeAfter()).isEqualTo(end.sizeBefore()).isEqualTo(last.deterministic());
        assertThat(end.fineTuneEpochs()).isEqualTo(1);
        assertThat(result.prunedTestError()).isCloseTo(end.testErrorAfter(), within(1e-9));
        assertThat(result.budget().expected()).isEqualTo(last.expected());
        // the delivered network is within the budget, counted as result.json counts it
        double delivered = result.pruned().flops() / (double) result.dense().flops();
        assertThat(delivered).isLessThanOrEqualTo(0.5).isEqualTo(result.budget().deterministic());
        assertThat(result.prunedTestError()).isLessThan(0.2);
    }

    /**
     * A fine-tuning: trained weights, gates open and saturated (drop rate 0.05, log α ≈ 2.94, where P(z≠0) barely
     * moves with log α). The expected size lags the ramp for hundreds of steps; a multiplier that integrates the
     * whole lag winds up, and once the gates respond it closes every layer at once. The budget must be met
     * without losing what the upload knew.
     */
    @Test
    void aBudgetOnTrainedWeightsWithSaturatedGatesKeepsTheirAccuracy() {
        TrainingData data = Mnist.flat().head(2000, 500);
        TrainingOptions plain = TrainingOptions.builder().optEpochs(6).optBatchSize(50).optLearningRate(0.003)
                .optEmaDecay(0).optSeed(7).optLambdas(List.of(0.0)).optInitialDropRates(List.of(0.05)).build();
        TrainingResult trained = new L0Trainer().train(SMALL_MLP, plain, data, RunListener.NONE, null);
        assertThat(trained.pruned().architecture()).isEqualTo("784-64");
        List<LayerParameters> start = new ArrayList<>();
        for (PrunedLayer layer : trained.pruned().layers()) {
            if (layer instanceof PrunedLayer.Dense dense) {
                start.add(new LayerParameters(start.isEmpty() ? 0 : 2, dense.weight(), dense.bias(), null));
            }
        }

        TrainingOptions fineTune = TrainingOptions.builder().optEpochs(30).optBatchSize(10).optLearningRate(0.001)
                .optEmaDecay(0).optSeed(8).optInitialDropRates(List.of(0.05))
                .optTarget(SizeTarget.of(SizeTarget.Metric.FLOPS, 0.3)).build();
        List<TrainingProgress> seen = new ArrayList<>();
        TrainingResult result = new L0Trainer().train(SMALL_MLP, fineTune, data, seen::add, null, start);

        double delivered = result.pruned().flops() / (double) result.dense().flops();
        assertThat(delivered).isLessThanOrEqualTo(0.3);
        // the controller, not the guarantee, made the size: the trained network was (nearly) at the budget
        assertThat(seen.getLast().budget().deterministic()).isLessThan(0.33);
        // the same two layers, and hardly less accurate than the dense network it started from
        assertThat(result.pruned().architecture()).matches("\\d+-\\d+");
        assertThat(result.prunedTestError()).as("dense %.4f", trained.prunedTestError())
                .isLessThan(trained.prunedTestError() + 0.02);
        for (TrainingProgress p : seen.stream().filter(TrainingProgress::epochEnd).toList()) {
            assertThat(p.testError()).as("epoch %d", p.epoch()).isLessThan(trained.prunedTestError() + 0.05);
        }
    }

    @Test
    void aGivenRampStartReplacesTheInitialGatesExpectedSizeAsWhereTheTargetStarts() {
        TrainingData data = Mnist.flat().head(200, 100);
        // a warm-started sweep point: its ramp goes from the previous budget, 0.8, to 0.4 over 4 epochs
        SizeTarget target = new SizeTarget(SizeTarget.Metric.FLOPS, 0.4, 4.0, 0.2, 0).withRampStart(0.8);
        TrainingOptions config = TrainingOptions.builder().optEpochs(4).optBatchSize(50).optEmaDecay(0).optSeed(3)
                .optTarget(target).build();
        List<TrainingProgress> seen = new ArrayList<>();
        new L0Trainer().train(SMALL_MLP, config, data, seen::add, null);

        assertThat(seen.get(0).budget().currentTarget()).isCloseTo(0.8 - 0.4 * 1 / 4, within(1e-9));
        assertThat(seen.get(1).budget().currentTarget()).isCloseTo(0.8 - 0.4 * 2 / 4, within(1e-9));
        assertThat(seen.get(3).budget().currentTarget()).isEqualTo(0.4);
    }

    /**
     * A target ŝ is under all along: the fresh gates open with P(z≠0) ≈ 0.8, at an expected 0.80 of the FLOPs
     * (0.81 after the third epoch), and the target ramps from 0.95 to 0.9 over the whole run (after the warm-up the aim would follow the deterministic network, still whole here, which
     * is over any budget). The controller has nothing to do: a multiplier free to go negative pulled such a network
     * open towards its target, and a sweep point warm-started under its ramp regrew to the dense size that way.
     */
    @Test
    void aNetworkUnderItsTargetIsNotPulledOpen() {
        TrainingData data = Mnist.flat().head(1000, 300);
        TrainingOptions config = TrainingOptions.builder().optEpochs(3).optBatchSize(10).optLearningRate(0.001)
                .optEmaDecay(0).optSeed(3)
                .optTarget(new SizeTarget(SizeTarget.Metric.FLOPS, 0.9, 3.0, 0.2, 0, 0.95)).build();
        List<TrainingProgress> seen = new ArrayList<>();
        TrainingResult result = new L0Trainer().train(SMALL_MLP, config, data, seen::add, null);

        assertThat(seen).hasSize(3).allSatisfy(p -> {
            assertThat(p.budget().expected()).as("epoch %d", p.epoch()).isLessThan(0.85);
            assertThat(p.budget().lambda1()).as("epoch %d", p.epoch()).isZero();
            assertThat(p.budget().lambda2()).as("epoch %d", p.epoch()).isZero();
        });
        assertThat(result.budget().lambda1()).isZero();
    }

    @Test
    void theDeliveredNetworkFitsTheBudgetWhenTheControllerCannotReachIt() {
        TrainingData data = Mnist.flat().head(500, 300);
        TrainingOptions config = TrainingOptions.builder().optEpochs(1).optBatchSize(50).optLearningRate(0.01)
                .optEmaDecay(0).optSeed(4)
                .optTarget(new SizeTarget(SizeTarget.Metric.PARAMETERS, 0.05, null, 0.2, 2)).build();
        List<TrainingProgress> seen = new ArrayList<>();
        TrainingResult result = new L0Trainer().train(SMALL_MLP, config, data, seen::add, null);

        // one epoch moves log α far too little: the trained network is still (nearly) dense
        assertThat(seen.getLast().budget().deterministic()).isGreaterThan(0.5);
        BudgetOutcome outcome = result.budget();
        BudgetOutcome.Enforcement enforcement = outcome.enforcement();
        assertThat(enforcement).isNotNull();
        assertThat(enforcement.fits()).isTrue();
        assertThat(enforcement.sizeBefore()).isEqualTo(seen.getLast().budget().deterministic());
        assertThat(enforcement.sizeAfter()).isLessThanOrEqualTo(0.05);
        assertThat(enforcement.groupsClosed()).isGreaterThan(0);
        assertThat(enforcement.fineTuneEpochs()).isEqualTo(2);
        double parameters = result.pruned().parameterCount() / (double) result.dense().parameterCount();
        assertThat(parameters).isLessThanOrEqualTo(0.05).isEqualTo(outcome.deterministic());
        // the pruned network is the fine-tuned one, and fine-tuning recovers accuracy lost by closing groups
        assertThat(result.prunedTestError()).isCloseTo(enforcement.testErrorAfter(), within(1e-9));
        assertThat(enforcement.testErrorAfter()).isLessThan(enforcement.testErrorBefore());
    }

    @Test
    void withRoundedUnitsTheGuaranteeCountsTheRoundedNetwork() {
        TrainingData data = Mnist.flat().head(500, 300);
        TrainingOptions config = TrainingOptions.builder().optEpochs(1).optBatchSize(50).optLearningRate(0.01)
                .optEmaDecay(0).optSeed(4).optRoundUnitsTo(8)
                .optTarget(new SizeTarget(SizeTarget.Metric.FLOPS, 0.2, null, 0.2, 3)).build();
        TrainingResult result = new L0Trainer().train(SMALL_MLP, config, data, p -> { }, null);
        BudgetOutcome.Enforcement enforcement = result.budget().enforcement();
        assertThat(enforcement.fits()).isTrue();
        double flops = result.pruned().flops() / (double) result.dense().flops();
        assertThat(flops).isLessThanOrEqualTo(0.2).isEqualTo(enforcement.sizeAfter());
        String[] kept = result.pruned().architecture().split("-");
        for (String units : kept) {
            assertThat(Integer.parseInt(units) % 8).as(result.pruned().architecture()).isZero();
        }
    }

    @Test
    void withRoundedUnitsAConvolutionReadThroughAFlattenEndsAtTheMultipleInsideTheBudget() {
        ModelSpec cnn = ModelSpec.of(List.of(1, 28, 28), List.of(new LayerSpec.Conv2d(6, 5), new LayerSpec.Relu(),
                new LayerSpec.MaxPool(2, 2), new LayerSpec.Conv2d(12, 5), new LayerSpec.Relu(),
                new LayerSpec.MaxPool(2, 2), new LayerSpec.Flatten(), new LayerSpec.Dense(32), new LayerSpec.Relu(),
                new LayerSpec.Dense(10)), SpecLimits.UNBOUNDED);
        TrainingData data = Mnist.full().head(2000, 300);
        TrainingOptions config = TrainingOptions.builder().optEpochs(5).optBatchSize(50).optLearningRate(0.003)
                .optEmaDecay(0).optSeed(6).optRoundUnitsTo(4)
                .optTarget(new SizeTarget(SizeTarget.Metric.FLOPS, 0.5, null, 0.2, 1)).build();
        TrainingResult result = new L0Trainer().train(cnn, config, data, RunListener.NONE, null);

        BudgetOutcome.Enforcement enforcement = result.budget().enforcement();
        assertThat(enforcement.groupsClosed()).isPositive();
        // the guarantee closed groups by cost and log α without disconnecting a layer, and fine-tuning recovered
        assertThat(enforcement.testErrorAfter()).isLessThan(0.5).isLessThan(enforcement.testErrorBefore());
        double flops = result.pruned().flops() / (double) result.dense().flops();
        assertThat(flops).isLessThanOrEqualTo(0.5).isEqualTo(enforcement.sizeAfter());
        // conv maps, conv maps, the dense layer's inputs through the flatten, the last layer's inputs
        String[] kept = result.pruned().architecture().split("-");
        int[] full = {6, 12, 12 * 4 * 4, 32};
        assertThat(kept).hasSize(4);
        for (int i = 0; i < kept.length; i++) {
            int units = Integer.parseInt(kept[i]);
            assertThat(units % 4 == 0 || units == full[i]).as(result.pruned().architecture()).isTrue();
        }
    }

    @Test
    void theLiveArrayCountStaysFlatWithATarget() {
        TrainingData data = Mnist.flat().head(2000, 200);
        TrainingOptions config = TrainingOptions.builder().optEpochs(4).optBatchSize(50).optProgressEverySteps(20)
                .optSeed(2).optTarget(SizeTarget.of(SizeTarget.Metric.PARAMETERS, 0.5)).build();
        List<Integer> counts = new ArrayList<>();
        ai.djl.ndarray.NDManager system = ai.djl.ndarray.NDManager.newBaseManager("PyTorch").getParentManager();
        new L0Trainer().train(SMALL_MLP, config, data, progress -> {
            if (!progress.epochEnd()) {
                counts.add(system.getManagedArrays().size());
            }
        }, null);
        assertThat(counts).hasSizeGreaterThanOrEqualTo(4);
        assertThat(counts).containsOnly(counts.get(0));
    }

    @Test
    void aResumedRunWithATargetEqualsAnUninterruptedOne() {
        TrainingData data = Mnist.flat().head(500, 200);
        TrainingOptions config = TrainingOptions.builder().optEpochs(3).optBatchSize(50).optLearningRate(0.02)
                .optSeed(5).optTarget(new SizeTarget(SizeTarget.Metric.FLOPS, 0.4, 2.0, 0.5, 1)).build();
        List<TrainingCheckpoint> checkpoints = new ArrayList<>();
        RunListener keep = KeptCheckpoints.into(checkpoints);
        TrainingResult full = new L0Trainer().train(SMALL_MLP, config, data, keep, null);
        TrainingCheckpoint afterOne = TrainingCheckpoint.decode(checkpoints.get(0).encode());
        assertThat(afterOne.multipliers()).isEqualTo(checkpoints.get(0).multipliers());
        assertThat(afterOne.multipliers().lambda1()).isNotZero();
        assertThat(afterOne.history().epochEnds().getFirst().budget()).isEqualTo(full.history().getFirst().budget());

        TrainingResult resumed = new L0Trainer().train(SMALL_MLP, config, data, RunListener.NONE, afterOne);

        assertThat(resumed.gatedParameters()).isEqualTo(full.gatedParameters());
        assertThat(resumed.budget()).isEqualTo(full.budget());
        assertThat(resumed.history().getLast().budget()).isEqualTo(full.history().getLast().budget());
    }

    /**
     * After the warm-up every epoch is aimed at the deterministic size of the parameters it starts from: the
     * uninterrupted run aims at the end of the epoch before, a resumed one when it starts.
     */
    @Test
    void aRunResumedAfterTheWarmupAimsItsFirstEpochAsTheUninterruptedOneDid() {
        // the first test's run, shortened: by epoch 12 the network is at the budget, where the aim decides
        TrainingData data = Mnist.flat().head(1000, 300);
        TrainingOptions config = halfTheFlops(13);
        List<TrainingCheckpoint> checkpoints = new ArrayList<>();
        RunListener keep = KeptCheckpoints.into(checkpoints);
        TrainingResult full = new L0Trainer().train(SMALL_MLP, config, data, keep, null);
        TrainingCheckpoint afterEleven = TrainingCheckpoint.decode(checkpoints.get(10).encode());
        assertThat(afterEleven.step()).isEqualTo(1100);

        TrainingResult resumed = new L0Trainer().train(SMALL_MLP, config, data, RunListener.NONE, afterEleven);

        assertThat(resumed.gatedParameters()).isEqualTo(full.gatedParameters());
        assertThat(resumed.budget()).isEqualTo(full.budget());
    }

    /**
     * The first test's run on 1 000 MNIST examples at batch 10, 100 steps an epoch: the target ramps over the first
     * 10 epochs, then holds at half the FLOPs.
     */
    private static TrainingOptions halfTheFlops(int epochs) {
        return TrainingOptions.builder().optEpochs(epochs).optBatchSize(10).optLearningRate(0.02).optEmaDecay(0)
                .optSeed(3).optTarget(new SizeTarget(SizeTarget.Metric.FLOPS, 0.5, 10.0, 0.2, 1)).build();
    }
}

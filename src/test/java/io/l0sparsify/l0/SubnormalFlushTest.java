package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.SpecLimits;
import io.l0sparsify.testing.Mnist;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Flush-to-zero is a property of a thread: each case runs on a thread of its own, so that the test JVM's other
 * threads never see it.
 */
class SubnormalFlushTest {

    private static final float SUBNORMAL = Float.MIN_NORMAL / 4;

    private static <T> T onItsOwnThread(java.util.function.Supplier<T> work) {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            return CompletableFuture.supplyAsync(work, thread).join();
        } finally {
            thread.shutdown();
        }
    }

    /** x·1 computed by libtorch on the calling thread: the subnormal itself, or 0 with flush-to-zero. */
    private static float timesOne(NDManager manager) {
        NDArray x = manager.create(new float[] {SUBNORMAL});
        return x.mul(1f).getFloat();
    }

    @Test
    void whileOnLibtorchComputesSubnormalsAsZeroAndAfterwardsAsThemselves() {
        float[] seen = onItsOwnThread(() -> {
            try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                float before = timesOne(manager);
                float during;
                boolean on;
                try (SubnormalFlush flush = SubnormalFlush.onThisThread()) {
                    on = flush.on();
                    during = timesOne(manager);
                }
                return new float[] {before, on ? 1 : 0, during, timesOne(manager)};
            }
        });
        assertThat(seen[0]).isEqualTo(SUBNORMAL);
        assertThat(seen[1]).as("the switch was reached").isEqualTo(1);
        assertThat(seen[2]).isZero();
        assertThat(seen[3]).isEqualTo(SUBNORMAL);
    }

    @Test
    void aTrainingRunsStepsFlushSubnormalsAndItsEvaluationsAndItsThreadAfterwardsDoNot() {
        ModelSpec spec = ModelSpec.of(List.of(784), List.of(new LayerSpec.Dense(16), new LayerSpec.Relu(),
                new LayerSpec.Dense(10)), SpecLimits.UNBOUNDED);
        List<Float> beforeSteps = new java.util.ArrayList<>();
        List<Float> atEpochEnds = new java.util.ArrayList<>();
        float after = onItsOwnThread(() -> {
            try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                // the trainer asks for control before each step and reports each epoch's evaluation, on its thread
                RunListener listener = new RunListener() {
                    @Override
                    public void onProgress(TrainingProgress progress) {
                        atEpochEnds.add(timesOne(manager));
                    }

                    @Override
                    public TrainingControl control() {
                        beforeSteps.add(timesOne(manager));
                        return TrainingControl.CONTINUE;
                    }
                };
                new L0Trainer().train(spec, TrainingOptions.builder().optEpochs(2).optBatchSize(50)
                        .optLearningRate(0.01).optWeightDecay(5e-4).build(), Mnist.flat().head(1000, 300),
                        listener, null);
                return timesOne(manager);
            }
        });
        // the steps flush; the evaluations between epochs, the pruning and the thread afterwards do not
        assertThat(beforeSteps).hasSize(40).containsOnly(0f);
        assertThat(atEpochEnds).hasSize(2).containsOnly(SUBNORMAL);
        assertThat(after).isEqualTo(SUBNORMAL);
    }
}

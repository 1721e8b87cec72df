package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;

import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.Presets;
import io.l0sparsify.testing.Mnist;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mockito.MockedStatic;
import org.mockito.Mockito;

/**
 * A training step reads nothing back from its device: every read makes the host wait for the device, which on a
 * GPU would leave it idle once per step. The losses are read together every {@link L0Trainer#LOSS_READ_EVERY}
 * steps, and metrics at progress reports and epoch ends.
 *
 * <p>Every read of a tensor's values to the host in DJL's PyTorch engine ({@code toFloatArray}, {@code getFloat},
 * {@code toLongArray}, ...) goes through one native call, {@code JniUtils.getByteBuffer}; the test counts its calls
 * on the training thread between one step and the next, by wrapping that class with Mockito's static mock (the
 * real methods still run).
 *
 * <p>With a size budget the controller's per-step arithmetic stays on the device too; it reads log α once an
 * epoch, at the epoch's end (the interval left out below), for the deterministic size.
 *
 * <p>Copies the other way wait as well: libtorch copies pageable host memory to a GPU and then waits for the
 * stream, i.e. for everything queued before. Every such copy goes through {@code JniUtils.createNdFromByteBuffer};
 * a step makes exactly the copies of its data (inputs, labels, and the gates' noise: one copy for every layer
 * from the second step on, one per layer in the first, which learns their order), with or without a budget,
 * whose constants are made on the device.
 *
 * <p>Each case runs twice: with the kernels a GPU runs, and with a CPU run's update on the Java heap
 * ({@link HostUpdate}), which reads every weight and gradient through a direct buffer over the tensor's own memory:
 * on the CPU that is neither a copy nor a wait, and its calls are not counted.
 */
class HostReadsPerStepTest {

    @ParameterizedTest(name = "{0}, budget {1}, update on the heap {3}")
    @CsvSource({"mlp, false, 3, false", "lenet5-caffe, false, 4, false", "mlp, true, 3, false",
            "lenet5-caffe, true, 4, false", "mlp, false, 3, true", "lenet5-caffe, true, 4, true"})
    void aStepReadsNothingButTheLossesEveryFiftySteps(String preset, boolean budget, int gatedLayers,
            boolean heapUpdate) throws ClassNotFoundException {
        ModelSpec spec = Presets.byName(preset).orElseThrow();
        TrainingData data = (preset.equals("mlp") ? Mnist.flat() : Mnist.full()).head(6000, 100);
        int stepsPerEpoch = 60;
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger copies = new AtomicInteger();
        // reads.get() and copies.get() when each step was asked to run, and whether an epoch ended before the next
        List<Integer> readsAtStep = new ArrayList<>();
        List<Integer> copiesAtStep = new ArrayList<>();
        List<Boolean> epochEndAfter = new ArrayList<>();
        RunListener listener = new RunListener() {
            @Override
            public void onProgress(TrainingProgress progress) {
                if (!epochEndAfter.isEmpty()) {
                    epochEndAfter.set(epochEndAfter.size() - 1, true);
                }
            }

            @Override
            public TrainingControl control() {
                readsAtStep.add(reads.get());
                copiesAtStep.add(copies.get());
                epochEndAfter.add(false);
                return TrainingControl.CONTINUE;
            }
        };
        Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
        try (MockedStatic<?> counted = Mockito.mockStatic(jni, invocation -> {
            switch (invocation.getMethod().getName()) {
                case "getByteBuffer" -> {
                    // the heap update's direct access is not a read; any other call of it would be
                    if (!((Boolean) invocation.getArgument(1) && calledByTheHeapUpdate())) {
                        reads.incrementAndGet();
                    }
                }
                case "createNdFromByteBuffer" -> copies.incrementAndGet();
                default -> { }
            }
            return invocation.callRealMethod();
        })) {
            TrainingOptions.Builder options = TrainingOptions.builder().optEpochs(2);
            if (budget) {
                // a ramp over the first epoch, so that the second is aimed at the deterministic size; no fine-tuning
                // epoch after the run, which would call control() again
                options.optTarget(new SizeTarget(SizeTarget.Metric.FLOPS, 0.5, 1.0,
                        SizeTarget.DEFAULT_MULTIPLIER_LEARNING_RATE, 0));
            }
            TrainingResult result = new L0Trainer(1, heapUpdate).train(spec, options.build(), data, listener, null);
            assertThat(result.budget() != null).isEqualTo(budget);
        }

        assertThat(readsAtStep).hasSize(2 * stepsPerEpoch);
        List<Integer> perStep = new ArrayList<>();
        List<Integer> copiesPerStep = new ArrayList<>();
        // step i + 1 runs between the i-th and the (i+1)-th control(); the last step of an epoch is followed by
        // the epoch's evaluation, which reads, so it is left out
        for (int i = 0; i < readsAtStep.size() - 1; i++) {
            if (!epochEndAfter.get(i)) {
                perStep.add(readsAtStep.get(i + 1) - readsAtStep.get(i));
                copiesPerStep.add(copiesAtStep.get(i + 1) - copiesAtStep.get(i));
            }
        }
        assertThat(copiesPerStep.getFirst()).isEqualTo(2 + gatedLayers);
        assertThat(copiesPerStep.subList(1, copiesPerStep.size())).containsOnly(3);
        assertThat(perStep).hasSize(2 * stepsPerEpoch - 2);
        assertThat(perStep).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(1));
        // epoch 1: the losses of steps 1-50 at step 50; epoch 2 (the log starts afresh after the epoch end's read):
        // steps 61-110 at step 110
        assertThat(perStep.stream().mapToInt(Integer::intValue).sum()).isEqualTo(2);
        assertThat(reads.get()).isPositive();
    }

    /** Whether the intercepted call comes from {@link HostUpdate}. */
    private static boolean calledByTheHeapUpdate() {
        return StackWalker.getInstance().walk(frames -> frames
                .anyMatch(frame -> frame.getClassName().equals(HostUpdate.class.getName())));
    }
}

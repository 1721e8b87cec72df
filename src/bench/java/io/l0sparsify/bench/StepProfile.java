package io.l0sparsify.bench;

import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.l0.L0Trainer;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingControl;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.spec.ModelSpec;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Records PyTorch's own profiler (the autograd profiler behind {@code torch.profiler}, reached through DJL's
 * {@code JniUtils.startProfile}) over {@code --steps} training steps after {@code --warmup} untimed ones, and
 * writes its Chrome trace: every native operator a step runs, with its time and input shapes. Progress reports
 * are off, so the trace holds the training loop alone. {@code src/bench/python/summarize_step_trace.py} turns
 * the trace into a table per operator:
 *
 * <pre>
 * scripts/run-main io.l0sparsify.bench.StepProfile --preset mlp --steps 50 --trace target/profile/mlp.json
 * /usr/bin/python3 src/bench/python/summarize_step_trace.py target/profile/mlp.json --steps 50
 * </pre>
 */
@Command(name = "StepProfile", mixinStandardHelpOptions = true,
        description = "PyTorch's profiler over a few training steps, written as a Chrome trace")
public final class StepProfile implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", defaultValue = "mlp")
    String preset;

    @Option(names = "--threads", defaultValue = "1", description = "PyTorch intra-op threads")
    int threads;

    @Option(names = "--warmup", defaultValue = "100", description = "steps before the profiler starts")
    int warmup;

    @Option(names = "--steps", defaultValue = "50", description = "profiled steps")
    int steps;

    @Option(names = "--data", defaultValue = "data/datasets/mnist", description = "MNIST's IDX files")
    Path data;

    @Option(names = "--trace", required = true, description = "the Chrome trace to write")
    Path trace;

    public static void main(String[] args) {
        System.exit(new CommandLine(new StepProfile()).execute(args));
    }

    @Override
    public Integer call() throws IOException, ReflectiveOperationException {
        ModelSpec model = MnistPresetRun.preset(spec, preset);
        MnistPresetRun.useThreads(threads);
        TrainingData mnist = MnistPresetRun.mnist(data, model);
        Files.createDirectories(trace.toAbsolutePath().getParent());
        // the profiler lives in the engine's JNI class, a runtime dependency of the core
        Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
        Method start = jni.getMethod("startProfile", boolean.class, boolean.class, boolean.class);
        Method stop = jni.getMethod("stopProfile", String.class);
        long[] nanos = new long[2];
        RunListener listener = new RunListener() {
            private int asked;

            @Override
            public void onProgress(io.l0sparsify.l0.TrainingProgress progress) {}

            @Override
            public TrainingControl control() {
                asked++;
                try {
                    if (asked == warmup + 1) {
                        start.invoke(null, false, true, false);
                        nanos[0] = System.nanoTime();
                    } else if (asked == warmup + steps + 1) {
                        nanos[1] = System.nanoTime();
                        stop.invoke(null, trace.toAbsolutePath().toString());
                        return TrainingControl.STOP_EARLY;
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
                return TrainingControl.CONTINUE;
            }
        };
        int stepsPerEpoch = mnist.train().size() / TrainingOptions.DEFAULT_BATCH_SIZE;
        int epochs = (warmup + steps + stepsPerEpoch) / stepsPerEpoch;
        new L0Trainer().train(model, TrainingOptions.builder().optEpochs(epochs).build(),
                mnist.head(mnist.train().size(), 100), listener, null);
        System.out.printf(Locale.ROOT, "%s, %d thread(s): %d profiled steps, %.3f ms per step (profiler on)%n",
                preset, threads, steps, (nanos[1] - nanos[0]) / 1e6 / steps);
        return 0;
    }
}

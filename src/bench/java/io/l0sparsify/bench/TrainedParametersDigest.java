package io.l0sparsify.bench;

import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.l0.L0Trainer;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingProgress;
import io.l0sparsify.l0.TrainingResult;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.spec.ModelSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Trains a preset on MNIST with the paper's settings and a fixed seed and prints the SHA-256 of the trained
 * (averaged) parameters in DJL's parameter-file format, with each epoch's mean loss: a change to the training
 * step that is meant to leave the numbers alone must leave this digest alone. One intra-op thread, so that the
 * order of floating-point sums does not depend on how work is split.
 *
 * <pre>
 * scripts/run-main io.l0sparsify.bench.TrainedParametersDigest --preset mlp --epochs 2
 * scripts/run-main io.l0sparsify.bench.TrainedParametersDigest --preset lenet5-caffe --epochs 1
 * </pre>
 */
@Command(name = "TrainedParametersDigest", mixinStandardHelpOptions = true,
        description = "SHA-256 of the parameters a seeded MNIST run trains")
public final class TrainedParametersDigest implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", defaultValue = "mlp")
    String preset;

    @Option(names = "--epochs", defaultValue = "2")
    int epochs;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--data", defaultValue = "data/datasets/mnist", description = "MNIST's IDX files")
    Path data;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainedParametersDigest()).execute(args));
    }

    @Override
    public Integer call() throws IOException, NoSuchAlgorithmException {
        ModelSpec model = MnistPresetRun.preset(spec, preset);
        MnistPresetRun.useThreads(1);
        TrainingData mnist = MnistPresetRun.mnist(data, model);
        RunListener listener = progress -> {
            if (progress.epochEnd()) {
                print(progress);
            }
        };
        TrainingResult result = new L0Trainer().train(model,
                TrainingOptions.builder().optEpochs(epochs).optSeed(seed).build(), mnist, listener, null);
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(result.gatedParameters()));
        System.out.printf(Locale.ROOT, "%s epochs=%d seed=%d gatedTestError=%.4f sha256=%s foldedSha256=%s%n", preset,
                epochs, seed, result.gatedTestError(), digest, foldedDigest(result.dense().layers()));
        return 0;
    }

    /**
     * SHA-256 of the weights and biases of the network with its test-time gates folded in, in forward order: the
     * numbers alone, where the parameter file also holds what DJL writes of each block (a parameter-free block's
     * input shapes, for one), which a change in the order of such blocks changes without changing a number.
     */
    private static String foldedDigest(List<PrunedLayer> layers) throws NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        addNumbers(layers, sha);
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void addNumbers(List<PrunedLayer> layers, MessageDigest sha) {
        for (PrunedLayer layer : layers) {
            switch (layer) {
                case PrunedLayer.Dense d -> add(sha, d.weight(), d.bias());
                case PrunedLayer.Conv2d c -> add(sha, c.weight(), c.bias());
                case PrunedLayer.BatchNorm b -> add(sha, b.gamma(), b.beta(), b.runningMean(), b.runningVar());
                case PrunedLayer.Residual r -> {
                    addNumbers(r.body(), sha);
                    if (r.projection() != null) {
                        add(sha, r.projection().weight(), r.projection().bias());
                    }
                }
                case PrunedLayer.MaxPool _, PrunedLayer.AvgPool _, PrunedLayer.Relu _, PrunedLayer.Flatten _,
                        PrunedLayer.GlobalAvgPool _ -> { }
            }
        }
    }

    private static void add(MessageDigest sha, float[]... arrays) {
        ByteBuffer bytes = ByteBuffer.allocate(4);
        for (float[] values : arrays) {
            for (float v : values) {
                bytes.clear();
                sha.update(bytes.putInt(Float.floatToRawIntBits(v)).array());
            }
        }
    }

    private static void print(TrainingProgress progress) {
        System.out.printf(Locale.ROOT, "epoch %d: loss %.9g penalty %.9g test error %.4f%n", progress.epoch(),
                progress.trainLoss(), progress.penalty(), progress.testError());
    }
}
